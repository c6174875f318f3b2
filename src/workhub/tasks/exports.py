"""Reading tasks in bulk for exports and reports: streamed lists and per-period statistics.

An export sees exactly what ``GET /api/v1/tasks`` shows the same caller with
the same filters: the statement is the list's own
(:class:`~workhub.tasks.queries.TaskQuery`), without the page limit, read
through a server-side cursor in batches, so a 100k-task export never holds
more than one batch in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from workhub.kernel.clock import clock
from workhub.kernel.db import driver_connection
from workhub.projects.api import member_projects_sql
from workhub.tasks.queries import TaskFilters, TaskQuery
from workhub.tasks.rows import overdue_sql, row_to_task, task_from

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.tasks import schemas

__all__ = ("TaskStats", "count_tasks", "stream_tasks", "task_stats")

_ALL = 2**31 - 2
"""The page size that means "every row" (the list statement always has a LIMIT)."""


def _export_sql(
    filters: TaskFilters, *, user_id: UUID, is_admin: bool, now: datetime
) -> tuple[str, list[Any]]:
    sql, params, _ = TaskQuery().page(
        dataclasses.replace(filters, cursor=None, limit=_ALL),
        now=now,
        project_id=None,
        visible_to=None if is_admin else user_id,
        default_sort="-updated",
    )
    return sql, params


async def count_tasks(session: AsyncSession, filters: TaskFilters, *, user_id: UUID, is_admin: bool) -> int:
    """How many tasks :func:`stream_tasks` will yield (for progress)."""
    sql, params = _export_sql(filters, user_id=user_id, is_admin=is_admin, now=clock.now())
    conn = await driver_connection(session)
    return int(await conn.fetchval(f"SELECT count(*) FROM ({sql}) AS export", *params))


async def stream_tasks(
    session: AsyncSession,
    filters: TaskFilters,
    *,
    user_id: UUID,
    is_admin: bool,
    batch_size: int = 1000,
) -> AsyncIterator[list[schemas.Task]]:
    """Every task the caller's list would show with ``filters``, in its order, ``batch_size`` at a time.

    Members see their projects, administrators every project; archived
    projects are left out unless ``filters.project_id`` names one, as in the
    list. The rows come through a server-side cursor inside a read-only
    transaction (one snapshot for the whole export).
    """
    now = clock.now()
    sql, params = _export_sql(filters, user_id=user_id, is_admin=is_admin, now=now)
    conn = await driver_connection(session)
    async with conn.transaction(readonly=True):
        batch: list[schemas.Task] = []
        async for row in conn.cursor(sql, *params, prefetch=batch_size):
            batch.append(row_to_task(row, now))
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch


@dataclass(frozen=True)
class TaskStats:
    """One row of the statistics: a project's totals (``assignee_id`` unused) or one assignee's share.

    Over the period ``[start, end)``: ``created`` tasks; ``done`` (completed
    in the period); ``done_on_time`` (of those, the ones that had a deadline
    and were completed by it); ``cancelled`` (now cancelled, last changed in
    the period); ``overdue_now`` (open and past the deadline at the time of
    the report, whatever the period); the average and median time from
    creation to completion of the ``done`` ones, in seconds (None if none).
    """

    project_id: UUID
    project_key: str
    project_total: bool
    assignee_id: UUID | None
    created: int
    done: int
    done_on_time: int
    overdue_now: int
    cancelled: int
    avg_seconds: float | None
    median_seconds: float | None


_DONE = "t.status = 'done' AND t.completed_at >= $1 AND t.completed_at < $2"
_OVERDUE = overdue_sql("$3")
_STATS_SQL = (
    "SELECT t.project_id, pa.project_key, GROUPING(t.assignee_id) = 1, t.assignee_id,"
    " count(*) FILTER (WHERE t.created_at >= $1 AND t.created_at < $2),"
    f" count(*) FILTER (WHERE {_DONE}),"
    f" count(*) FILTER (WHERE {_DONE} AND t.deadline IS NOT NULL AND t.completed_at <= t.deadline),"
    f" count(*) FILTER (WHERE {_OVERDUE}),"
    " count(*) FILTER (WHERE t.status = 'cancelled' AND t.updated_at >= $1 AND t.updated_at < $2),"
    f" avg(EXTRACT(EPOCH FROM t.completed_at - t.created_at)) FILTER (WHERE {_DONE}),"
    " percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM t.completed_at - t.created_at))"
    f" FILTER (WHERE {_DONE})"
    f"{task_from()}"
    " WHERE t.deleted_at IS NULL{where}"
    " GROUP BY GROUPING SETS ((t.project_id, pa.project_key), (t.project_id, pa.project_key, t.assignee_id))"
    " HAVING count(*) FILTER (WHERE t.created_at >= $1 AND t.created_at < $2"
    f" OR {_DONE}"
    f" OR {_OVERDUE}"
    " OR (t.status = 'cancelled' AND t.updated_at >= $1 AND t.updated_at < $2)) > 0"
    " ORDER BY pa.project_key, GROUPING(t.assignee_id) DESC, t.assignee_id NULLS LAST"
)


async def task_stats(
    session: AsyncSession,
    *,
    user_id: UUID,
    is_admin: bool,
    start: datetime,
    end: datetime,
    project_id: UUID | None = None,
) -> list[TaskStats]:
    """Statistics per project (a totals row first) and per assignee, for projects the caller sees.

    One statement with ``GROUPING SETS``; rows where nothing happened in the
    period and nothing is overdue are left out. Archived projects are
    included (their history still counts); members see their projects,
    administrators every project.
    """
    params: list[Any] = [start, end, clock.now()]
    where = ""
    if not is_admin:
        params.append(user_id)
        where += f" AND t.project_id IN {member_projects_sql(f'${len(params)}')}"
    if project_id is not None:
        params.append(project_id)
        where += f" AND t.project_id = ${len(params)}"
    conn = await driver_connection(session)
    rows = await conn.fetch(_STATS_SQL.format(where=where), *params)
    return [
        TaskStats(
            project_id=r[0],
            project_key=r[1],
            project_total=r[2],
            assignee_id=r[3],
            created=r[4],
            done=r[5],
            done_on_time=r[6],
            overdue_now=r[7],
            cancelled=r[8],
            avg_seconds=float(r[9]) if r[9] is not None else None,
            median_seconds=float(r[10]) if r[10] is not None else None,
        )
        for r in rows
    ]
