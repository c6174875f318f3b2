"""Reading tasks for calendars: the dashboard's range view and the ICS feeds.

The range view is the task list of :mod:`workhub.tasks.queries` with the
deadline range and ``deadline`` order fixed, so it filters exactly like
``GET /api/v1/tasks`` and sees exactly the same tasks. A feed is read with
one statement that checks access as it reads: the feed owner's membership
(joined from the projects module's access relation) is looked up at every
fetch, so someone removed from a project stops seeing its tasks at the next
refresh of their calendar.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec

from workhub.kernel.clock import clock
from workhub.kernel.db import driver_connection
from workhub.tasks.calendar_schemas import Calendar, CalendarItem
from workhub.tasks.queries import TaskQuery
from workhub.tasks.rows import columns_sql, is_overdue, task_from

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.tasks.queries import TaskFilters

__all__ = (
    "CALENDAR_LIMIT",
    "FEED_HISTORY",
    "FEED_LIMIT",
    "MAX_RANGE",
    "FeedTask",
    "calendar_range",
    "feed_tasks",
)

MAX_RANGE = timedelta(days=366)
"""The longest range one calendar request may ask for."""
CALENDAR_LIMIT = 2000
"""Tasks in one calendar answer; more sets ``truncated``."""
FEED_HISTORY = timedelta(days=365)
"""A feed carries deadlines from a year ago on (and every later one)."""
FEED_LIMIT = 5000
"""Events in one feed, earliest deadline first."""


async def calendar_range(
    session: AsyncSession,
    filters: TaskFilters,
    *,
    start: datetime,
    end: datetime,
    user_id: UUID,
    is_admin: bool,
) -> Calendar:
    """Tasks the caller can see with a deadline in ``[start, end)``, earliest first, filtered like the list."""
    wanted = replace(
        filters, deadline_from=start, deadline_to=end, sort="deadline", limit=CALENDAR_LIMIT, cursor=None
    )
    now = clock.now()
    sql, params, _ = TaskQuery().page(
        wanted,
        now=now,
        project_id=None,
        visible_to=None if is_admin else user_id,
        default_sort="deadline",
    )
    rows = await (await driver_connection(session)).fetch(sql, *params)
    items = [
        CalendarItem(
            id=row["id"],
            key=f"{row['project_key']}-{row['number']}",
            title=row["title"],
            deadline=row["deadline"],
            status=row["status"],
            overdue=is_overdue(row["status"], row["overdue"], row["deadline"], now),
            priority=row["priority"],
            assignee_id=row["assignee_id"],
            project_id=row["project_id"],
            project_key=row["project_key"],
        )
        for row in rows[:CALENDAR_LIMIT]
    ]
    return Calendar(items=items, truncated=len(rows) > CALENDAR_LIMIT)


class FeedTask(msgspec.Struct, frozen=True):
    """What an ICS event is made of."""

    id: UUID
    key: str
    title: str
    description: str
    deadline: datetime
    status: str
    overdue: bool
    priority: str
    version: int
    created_at: datetime
    updated_at: datetime


_FEED_COLUMNS = columns_sql(
    "id", "key", "number", "title", "description", "deadline", "status", "overdue", "priority", "version",
    "created_at", "updated_at"
)  # fmt: skip
_FEED_SELECT = (
    f"SELECT {_FEED_COLUMNS}{task_from('$1')}"
    " WHERE t.deleted_at IS NULL AND t.deadline >= $2 AND t.status <> 'cancelled'"
)
_FEED_MINE = " AND pa.role IS NOT NULL AND NOT pa.archived"
"""Every project the user is a member of now (archived ones left out, as in the task list)."""
_FEED_PROJECT = " AND t.project_id = $3 AND (pa.role IS NOT NULL OR $4::boolean)"
"""One project, while the user is a member (or an administrator, who may read any project)."""
_FEED_ASSIGNED = " AND t.assignee_id = $1"
_FEED_ORDER = f" ORDER BY t.deadline, t.id LIMIT {FEED_LIMIT}"


async def feed_tasks(
    session: AsyncSession,
    *,
    user_id: UUID,
    project_id: UUID | None,
    assigned_only: bool,
    is_admin: bool,
) -> list[FeedTask]:
    """The tasks of a feed as its owner may see them now; cancelled and deleted tasks are left out.

    ``project_id`` None: every project the user belongs to; otherwise that
    project, empty once the user may no longer read it.
    """
    now = clock.now()
    params: list[object] = [user_id, now - FEED_HISTORY]
    sql = _FEED_SELECT
    if project_id is None:
        sql += _FEED_MINE
    else:
        sql += _FEED_PROJECT
        params += [project_id, is_admin]
    if assigned_only:
        sql += _FEED_ASSIGNED
    rows = await (await driver_connection(session)).fetch(sql + _FEED_ORDER, *params)
    return [
        FeedTask(
            id=row["id"],
            key=f"{row['project_key']}-{row['number']}",
            title=row["title"],
            description=row["description"],
            deadline=row["deadline"],
            status=row["status"],
            overdue=is_overdue(row["status"], row["overdue"], row["deadline"], now),
            priority=row["priority"],
            version=row["version"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )
        for row in rows
    ]
