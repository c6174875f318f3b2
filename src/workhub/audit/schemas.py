"""Audit records as the API returns them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

__all__ = ("AuditEntry", "AuditPage")


class AuditEntry(msgspec.Struct):
    """One audit record; ``changes`` maps a field to ``[before, after]``."""

    id: UUID
    occurred_at: datetime
    actor_kind: str
    actor_id: UUID | None
    actor_name: str | None
    action: str
    entity_type: str
    entity_id: UUID
    project_id: UUID | None
    changes: dict[str, Any]
    request_id: str | None
    ip: str | None


class AuditPage(msgspec.Struct):
    """A page of audit records, newest first."""

    items: list[AuditEntry]
    next_cursor: str | None
