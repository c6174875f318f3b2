"""The overdue sweep: open tasks whose deadline has passed get ``overdue`` set, once.

A cron job runs :func:`sweep_overdue` every minute. Each batch is one
statement: pick (``FOR UPDATE SKIP LOCKED``) the due tasks through the
partial index ``ix_task_open_deadline`` (open, live, not yet overdue, by
deadline), set the flag, bump the version and return the tasks with their
project key. Tasks already marked fall out of that index, so a run costs
what just became due, not the size of the table. In the same transaction
each task gets its ``task.overdue`` event (outbox and audit, recorded as the
system), so the flag and the event commit together and an event is never
sent twice for one overdue spell: the flag is cleared only when the deadline
moves into the future, or the task is closed
(:meth:`~workhub.tasks.services.TaskService.update_task`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, bindparam, text

from workhub.kernel.clock import clock
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import session_scope
from workhub.kernel.events import publish_many
from workhub.projects.services import project_access_sql
from workhub.tasks.events import TaskOverdue
from workhub.tasks.queries import row_to_task

if TYPE_CHECKING:
    from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.kernel.plugins import Registry

__all__ = ("BATCH", "SWEEP_SQL", "mark_overdue", "mark_overdue_batch", "sweep_overdue")

BATCH = 1000
"""Tasks per transaction: a backlog (after an outage) is marked in several short transactions."""
ACTOR = Actor.system("overdue-sweep")

SWEEP_SQL = (
    "WITH due AS ("
    " SELECT id FROM task"
    " WHERE deleted_at IS NULL AND status IN ('todo', 'in_progress') AND NOT overdue AND deadline <= :now"
    " ORDER BY deadline LIMIT :limit FOR UPDATE SKIP LOCKED"
    "), marked AS ("
    " UPDATE task AS t SET overdue = true, version = t.version + 1, updated_at = :now"
    " WHERE t.id = ANY(ARRAY(SELECT id FROM due))"
    " RETURNING t.id, t.project_id, t.number, t.title, t.description, t.status, t.overdue, t.priority,"
    " t.labels, t.assignee_id, t.creator_id, t.deadline, t.completed_at, t.source, t.source_ref,"
    " t.version, t.created_at, t.updated_at, t.position"
    ")"
    " SELECT m.id, m.project_id, m.number, pa.project_key, m.title, m.description, m.status, m.overdue,"
    " m.priority, m.labels, m.assignee_id, m.creator_id, m.deadline, m.completed_at, m.source,"
    " m.source_ref, m.version, m.created_at, m.updated_at, m.position"
    f" FROM marked AS m JOIN {project_access_sql()} AS pa ON pa.project_id = m.project_id"
)
"""One batch: the due tasks marked, returned in the row shape of :func:`~workhub.tasks.queries.row_to_task`."""
_SWEEP = text(SWEEP_SQL).bindparams(bindparam("now", type_=DateTime(timezone=True)))


async def mark_overdue_batch(session: AsyncSession, now: datetime, limit: int = BATCH) -> int:
    """Mark up to ``limit`` due tasks in the session's transaction and publish their events."""
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
            for task in (row_to_task(row, now) for row in rows)
        ]
        await publish_many(session, events)  # one outbox and one audit INSERT for the batch
    return len(rows)


async def mark_overdue(db: SQLAlchemyAsyncConfig, *, now: datetime | None = None, batch: int = BATCH) -> int:
    """Mark every task due at ``now`` (default: the clock), a transaction per batch; returns how many."""
    now = now or clock.now()
    marked = 0
    while True:
        async with session_scope(db) as session:
            count = await mark_overdue_batch(session, now, batch)
        marked += count
        if count < batch:
            return marked


async def sweep_overdue(ctx: dict[str, Any]) -> int:
    """Cron job (every minute): mark what became due since the last run."""
    registry: Registry = ctx["registry"]
    return await mark_overdue(registry.runtime.db)
