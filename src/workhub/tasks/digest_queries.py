"""What a user's daily digest reports, read from the tasks tables.

The notifications module builds and sends the digest; what is overdue, due
or newly assigned, and how an owner's projects are doing, is the tasks
module's knowledge, so it is answered here in two plain statements on the
session's connection (the projects module's access relation supplies keys,
roles and the archived flag). Only projects the user is still a member of,
and that are not archived, count.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec

from workhub.kernel.db import driver_connection
from workhub.projects.api import project_access_sql
from workhub.tasks.rows import OPEN_SQL, columns_sql, is_overdue, overdue_sql, task_from

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("DigestItem", "DigestSections", "DigestWindow", "ProjectDigest", "digest_sections")

MAX_ROWS = 500
"""A user's own tasks read for one digest; beyond that, the oldest deadlines are reported."""

_MINE_SQL = (
    f"SELECT {columns_sql('id', 'project_id', 'key', 'number', 'title', 'deadline', 'status', 'overdue')},"
    f" t.assigned_at{task_from('$1')}"
    " WHERE t.assignee_id = $1 AND t.deleted_at IS NULL AND pa.role IS NOT NULL AND NOT pa.archived"
    f" AND {OPEN_SQL}"
    " AND (t.deadline < $2 OR t.overdue OR t.assigned_at >= $3)"
    " ORDER BY t.deadline ASC NULLS LAST, t.number ASC"
    f" LIMIT {MAX_ROWS}"
)
"""The user's open tasks that are overdue, due before the end of the window, or newly assigned."""

_OWNED_SQL = (
    "SELECT pa.project_id, pa.project_key,"
    " count(*) FILTER (WHERE t.status = 'done' AND t.completed_at >= $2),"
    f" count(*) FILTER (WHERE {overdue_sql('$3')})"
    f" FROM {project_access_sql('$1')} AS pa"
    " JOIN task AS t ON t.project_id = pa.project_id AND t.deleted_at IS NULL"
    " WHERE pa.role = 'owner' AND NOT pa.archived"
    " AND ((t.status = 'done' AND t.completed_at >= $2)"
    f" OR {overdue_sql('$3')})"
    " GROUP BY pa.project_id, pa.project_key"
    " ORDER BY pa.project_key"
)
"""Per project the user owns: tasks completed since the last digest, open tasks overdue now."""


class DigestWindow(msgspec.Struct, frozen=True):
    """The moments a digest is worked out for, in UTC.

    ``day_end`` is the start of the user's local tomorrow, ``week_end`` the
    start of the local day eight days from today (so "the next 7 days" are
    whole local days), ``since`` the previous digest (or a day ago).
    """

    now: datetime
    day_end: datetime
    week_end: datetime
    since: datetime


class DigestItem(msgspec.Struct, frozen=True):
    """A task in a digest list."""

    id: UUID
    project_id: UUID
    key: str
    title: str
    deadline: datetime | None


class ProjectDigest(msgspec.Struct, frozen=True):
    """How a project the user owns is doing."""

    project_id: UUID
    key: str
    completed: int
    """Tasks done since the last digest."""
    overdue: int
    """Open tasks past their deadline now."""


class DigestSections(msgspec.Struct, frozen=True):
    """Everything one digest reports; each task appears in one list only (the first that fits)."""

    overdue: list[DigestItem]
    due_today: list[DigestItem]
    due_soon: list[DigestItem]
    """Due after today, within the next 7 days."""
    assigned: list[DigestItem]
    """Newly assigned since the last digest and not in a list above."""
    owned_projects: list[ProjectDigest]
    """Only the owner's projects with something to report."""

    @property
    def empty(self) -> bool:
        """Nothing worth a notification."""
        return not (self.overdue or self.due_today or self.due_soon or self.assigned or self.owned_projects)


async def digest_sections(session: AsyncSession, user_id: UUID, window: DigestWindow) -> DigestSections:
    """The digest of ``user_id`` for ``window``, in two statements."""
    connection = await driver_connection(session)
    rows = await connection.fetch(_MINE_SQL, user_id, window.week_end, window.since)
    overdue: list[DigestItem] = []
    due_today: list[DigestItem] = []
    due_soon: list[DigestItem] = []
    assigned: list[DigestItem] = []
    for id_, project_id, key, number, title, deadline, status, flagged, assigned_at in rows:
        item = DigestItem(
            id=id_, project_id=project_id, key=f"{key}-{number}", title=title, deadline=deadline
        )
        if is_overdue(status, flagged, deadline, window.now):
            overdue.append(item)
        elif deadline is not None and deadline < window.day_end:
            due_today.append(item)
        elif deadline is not None and deadline < window.week_end:
            due_soon.append(item)
        elif assigned_at is not None and assigned_at >= window.since:
            assigned.append(item)
    owned = [
        ProjectDigest(project_id=row[0], key=row[1], completed=row[2], overdue=row[3])
        for row in await connection.fetch(_OWNED_SQL, user_id, window.since, window.now)
    ]
    return DigestSections(
        overdue=overdue, due_today=due_today, due_soon=due_soon, assigned=assigned, owned_projects=owned
    )
