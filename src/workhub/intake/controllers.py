"""Routes of inbound events: a source's endpoint per project, and the log readers follow."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.intake import schemas
from workhub.intake.models import InboundEventRow
from workhub.intake.services import sender_of
from workhub.kernel.errors import NotFound, ValidationFailed
from workhub.kernel.guards import requires
from workhub.kernel.intake import InboundStatus
from workhub.kernel.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from workhub.kernel.permissions import Action
from workhub.kernel.plugins import Registry

__all__ = ("InboundController", "InboundSourceController", "ProjectInboundController", "Sources")

INBOUND_MAX_BYTES = 1024 * 1024
"""Largest body a source's endpoint reads (413 beyond)."""
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size (at most 200)")]
Cursor = Annotated[str | None, QueryParameter(description="`next_cursor` of the previous page")]
SourceName = Annotated[str | None, QueryParameter(max_length=20, description="Only this source")]


class Sources:
    """The registry's intake sources for the endpoint (a plain class: Litestar injects it as it is)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry


def view(row: InboundEventRow) -> schemas.InboundView:
    """The API form of a stored event (the raw payload stays in the database)."""
    error = schemas.InboundError(code=row.error_code, message=row.error or "") if row.error_code else None
    return schemas.InboundView(
        id=row.id,
        source=row.source,
        status=row.status,  # type: ignore[arg-type]  # one of InboundStatus by construction
        project_id=row.project_id,
        task_id=row.task_id,
        sender=sender_of(row),
        text=row.text,
        fields=row.fields,
        rule_runs=msgspec.convert(row.rule_runs, list[schemas.RuleRun]),
        error=error,
        received_at=row.received_at,
        processed_at=row.processed_at,
    )


class InboundController(Controller):
    """One inbound event, for the readers of its project (everyone else: 404)."""

    path = "/api/v1/inbound"
    tags = ["intake"]

    @get(
        "/{inbound_id:uuid}",
        operation_id="GetInbound",
        guards=[requires(Action.TASK_READ, scope="inbound")],
        summary="An inbound event and what became of it",
    )
    async def get_inbound(
        self, db_session: NamedDependency[AsyncSession], inbound_id: FromPath[UUID]
    ) -> schemas.InboundView:
        """Status, the task it made, the rules that ran, and why it failed if it did."""
        row = await db_session.get(InboundEventRow, inbound_id)
        if row is None:
            raise NotFound
        return view(row)


class ProjectInboundController(Controller):
    """A project's inbound log, newest first."""

    path = "/api/v1/projects/{project_id:uuid}/inbound"
    tags = ["intake"]

    @get(
        "/",
        operation_id="ListProjectInbound",
        guards=[requires(Action.TASK_READ)],
        summary="The project's inbound events",
    )
    async def list_inbound(
        self,
        db_session: NamedDependency[AsyncSession],
        project_id: FromPath[UUID],
        status: Annotated[InboundStatus | None, QueryParameter(description="Only this status")] = None,
        source: SourceName = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> schemas.InboundPage:
        """Filter by ``status`` and ``source``; page with ``next_cursor``."""
        statement = select(InboundEventRow).where(InboundEventRow.project_id == project_id)
        if status is not None:
            statement = statement.where(InboundEventRow.status == status)
        if source is not None:
            statement = statement.where(InboundEventRow.source == source)
        if cursor is not None:
            at, last = decode_cursor(cursor, 2)
            try:
                key = (datetime.fromisoformat(str(at)), UUID(str(last)))
            except ValueError:
                key = None
            if key is None:
                raise ValidationFailed.field("cursor", "The cursor is not valid.", code="invalid_cursor")
            statement = statement.where(
                (InboundEventRow.received_at < key[0])
                | ((InboundEventRow.received_at == key[0]) & (InboundEventRow.id < key[1]))
            )
        statement = statement.order_by(InboundEventRow.received_at.desc(), InboundEventRow.id.desc()).limit(
            limit + 1
        )
        rows = list(await db_session.scalars(statement))
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].received_at.isoformat(), str(rows[-1].id)) if more else None
        return schemas.InboundPage(items=[view(row) for row in rows], next_cursor=next_cursor)


class InboundSourceController(Controller):
    """The endpoint an intake source receives on, one per project (the source authenticates the sender)."""

    path = "/api/v1/projects/{project_id:uuid}/inbound"
    tags = ["intake"]

    @post(
        "/{source:str}",
        operation_id="PostInbound",
        opt={"public": True},
        request_max_body_size=INBOUND_MAX_BYTES,
        status_code=HTTP_202_ACCEPTED,
        summary="Hand an event to a source",
    )
    async def post_inbound(
        self,
        request: Request[Any, Any, Any],
        intake_sources: NamedDependency[Sources],
        project_id: FromPath[UUID],
        source: FromPath[str],
    ) -> Response[schemas.InboundReceiptOut]:
        """202 ``{"id", "status"}`` for a new event, 200 for a repeat; 404 when the source is not enabled here.

        What the body must hold and how a sender authenticates is the
        source's own (see its plugin's documentation).
        """
        registry = intake_sources.registry
        found = registry.intake_sources.get(source)
        owner = registry.intake_source_owners.get(source)
        if found is None or owner is None:
            raise NotFound("No such inbound source.", code="unknown_source")
        config = await registry.runtime.project_configs.get(owner, project_id)
        if config is None or not config.enabled:
            raise NotFound("No such inbound source.", code="unknown_source")
        event = await found.parse(await request.body(), request.headers, config)
        event = msgspec.structs.replace(
            event,
            source=source,
            project_id=project_id,
            acting_user_id=event.acting_user_id or config.configured_by,
        )
        receipt = await registry.runtime.intake.accept(event)
        return Response(
            schemas.InboundReceiptOut(id=receipt.id, status=receipt.status),
            status_code=HTTP_202_ACCEPTED if receipt.created else HTTP_200_OK,
        )
