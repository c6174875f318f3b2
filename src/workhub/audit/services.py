"""Writing audit records (inside the publishing transaction) and reading them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import select

from workhub.accounts.api import UserService
from workhub.audit.models import AuditRecord
from workhub.audit.schemas import AuditEntry, AuditPage
from workhub.kernel.context import current_context
from workhub.kernel.db import new_id, transaction_connection
from workhub.kernel.errors import ValidationFailed
from workhub.kernel.pagination import decode_cursor, encode_cursor
from workhub.kernel.services import Service

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.kernel.events import DomainEvent

__all__ = ("AuditFilter", "AuditService", "record_events")


_INSERT_AUDIT = (
    "INSERT INTO audit_log (id, occurred_at, actor_kind, actor_id, actor_name, action, entity_type,"
    " entity_id, project_id, changes, request_id, ip)"
    " SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::varchar[], $4::uuid[], $5::varchar[],"
    " $6::varchar[], $7::varchar[], $8::uuid[], $9::uuid[], $10::jsonb[], $11::varchar[], $12::inet[])"
)
"""Any number of records in one statement with a parameter per column: a batch (the overdue
sweep's) costs PostgreSQL's time, not per-row parameter handling in Python."""
_json = msgspec.json.Encoder()


async def record_events(session: AsyncSession, events: Sequence[DomainEvent]) -> None:
    """Transaction listener: one audit record per published event (not for ``audited = False`` ones).

    All records of one publish go in one INSERT (a sweep publishes hundreds at once).
    """
    audited = [event for event in events if event.audited]
    if not audited:
        return
    ctx = current_context()
    n = len(audited)
    connection = await transaction_connection(session)
    await connection.execute(
        _INSERT_AUDIT,
        [new_id() for _ in audited],
        [event.occurred_at for event in audited],
        [ctx.actor.kind] * n,
        [ctx.actor.id] * n,
        [ctx.actor.name] * n,
        [event.name for event in audited],
        [event.entity_type for event in audited],
        [event.entity_id for event in audited],
        [event.project_id for event in audited],
        [_json.encode(event.changes).decode() for event in audited],
        [ctx.request_id] * n,
        [ctx.ip] * n,
    )


class AuditFilter:
    """Filters of the audit listings (all optional)."""

    def __init__(
        self,
        *,
        entity: tuple[str, UUID] | None = None,
        project_id: UUID | None = None,
        actor_id: UUID | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> None:
        self.entity = entity
        self.project_id = project_id
        self.actor_id = actor_id
        self.action = action
        self.since = since
        self.until = until


class AuditService(Service[AuditRecord]):
    """Reads the audit log; it is never updated."""

    class Repo(SQLAlchemyAsyncRepository[AuditRecord]):
        """Audit records."""

        model_type = AuditRecord

    repository_type = Repo

    async def page(self, filters: AuditFilter, *, limit: int, cursor: str | None) -> AuditPage:
        """Newest first; the cursor is the last id (UUIDv7 ids are time-ordered)."""
        stmt = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit + 1)
        if filters.entity is not None:
            stmt = stmt.where(
                AuditRecord.entity_type == filters.entity[0], AuditRecord.entity_id == filters.entity[1]
            )
        if filters.project_id is not None:
            stmt = stmt.where(AuditRecord.project_id == filters.project_id)
        if filters.actor_id is not None:
            stmt = stmt.where(AuditRecord.actor_id == filters.actor_id)
        if filters.action:
            stmt = stmt.where(AuditRecord.action == filters.action)
        if filters.since is not None:
            stmt = stmt.where(AuditRecord.occurred_at >= filters.since)
        if filters.until is not None:
            stmt = stmt.where(AuditRecord.occurred_at < filters.until)
        if cursor:
            (last,) = decode_cursor(cursor, 1)
            try:
                last_id = UUID(str(last))
            except ValueError as exc:
                raise ValidationFailed.field(
                    "cursor", "The cursor is not valid.", code="invalid_cursor"
                ) from exc
            stmt = stmt.where(AuditRecord.id < last_id)
        rows = list((await self.session.execute(stmt)).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
        return AuditPage(
            items=await self._named([self.to_entry(r) for r in rows]),
            next_cursor=encode_cursor(str(rows[-1].id)) if more and rows else None,
        )

    async def _named(self, entries: list[AuditEntry]) -> list[AuditEntry]:
        """Users' names as they are now, for entries whose actor is a user (records keep only the id)."""
        ids = list(
            {e.actor_id for e in entries if e.actor_kind == "user" and e.actor_id and not e.actor_name}
        )
        if not ids:
            return entries
        names = {
            uid: profile.name
            for uid, profile in (await UserService(session=self.session).find_profiles(ids)).items()
        }
        return [
            msgspec.structs.replace(e, actor_name=names[e.actor_id])
            if e.actor_id is not None and e.actor_id in names and not e.actor_name
            else e
            for e in entries
        ]

    @staticmethod
    def to_entry(row: AuditRecord) -> AuditEntry:
        """The API form of a record."""
        return AuditEntry(
            id=row.id,
            occurred_at=row.occurred_at,
            actor_kind=row.actor_kind,
            actor_id=row.actor_id,
            actor_name=row.actor_name,
            action=row.action,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            project_id=row.project_id,
            changes=row.changes,
            request_id=row.request_id,
            ip=str(row.ip) if row.ip is not None else None,
        )
