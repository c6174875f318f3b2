"""The overdue sweep: a passed deadline is announced (``task.overdue``) once, off the task row.

Overdue itself is worked out at read time (open and past the deadline,
:func:`~workhub.tasks.rows.is_overdue`); what the sweep keeps is what it
has announced, in ``task_overdue_notice`` (:class:`~workhub.tasks.models.OverdueNotice`):
a row per open task with a deadline, written with the task by
:class:`~workhub.tasks.services.TaskService` through :func:`insert_notice_sql`
and :func:`follow_deadline`. The sweep never touches ``task``, so it bumps no
version (an edit read before it still applies) and rewrites no task index.

A cron job runs :func:`sweep_overdue` every minute. Each batch is one
statement: pick (``FOR UPDATE SKIP LOCKED``) the due rows through the partial
index ``ix_task_overdue_notice_due`` (not yet noticed, by deadline), mark
them noticed, and return them with their tasks and project keys. Noticed rows
fall out of that index, so a run costs what just became due, not the size of
the table. In the same transaction each task gets its ``task.overdue`` event
(outbox and audit, recorded as the system), so the mark and the event commit
together and a deadline is never announced twice.

What is announced. A deadline passing while the task is live, open and its
project active is announced. One that passes while the task is in the trash
or its project archived is noticed silently (``announced`` false) and never
announced later: restoring the project shows those tasks overdue, without a
burst of notices about lateness that happened while nobody could act on it.
The row starts over (announced again when it passes) when the deadline moves
into the future; a deadline moved but still past keeps the row as it is (no
second notice for the same lateness); closing the task deletes the row, and
reopening it writes a new one.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import DateTime, bindparam, text

from workhub.kernel.clock import clock
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import session_scope
from workhub.kernel.events import publish_many
from workhub.projects.api import project_access_sql
from workhub.tasks.events import TaskOverdue
from workhub.tasks.rows import OPEN_SQL, TASK_COLUMNS, row_to_task

if TYPE_CHECKING:
    from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.kernel.plugins import Registry

__all__ = (
    "BATCH",
    "SWEEP_SQL",
    "follow_deadline",
    "insert_notice_sql",
    "mark_overdue",
    "mark_overdue_batch",
    "sweep_overdue",
)

BATCH = 1000
"""Deadlines per transaction: a backlog (after an outage) is handled in several short transactions."""
ACTOR = Actor.system("overdue-sweep")

SWEEP_SQL = (
    "WITH due AS ("
    " SELECT ctid FROM task_overdue_notice WHERE noticed_at IS NULL AND deadline <= :now"
    " ORDER BY deadline LIMIT :limit FOR UPDATE SKIP LOCKED"
    "), noticed AS ("
    " UPDATE task_overdue_notice AS n SET noticed_at = :now,"
    f" announced = (t.deleted_at IS NULL AND {OPEN_SQL} AND NOT pa.archived)"
    f" FROM due, task AS t, {project_access_sql()} AS pa"
    " WHERE n.ctid = due.ctid AND t.id = n.task_id AND pa.project_id = t.project_id"
    f" RETURNING n.announced, {', '.join(c.sql for c in TASK_COLUMNS if c.name != 'overdue')}"
    ")"
    f" SELECT announced, {', '.join('true' if c.name == 'overdue' else c.label for c in TASK_COLUMNS)}"
    " FROM noticed"
)
"""One batch: the due deadlines noticed, each with ``announced`` first, then its task as
:data:`~workhub.tasks.rows.TASK_COLUMNS` (``overdue`` true: it is what was noticed).

The rows are found through the partial index, locked (``SKIP LOCKED``: a
task being edited right now holds its row and waits for the next run) and
updated by the physical address the lock pinned; the tasks come through
``pk_task``. The task row is only read.
"""
_SWEEP = text(SWEEP_SQL).bindparams(bindparam("now", type_=DateTime(timezone=True)))

_FOLLOW = text(
    "INSERT INTO task_overdue_notice AS n (task_id, deadline) VALUES (:task_id, :deadline)"
    " ON CONFLICT (task_id) DO UPDATE SET deadline = EXCLUDED.deadline,"
    " noticed_at = CASE WHEN EXCLUDED.deadline > :now THEN NULL ELSE n.noticed_at END,"
    " announced = EXCLUDED.deadline <= :now AND n.announced"
).bindparams(
    bindparam("deadline", type_=DateTime(timezone=True)), bindparam("now", type_=DateTime(timezone=True))
)
_FORGET = text("DELETE FROM task_overdue_notice WHERE task_id = :task_id")


def insert_notice_sql(insert_task: str) -> str:
    """``insert_task`` (an ``INSERT INTO task``) writing the task's notice row in the same statement.

    For a task created open with a deadline: one round trip, as before.
    """
    return (
        f"WITH t AS ({insert_task} RETURNING id, deadline)"
        " INSERT INTO task_overdue_notice (task_id, deadline) SELECT id, deadline FROM t"
    )


async def follow_deadline(
    session: AsyncSession, task_id: UUID, deadline: datetime | None, now: datetime
) -> None:
    """Keep a task's notice row in step after its deadline or status changed.

    ``deadline`` is the task's deadline while it is open, None otherwise
    (closed, or no deadline): then the row goes. A deadline moved into the
    future starts over; one still past keeps what was noticed.
    """
    if deadline is None:
        await session.execute(_FORGET, {"task_id": task_id})
    else:
        await session.execute(_FOLLOW, {"task_id": task_id, "deadline": deadline, "now": now})


async def mark_overdue_batch(session: AsyncSession, now: datetime, limit: int = BATCH) -> tuple[int, int]:
    """Notice up to ``limit`` due deadlines in the session's transaction and publish their events.

    Returns how many were noticed and how many of those were announced.
    """
    # Through the session, not the raw driver connection: the UPDATE must be in the
    # transaction that writes the events (the driver connection has no BEGIN yet).
    rows = (await session.execute(_SWEEP, {"now": now, "limit": limit})).all()
    with acting_as(ACTOR):
        events = [
            TaskOverdue(
                entity_id=task.id,
                project_id=task.project_id,
                version=task.version,
                task=task,
                changes={"overdue": [False, True]},
            )
            for task in (row_to_task(row[1:], now) for row in rows if row[0])
        ]
        await publish_many(session, events)  # one outbox and one audit INSERT for the batch
    return len(rows), len(events)


async def mark_overdue(db: SQLAlchemyAsyncConfig, *, now: datetime | None = None, batch: int = BATCH) -> int:
    """Announce every deadline due at ``now`` (default: the clock), a transaction per batch; returns how many."""
    now = now or clock.now()
    announced = 0
    while True:
        async with session_scope(db) as session:
            noticed, count = await mark_overdue_batch(session, now, batch)
        announced += count
        if noticed < batch:
            return announced


async def sweep_overdue(ctx: dict[str, Any]) -> int:
    """Cron job (every minute): announce what became due since the last run."""
    registry: Registry = ctx["registry"]
    return await mark_overdue(registry.runtime.db)
