"""Intake: store inbound events once, process them in the worker, act on tasks as a user.

:class:`IntakeService` is what plugins reach as ``runtime.intake`` (the
kernel's :class:`~workhub.kernel.intake.Intake`). Tasks are made through the
tasks module's public face after the permission table has been asked for
the user the event acts as, inside one transaction with the event's new
status, so a worker killed half-way leaves the event ``accepted`` and the
retried job makes its task exactly once.
"""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

import msgspec
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.intake.events import InboundAccepted, InboundProcessed
from workhub.intake.models import InboundEventRow
from workhub.kernel.clock import clock
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import new_id, session_scope
from workhub.kernel.errors import AppError, Forbidden, NotFound, ValidationFailed
from workhub.kernel.events import publish
from workhub.kernel.guards import authorize
from workhub.kernel.intake import (
    InboundEvent,
    InboundReceipt,
    InboundStatus,
    Sender,
    TaskChange,
    TaskDraft,
    TaskRef,
)
from workhub.kernel.permissions import Action, system_allowed
from workhub.kernel.permissions import SystemAction as _SystemAction
from workhub.kernel.plugins import Registry
from workhub.tasks import schemas as task_schemas
from workhub.tasks.api import TaskService

__all__ = ("IntakeService", "accept_event", "draft_from", "sender_of")

_TITLE_MAX = 500
_AT = "at `$."


def _receipt(row: InboundEventRow, *, created: bool) -> InboundReceipt:
    status = cast("InboundStatus", row.status)  # one of them by construction
    return InboundReceipt(
        id=row.id, status=status, created=created, task_id=row.task_id, received_at=row.received_at
    )


def draft_from(fields: dict[str, Any], text: str) -> TaskDraft:
    """A task from what a source read: its ``fields`` first, else the first line of ``text`` as the title.

    Raises :class:`ValidationFailed` (``no_title``) when neither gives a title.
    """
    lines = [line.strip() for line in text.strip().splitlines()]
    title = str(fields.get("title") or "").strip()
    description = str(fields.get("description") or "")
    if not title and lines and lines[0]:
        title = lines[0]
        if not description:
            description = "\n".join(lines[1:]).strip()
    elif not description:
        description = text.strip()
    if not title:
        raise ValidationFailed.field(
            "title", "The event has no title or text to make a task of.", code="no_title"
        )
    values: dict[str, Any] = {"title": title[:_TITLE_MAX], "description": description}
    for name in ("priority", "labels", "deadline"):
        if fields.get(name) not in (None, "", []):
            values[name] = fields[name]
    try:
        return msgspec.convert(values, TaskDraft, strict=False)
    except msgspec.ValidationError as exc:
        raise _invalid(exc) from exc


def _invalid(exc: msgspec.ValidationError) -> ValidationFailed:
    text = str(exc)
    field = text.split(_AT, 1)[1].split("`", 1)[0].split("[", 1)[0] if _AT in text else "task"
    return ValidationFailed.field(field, text, code="invalid_task_fields")


async def accept_event(session: AsyncSession, event: InboundEvent) -> InboundReceipt:
    """Store ``event`` once in the caller's transaction (published as ``inbound.accepted``); a repeat finds the first."""
    now = clock.now()

    row_id = await session.scalar(
        insert(InboundEventRow)
        .values(
            id=new_id(),
            source=event.source,
            dedupe_key=event.dedupe_key,
            project_id=event.project_id,
            acting_user_id=event.acting_user_id,
            sender=msgspec.to_builtins(event.sender),
            text=event.text,
            fields=msgspec.to_builtins(event.fields),
            payload=msgspec.to_builtins(event.payload),
            status="accepted",
            rule_runs=[],
            received_at=now,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["source", "dedupe_key"])
        .returning(InboundEventRow.id)
    )
    if row_id is None:  # delivered before: answer as the first time
        row = await session.scalar(
            select(InboundEventRow).where(
                InboundEventRow.source == event.source, InboundEventRow.dedupe_key == event.dedupe_key
            )
        )
        assert row is not None  # the conflicting row is committed, or the insert would have waited
        return _receipt(row, created=False)
    with acting_as(Actor.integration(event.source)):
        await publish(
            session,
            InboundAccepted(
                entity_id=row_id,
                project_id=event.project_id,
                source=event.source,
                changes={"status": [None, "accepted"]},
            ),
        )
    return InboundReceipt(id=row_id, status="accepted", created=True, received_at=now)


class IntakeService:
    """The kernel's :class:`~workhub.kernel.intake.Intake`, over the database and the tasks module."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    # --- events ----------------------------------------------------------

    async def accept(self, event: InboundEvent) -> InboundReceipt:
        """Store ``event`` once; a repeat (also a concurrent one) gets the first delivery's receipt."""
        async with session_scope(self._registry.runtime.db) as session:
            return await self.accept_in(session, event)

    async def accept_in(self, session: AsyncSession, event: InboundEvent) -> InboundReceipt:
        """:meth:`accept` inside the caller's transaction."""
        return await accept_event(session, event)

    async def receipt(self, event_id: UUID) -> InboundReceipt | None:
        """Where a stored event stands now."""
        async with session_scope(self._registry.runtime.db) as session:
            row = await session.get(InboundEventRow, event_id)
            return _receipt(row, created=False) if row is not None else None

    async def process(self, event_id: UUID) -> None:
        """Worker: turn an accepted event into a task, or record why it cannot be one.

        Idempotent: an event no longer ``accepted`` is left as it is. An
        event no rule routes (the rules engine is not in yet: none does)
        becomes a task in the project of the endpoint it came to, made with
        the rights of its acting user.
        """
        async with session_scope(self._registry.runtime.db) as session:
            row = await session.scalar(
                select(InboundEventRow).where(InboundEventRow.id == event_id).with_for_update()
            )
            if row is None or row.status != "accepted":
                return
            try:
                if row.project_id is None:
                    raise ValidationFailed.field(
                        "project_id", "The event came to no project.", code="no_project"
                    )
                if row.acting_user_id is None:
                    raise Forbidden("Nobody the task could be made for.", code="no_acting_user")
                draft = draft_from(row.fields, row.text)
                async with session.begin_nested():
                    ref = await self.create_task_in(
                        session,
                        acting_user_id=row.acting_user_id,
                        project_id=row.project_id,
                        draft=draft,
                        source=row.source,
                        source_ref=row.dedupe_key,
                    )
                row.status, row.task_id = "processed", ref.id
            except AppError as exc:
                row.status, row.error_code, row.error = "failed", exc.code, str(exc)[:1000]
            row.processed_at = row.updated_at = clock.now()
            await session.flush()
            with acting_as(Actor.integration(row.source)):
                await publish(
                    session,
                    InboundProcessed(
                        entity_id=row.id,
                        project_id=row.project_id,
                        source=row.source,
                        status=row.status,
                        task_id=row.task_id,
                        changes={"status": ["accepted", row.status]},
                    ),
                )

    # --- tasks as a user -------------------------------------------------

    async def _actor(self, session: AsyncSession, user_id: UUID) -> bool:
        """Whether the user is an administrator; 403 ``acting_user_inactive`` for an unknown or inactive one."""
        role = await self._registry.system_role(session, user_id)
        if role is None:
            raise Forbidden("The user this acts as is not active.", code="acting_user_inactive")
        return system_allowed(role, _SystemAction.ADMINISTER)

    async def create_task(
        self,
        *,
        acting_user_id: UUID,
        project_id: UUID,
        draft: TaskDraft,
        source: str,
        source_ref: str | None = None,
    ) -> TaskRef:
        """Create a task as ``acting_user_id`` in its own transaction."""
        async with session_scope(self._registry.runtime.db) as session:
            return await self.create_task_in(
                session,
                acting_user_id=acting_user_id,
                project_id=project_id,
                draft=draft,
                source=source,
                source_ref=source_ref,
            )

    async def create_task_in(
        self,
        session: AsyncSession,
        *,
        acting_user_id: UUID,
        project_id: UUID,
        draft: TaskDraft,
        source: str,
        source_ref: str | None = None,
    ) -> TaskRef:
        """The permission table asked for ``task.create`` as the user, then the task made and audited as theirs."""
        is_admin = await self._actor(session, acting_user_id)
        resolver = self._registry.access_scopes["project"]
        await authorize(session, resolver, project_id, acting_user_id, Action.TASK_CREATE, is_admin=is_admin)
        try:
            data = msgspec.convert(msgspec.to_builtins(draft), task_schemas.TaskCreate, strict=False)
        except msgspec.ValidationError as exc:
            raise _invalid(exc) from exc
        with acting_as(Actor(kind="user", id=acting_user_id)):
            task = await TaskService(session=session).create_task(
                project_id,
                data,
                acting_user_id,
                source=source,
                source_ref=source_ref[:500] if source_ref else None,
            )
        return TaskRef(
            id=task.id,
            key=task.key,
            project_id=project_id,
            title=task.title,
            status=task.status,
            version=task.version,
        )

    async def update_task(self, *, acting_user_id: UUID, task_id: UUID, change: TaskChange) -> TaskRef:
        """Change a task as ``acting_user_id`` (``task.update`` in its project), at its current version."""
        async with session_scope(self._registry.runtime.db) as session:
            is_admin = await self._actor(session, acting_user_id)
            resolver = self._registry.access_scopes["task"]
            await authorize(session, resolver, task_id, acting_user_id, Action.TASK_UPDATE, is_admin=is_admin)
            service = TaskService(session=session)
            current = await service.current_version(task_id)
            if current is None:
                raise NotFound
            values = {"version": current, **msgspec.to_builtins(change)}
            try:
                data = msgspec.convert(values, task_schemas.TaskUpdate, strict=False)
            except msgspec.ValidationError as exc:
                raise _invalid(exc) from exc
            with acting_as(Actor(kind="user", id=acting_user_id)):
                task = await service.update_task(task_id, data)
            return TaskRef(
                id=task.id,
                key=task.key,
                project_id=task.project_id,
                title=task.title,
                status=task.status,
                version=task.version,
            )


def sender_of(row: InboundEventRow) -> Sender:
    """The stored sender as the kernel's Struct."""
    return msgspec.convert(row.sender, Sender)
