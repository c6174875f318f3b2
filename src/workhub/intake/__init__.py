"""Intake: inbound events from every source, stored once, processed in the worker."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar.di import Provide
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.intake.controllers import (
    InboundController,
    InboundSourceController,
    ProjectInboundController,
    Sources,
)
from workhub.intake.events import InboundAccepted, InboundProcessed
from workhub.intake.models import InboundEventRow
from workhub.intake.services import IntakeService
from workhub.kernel.guards import Access
from workhub.kernel.plugins import Registry, Runtime
from workhub.kernel.realtime import project_room

__all__ = ("IntakePlugin", "plugin")


class IntakePlugin:
    """Provides ``runtime.intake`` to plugins, the inbound routes, and the job that processes events."""

    name = "intake"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Add routes, the ``inbound`` access scope and the processing subscriber."""
        service = IntakeService(registry)

        async def resolve_inbound_access(
            session: AsyncSession, inbound_id: UUID, user_id: UUID
        ) -> Access | None:
            project_id = await session.scalar(
                select(InboundEventRow.project_id).where(InboundEventRow.id == inbound_id)
            )
            if project_id is None:
                return None
            return await registry.access_scopes["project"](session, project_id, user_id)

        async def process_inbound(event: InboundAccepted, runtime: Runtime) -> None:
            await service.process(event.entity_id)

        registry.set_intake(service)
        registry.add_access_scope("inbound", resolve_inbound_access)
        sources = Sources(registry)
        registry.add_dependency("intake_sources", Provide(lambda: sources, sync_to_thread=False))
        registry.add_routes(InboundController, ProjectInboundController, InboundSourceController)
        registry.subscribe(InboundAccepted, handler=process_inbound, name="process_inbound")
        registry.add_broadcast(InboundProcessed, rooms=project_room)


plugin = IntakePlugin()
