"""The API form of inbound events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from workhub.kernel.intake import InboundStatus, Sender

__all__ = ("InboundError", "InboundPage", "InboundReceiptOut", "InboundView", "RuleRun")


class InboundReceiptOut(msgspec.Struct, kw_only=True):
    """What a source's sender is answered: 202 for a new event, 200 for a repeat."""

    id: UUID
    status: InboundStatus


class RuleRun(msgspec.Struct, kw_only=True):
    """One rule's run on the event (the rules engine fills these)."""

    rule_id: UUID
    matched: bool
    actions: list[str] = []
    error: str | None = None


class InboundError(msgspec.Struct, kw_only=True):
    """Why an event could not become a task, for the project's owners to act on."""

    code: str
    message: str


class InboundView(msgspec.Struct, kw_only=True):
    """An inbound event as the project's readers see it."""

    id: UUID
    source: str
    status: InboundStatus
    project_id: UUID | None
    task_id: UUID | None
    sender: Sender
    text: str
    fields: dict[str, Any]
    rule_runs: list[RuleRun]
    error: InboundError | None
    received_at: datetime
    processed_at: datetime | None


class InboundPage(msgspec.Struct, kw_only=True):
    """A page of a project's inbound events, newest first."""

    items: list[InboundView]
    next_cursor: str | None
