"""Events the intake module publishes."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from workhub.kernel.events import DomainEvent

__all__ = ("InboundAccepted", "InboundProcessed")


class _InboundEvent(DomainEvent, frozen=True, kw_only=True):
    entity_type: ClassVar[str] = "inbound_event"


class InboundAccepted(_InboundEvent, frozen=True, kw_only=True, tag="inbound.accepted"):
    """A source handed over a new event; the worker processes it next."""

    source: str


class InboundProcessed(_InboundEvent, frozen=True, kw_only=True, tag="inbound.processed"):
    """The worker dealt with an event: ``status`` is processed, ignored or failed."""

    source: str
    status: str
    task_id: UUID | None = None
