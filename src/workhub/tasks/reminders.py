"""Reminders of task deadlines: planning, the routes' service, and delivery exactly once.

Planning. A task's reminders are rows of ``task_reminder`` worked out from
the task as it is: the assignee's reminder offsets (``origin`` ``user``) and
reminders added on the task (``origin`` ``task``, at a moment or an offset).
:func:`replan_task` recomputes them whenever something they depend on
changed; subscribers call it after ``task.created``/``task.updated``/
``task.deleted``/``task.restored`` and after a user changed their offsets
(``user.updated``). It is idempotent (it derives everything from the current
state), so at-least-once delivery of those events is harmless. Sent rows
stay as they are: a reminder for the same deadline is never planned twice.

Delivery. A cron job (every minute) runs :func:`deliver_due_reminders`:
due rows are taken with ``SELECT … FOR UPDATE SKIP LOCKED`` through the
partial index ``ix_task_reminder_due``, and in the same transaction each is
marked ``sent_at`` and its notification is written (``event_id`` = the
reminder's id, unique per user). Two workers never take the same row; a
crash before commit rolls both back and the next run sends it; after commit
it is never sent again. A reminder found more than the window late (the
workers were down) is marked ``skipped_at`` instead of going out in a burst;
the task's overdue notice comes from the overdue sweep regardless. So is one
that falls due while its project is archived: restoring the project sends
none of them, and only reminders still ahead go out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, bindparam, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from workhub.accounts.api import UserService
from workhub.accounts.events import UserUpdated
from workhub.kernel.clock import clock
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import new_id, session_scope
from workhub.kernel.errors import Conflict, FieldError, NotFound, ValidationFailed
from workhub.kernel.events import publish
from workhub.kernel.i18n import Msg
from workhub.kernel.notifier import NotificationRequest
from workhub.projects.api import project_access_sql
from workhub.tasks import schemas
from workhub.tasks.events import (
    TaskCreated,
    TaskDeleted,
    TaskReminderAdded,
    TaskReminderRemoved,
    TaskRestored,
    TaskUpdated,
)
from workhub.tasks.models import Task, TaskReminder
from workhub.tasks.rows import OPEN

if TYPE_CHECKING:
    from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.kernel.notifier import Notifier
    from workhub.kernel.plugins import Registry, Runtime

__all__ = (
    "BATCH",
    "MAX_TASK_REMINDERS",
    "PICK_SQL",
    "ReminderService",
    "deliver_due_reminders",
    "deliver_reminders",
    "format_deadline",
    "on_task_changed",
    "on_user_updated",
    "release_unassigned",
    "replan_task",
)

BATCH = 1000
"""Reminders per delivery transaction."""
MAX_TASK_REMINDERS = 20
"""Reminders one task may carry on top of the assignee's own."""
_REPLAN_FIELDS = frozenset({"deadline", "assignee_id", "status"})
ACTOR = Actor.system("reminders")

_DATE_FORMATS = {"ru": "%d.%m.%Y %H:%M", "en": "%Y-%m-%d %H:%M"}


def format_deadline(deadline: datetime, locale: str, timezone: str) -> str:
    """The deadline as the user reads it: their zone, their language's date order."""
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    local = deadline.astimezone(zone)
    return f"{local.strftime(_DATE_FORMATS.get(locale, _DATE_FORMATS['en']))} ({timezone})"


def _as_schema(row: TaskReminder) -> schemas.Reminder:
    return schemas.Reminder(
        id=row.id,
        task_id=row.task_id,
        user_id=row.user_id,
        origin=row.origin,  # type: ignore[arg-type]
        kind=row.kind,  # type: ignore[arg-type]
        offset_minutes=row.offset_minutes,
        at=row.at,
        remind_at=row.remind_at,
        sent_at=row.sent_at,
        skipped_at=row.skipped_at,
        created_at=row.created_at,
    )


def _due_time(row: TaskReminder, task: Task) -> datetime | None:
    """When a task-origin reminder goes out for ``task`` as it is; None while it cannot."""
    if task.deleted_at is not None or task.status not in OPEN or task.assignee_id is None:
        return None
    if row.kind == "absolute":
        return row.at
    if task.deadline is None or row.offset_minutes is None:
        return None
    return task.deadline - timedelta(minutes=row.offset_minutes)


# --- planning ------------------------------------------------------------------------------


async def replan_task(session: AsyncSession, task_id: UUID, now: datetime, *, wait: bool = True) -> bool:
    """Bring a task's unsent reminders in line with the task and its assignee's offsets.

    The task row is locked, so two replans of one task run one after the
    other. Planned reminders already in the past are not planned (a task set
    an hour before its deadline gets no "one day before"); a pending one that
    is still right stays, due or not. With ``wait`` False a task locked by
    someone else is left alone (False is returned): delivery, which holds
    reminder rows, must not wait for a task row whose holder may be waiting
    for those reminder rows.
    """
    task = await session.scalar(select(Task).where(Task.id == task_id).with_for_update(skip_locked=not wait))
    if task is None:
        return False  # deleted for good (its reminders went with it), or busy
    live = task.deleted_at is None and task.status in OPEN
    wanted: set[tuple[UUID, int, datetime]] = set()
    if live and task.assignee_id is not None and task.deadline is not None:
        profile = await UserService(session=session).find_profile(task.assignee_id)
        if profile is not None and profile.is_active:
            for offset in profile.reminder_offsets:
                wanted.add((task.assignee_id, offset, task.deadline - timedelta(minutes=offset)))
    pending = (
        await session.scalars(
            select(TaskReminder).where(
                TaskReminder.task_id == task_id,
                TaskReminder.sent_at.is_(None),
                TaskReminder.skipped_at.is_(None),
            )
        )
    ).all()
    stale: list[UUID] = []
    for row in pending:
        if row.origin == "user":
            key = (row.user_id, row.offset_minutes, row.remind_at)
            if key in wanted:
                wanted.discard(key)  # type: ignore[arg-type]
            else:
                stale.append(row.id)
            continue
        user_id = task.assignee_id if live else None
        remind_at = _due_time(row, task)
        if (row.user_id, row.remind_at) != (user_id, remind_at):
            row.user_id, row.remind_at, row.updated_at = user_id, remind_at, now
    if stale:
        await session.execute(delete(TaskReminder).where(TaskReminder.id.in_(stale)))
    # A pending row still right is kept even when due (delivery is about to take it); a
    # new one is only planned for the future.
    wanted = {w for w in wanted if w[2] > now}
    if wanted:
        await session.execute(
            insert(TaskReminder)
            .values(
                [
                    {
                        "id": new_id(),
                        "task_id": task_id,
                        "user_id": user_id,
                        "origin": "user",
                        "kind": "offset",
                        "offset_minutes": offset,
                        "remind_at": at,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for user_id, offset, at in sorted(wanted, key=lambda w: w[2])
                ]
            )
            .on_conflict_do_nothing(
                index_elements=["task_id", "user_id", "offset_minutes", "remind_at"],
                index_where=text("origin = 'user'"),
            )
        )
    await session.flush()
    return True


async def release_unassigned(session: AsyncSession, task_ids: list[UUID], now: datetime) -> None:
    """What :func:`replan_task` would do to live open tasks just left without an assignee, in two statements.

    The former assignee's planned reminders go; reminders added on the task
    wait, unaddressed, for the next assignee. Used in the transaction that
    unassigns them (a member removed from the project), so nothing is sent
    to that member after it commits; the replan subscriber then finds
    nothing left to do.
    """
    if not task_ids:
        return
    pending = (
        TaskReminder.task_id.in_(task_ids),
        TaskReminder.sent_at.is_(None),
        TaskReminder.skipped_at.is_(None),
    )
    await session.execute(delete(TaskReminder).where(*pending, TaskReminder.origin == "user"))
    await session.execute(
        update(TaskReminder)
        .where(*pending, TaskReminder.origin == "task")
        .values(user_id=None, remind_at=None, updated_at=now)
    )


async def on_task_changed(
    event: TaskCreated | TaskUpdated | TaskDeleted | TaskRestored, runtime: Runtime
) -> None:
    """Subscriber: replan when the deadline, the assignee or the status changed (or the task came or went)."""
    if isinstance(event, TaskUpdated) and not _REPLAN_FIELDS & event.changes.keys():
        return
    async with session_scope(runtime.db) as session:
        await replan_task(session, event.entity_id, clock.now())


async def on_user_updated(event: UserUpdated, runtime: Runtime) -> None:
    """Subscriber: a user's reminder offsets changed; replan their open tasks with a future deadline."""
    if "reminder_offsets" not in event.changes:
        return
    now = clock.now()
    async with session_scope(runtime.db) as session:
        task_ids = (
            await session.scalars(
                select(Task.id).where(
                    Task.assignee_id == event.entity_id,
                    Task.deleted_at.is_(None),
                    Task.status.in_(OPEN),
                    Task.deadline > now,
                )
            )
        ).all()
    for task_id in task_ids:  # one short transaction per task
        async with session_scope(runtime.db) as session:
            await replan_task(session, task_id, now)


# --- delivery ------------------------------------------------------------------------------

PICK_SQL = (
    "WITH due AS ("
    " SELECT ctid FROM task_reminder"
    " WHERE sent_at IS NULL AND skipped_at IS NULL AND remind_at <= :now"
    " ORDER BY remind_at LIMIT :limit FOR UPDATE SKIP LOCKED"
    "), taken AS ("
    " UPDATE task_reminder AS r SET sent_at = :now, updated_at = :now FROM due WHERE r.ctid = due.ctid"
    " RETURNING r.id, r.task_id, r.user_id, r.remind_at, r.kind, r.offset_minutes"
    ")"
    " SELECT taken.id, taken.task_id, taken.user_id, taken.remind_at, taken.kind, taken.offset_minutes,"
    " t.number, pa.project_key, t.title, t.deadline, t.status, t.assignee_id, t.deleted_at IS NOT NULL,"
    " pa.archived"
    " FROM taken JOIN task AS t ON t.id = taken.task_id"
    f" JOIN {project_access_sql()} AS pa ON pa.project_id = t.project_id"
)
"""Take due reminders not taken by another worker, oldest first, and mark them sent; with their tasks.

One statement: the rows are found through the partial index
``ix_task_reminder_due``, locked (``SKIP LOCKED``), and updated by the
physical address the lock pinned, so marking costs no second index lookup.
The few that must not go out after all are put back by :func:`_deliver_batch`
(skipped, when the project is archived or the reminder too late).
"""
_PICK = text(PICK_SQL).bindparams(bindparam("now", type_=DateTime(timezone=True)))
_UNMARK = text(
    "UPDATE task_reminder SET sent_at = NULL, skipped_at = :skipped_at, updated_at = :now"
    " WHERE id = ANY(CAST(:ids AS uuid[]))"
).bindparams(
    bindparam("now", type_=DateTime(timezone=True)), bindparam("skipped_at", type_=DateTime(timezone=True))
)


async def _deliver_batch(
    session: AsyncSession, notifier: Notifier, now: datetime, window: timedelta, limit: int
) -> tuple[int, int]:
    """Handle up to ``limit`` due reminders in the session's transaction.

    Returns how many were taken and how many of them were dealt with (sent,
    skipped, or their task replanned): a reminder whose task changed since it
    was planned is not sent; its task is replanned here unless that task is
    busy, in which case the replan subscriber, on its way, will do it.
    """
    # Through the session, not the raw driver connection: the row locks must belong to the
    # transaction that writes the notifications.
    picked = (await session.execute(_PICK, {"now": now, "limit": limit})).all()
    if not picked:
        return 0, 0
    profiles = await UserService(session=session).find_profiles(list({r[2] for r in picked if r[2]}))
    notices: list[NotificationRequest] = []
    skipped: list[UUID] = []
    changed: list[UUID] = []
    replan: set[UUID] = set()
    for row in picked:
        reminder_id, task_id, user_id, remind_at, kind, offset = row[:6]
        number, project_key, title, deadline, status, assignee_id, deleted, archived = row[6:]
        if (
            deleted
            or status not in OPEN
            or assignee_id != user_id
            or (kind == "offset" and (deadline is None or deadline - timedelta(minutes=offset) != remind_at))
        ):
            changed.append(reminder_id)  # the task changed and its replan has not run yet: do it now
            replan.add(task_id)
            continue
        profile = profiles.get(user_id)
        if archived or remind_at < now - window or profile is None:
            skipped.append(reminder_id)  # an archived project's reminders stay silent, also after its restore
            continue
        when: object = (
            format_deadline(deadline, profile.locale, profile.timezone)
            if deadline is not None
            else Msg("reminder.no_deadline")
        )
        notices.append(
            NotificationRequest(
                user_id=user_id,
                kind="reminder",
                event_id=reminder_id,
                params={"key": f"{project_key}-{number}", "title": title, "deadline": when},
                link=f"/tasks/{task_id}",
                data={
                    "task_id": str(task_id),
                    "reminder_id": str(reminder_id),
                    "deadline": deadline.isoformat() if deadline else None,
                },
            )
        )
    await notifier.send_many(session, notices, profiles)  # all of the batch in three statements
    if skipped:
        await session.execute(_UNMARK, {"ids": skipped, "skipped_at": now, "now": now})
    if changed:
        await session.execute(_UNMARK, {"ids": changed, "skipped_at": None, "now": now})
    replanned = 0
    for task_id in replan:
        replanned += await replan_task(session, task_id, now, wait=False)
    return len(picked), len(notices) + len(skipped) + replanned


async def deliver_due_reminders(
    db: SQLAlchemyAsyncConfig,
    notifier: Notifier,
    *,
    now: datetime | None = None,
    window: timedelta = timedelta(minutes=15),
    batch: int = BATCH,
) -> int:
    """Send through ``notifier`` (or skip, when more than ``window`` late) every reminder due at ``now``; returns how many."""
    now = now or clock.now()
    handled = 0
    with acting_as(ACTOR):
        while True:
            async with session_scope(db) as session:
                taken, dealt_with = await _deliver_batch(session, notifier, now, window, batch)
            handled += taken
            if taken < batch or not dealt_with:  # all done, or only rows waiting for a replan
                return handled


async def deliver_reminders(ctx: dict[str, Any]) -> int:
    """Cron job (every minute): deliver the reminders that came due."""
    registry: Registry = ctx["registry"]
    runtime = registry.runtime
    window = timedelta(minutes=runtime.settings.reminder_window_minutes)
    return await deliver_due_reminders(runtime.db, runtime.notifier, window=window)


# --- the routes' service -------------------------------------------------------------------


class ReminderService:
    """A task's reminders for the REST API; every change is recorded in the task's history."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_reminders(self, task_id: UUID) -> list[schemas.Reminder]:
        """Every reminder of the task (planned, added, sent and skipped), soonest first."""
        rows = await self.session.scalars(
            select(TaskReminder)
            .where(TaskReminder.task_id == task_id)
            .order_by(TaskReminder.remind_at.asc().nulls_last(), TaskReminder.id)
        )
        return [_as_schema(row) for row in rows]

    async def _task(self, task_id: UUID) -> Task:
        task = await self.session.scalar(
            select(Task).where(Task.id == task_id, Task.deleted_at.is_(None)).with_for_update()
        )
        if task is None:
            raise NotFound
        return task

    async def add_reminder(
        self, task_id: UUID, data: schemas.ReminderCreate, created_by: UUID | None
    ) -> schemas.Reminder:
        """A reminder at ``data.at`` or ``data.offset_minutes`` before the deadline, for the assignee."""
        if (data.at is None) == (data.offset_minutes is None):
            message = "Give either 'at' or 'offset_minutes'."
            raise ValidationFailed(
                message,
                code="reminder_invalid",
                errors=[FieldError(field="at", message=message)],
                message_key="reminder.invalid",
            )
        now = clock.now()
        if data.at is not None and data.at <= now:
            raise ValidationFailed.field("at", "The reminder time has passed.", code="reminder_in_past")
        task = await self._task(task_id)
        count = await self.session.scalar(
            select(func.count())
            .select_from(TaskReminder)
            .where(TaskReminder.task_id == task_id, TaskReminder.origin == "task")
        )
        if (count or 0) >= MAX_TASK_REMINDERS:
            raise ValidationFailed(
                f"A task may carry at most {MAX_TASK_REMINDERS} reminders of its own.",
                code="too_many_reminders",
                message_key="reminder.too_many",
            )
        row = TaskReminder(
            id=new_id(),
            task_id=task_id,
            origin="task",
            kind="absolute" if data.at is not None else "offset",
            offset_minutes=data.offset_minutes,
            at=data.at,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        row.user_id = task.assignee_id if task.deleted_at is None and task.status in OPEN else None
        row.remind_at = _due_time(row, task)
        self.session.add(row)
        await self.session.flush()
        result = _as_schema(row)
        await publish(
            self.session,
            TaskReminderAdded(
                entity_id=task_id,
                project_id=task.project_id,
                reminder=result,
                changes={
                    "reminder_id": [None, str(row.id)],
                    "remind_at": [None, result.remind_at.isoformat() if result.remind_at else None],
                },
            ),
        )
        return result

    async def remove_reminder(self, task_id: UUID, reminder_id: UUID) -> None:
        """Remove a reminder added on the task; planned ones follow the assignee's settings (409)."""
        task = await self._task(task_id)
        row = await self.session.scalar(
            select(TaskReminder).where(TaskReminder.id == reminder_id, TaskReminder.task_id == task_id)
        )
        if row is None:
            raise NotFound
        if row.origin == "user":
            raise Conflict(
                "This reminder comes from the assignee's reminder settings; change them in the profile.",
                code="reminder_planned",
                message_key="reminder.planned",
            )
        result = _as_schema(row)
        await self.session.delete(row)
        await self.session.flush()
        await publish(
            self.session,
            TaskReminderRemoved(
                entity_id=task_id,
                project_id=task.project_id,
                reminder=result,
                changes={"reminder_id": [str(reminder_id), None]},
            ),
        )
