"""Reading tasks: lists and single tasks as plain SQL on the session's asyncpg connection.

Listing tasks is the hottest path of the API, so it skips the ORM and the
repository: one statement per page (the project key joined in from the
projects module's :func:`~workhub.projects.services.project_access_sql`
relation, never from its tables), the task row's columns and the meaning
of "overdue" taken from :mod:`workhub.tasks.rows`, parameters bound by
asyncpg, rows unpacked straight into :class:`~workhub.tasks.schemas.Task`
Structs (:func:`~workhub.tasks.rows.row_to_task`). Outside a write transaction no
``BEGIN``/``COMMIT`` is sent either, so a read is one round trip. The
statement text depends only on which filters are set, so asyncpg's statement
cache prepares each shape once per connection. Writes go through
:class:`~workhub.tasks.services.TaskService`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from uuid import UUID

from workhub.kernel.clock import clock
from workhub.kernel.db import driver_connection
from workhub.kernel.errors import NotFound, ValidationFailed
from workhub.kernel.guards import Access
from workhub.kernel.pagination import decode_cursor, encode_cursor
from workhub.projects.api import member_projects_sql
from workhub.tasks import schemas
from workhub.tasks.rows import COLUMNS_SQL, OPEN_SQL, TASK_COLUMNS, overdue_sql, row_to_task, task_from

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.kernel.guards import PendingAccess

__all__ = (
    "SORT_FIELDS",
    "TaskFilters",
    "TaskQuery",
    "TaskReader",
    "decode_task_cursor",
    "encode_task_cursor",
)

SORT_FIELDS = ("number", "deadline", "priority", "updated", "position")
PRIORITY_RANK = {name: rank for rank, name in enumerate(schemas.PRIORITIES)}
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)
"""Tasks without a deadline sort after every dated one (ascending)."""

_SORT_SQL = {
    "number": "t.number",
    "deadline": "COALESCE(t.deadline, '9999-12-31T00:00:00+00:00'::timestamptz)",
    "priority": "CASE t.priority "
    + " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in PRIORITY_RANK.items())
    + f" ELSE {len(PRIORITY_RANK)} END",
    "updated": "t.updated_at",
    "position": "t.position",
}
_SELECT = f"SELECT {COLUMNS_SQL}{task_from()}"
"""Tasks (:data:`~workhub.tasks.rows.TASK_COLUMNS`) with their project's key, from the projects module's
access relation."""
_ARCHIVED, _ROLE = len(TASK_COLUMNS), len(TASK_COLUMNS) + 1
"""Where :func:`_gated_select` puts the access columns, after the task's."""


_COUNTS_SQL = (
    f"SELECT t.project_id, count(*), count(*) FILTER (WHERE {overdue_sql('$2')})"
    f" FROM task AS t WHERE t.deleted_at IS NULL AND {OPEN_SQL}"
    f" AND t.project_id IN {member_projects_sql('$1')} GROUP BY t.project_id"
)
"""Open and overdue (at ``$2``) tasks per project of the user ``$1``."""


@lru_cache(maxsize=8)
def _gated_select(user: str) -> str:
    """:data:`_SELECT` plus the project's archived flag and the role of the user at placeholder ``user``."""
    return f"SELECT {COLUMNS_SQL}, pa.archived, pa.role{task_from(user)}"


@dataclass(frozen=True)
class TaskFilters:
    """What a task list is narrowed to and ordered by; every field optional.

    ``statuses`` and ``overdue`` combine with OR (``status=todo,overdue``);
    every other filter narrows further. ``labels`` must all be present.
    """

    project_id: UUID | None = None
    assignee_id: UUID | None = None
    unassigned: bool = False
    creator_id: UUID | None = None
    statuses: frozenset[str] = frozenset()
    overdue: bool = False
    labels: tuple[str, ...] = ()
    priorities: frozenset[str] = frozenset()
    deadline_from: datetime | None = None
    deadline_to: datetime | None = None
    q: str | None = None
    sort: str | None = None
    """A name from :data:`SORT_FIELDS`, ``-`` in front for descending; None for the list's default."""
    limit: int = 50
    cursor: str | None = None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _invalid_cursor(message: str = "The cursor does not belong to this sort order.") -> ValidationFailed:
    return ValidationFailed.field("cursor", message, code="invalid_cursor")


class TaskQuery:
    """Builds one SELECT of tasks with numbered asyncpg parameters."""

    def __init__(self) -> None:
        self.where: list[str] = ["t.deleted_at IS NULL"]
        self.params: list[Any] = []

    def bind(self, value: Any) -> str:
        """A placeholder for ``value``."""
        self.params.append(value)
        return f"${len(self.params)}"

    def one(self, task_id: UUID, access_of: UUID | None = None) -> tuple[str, list[Any]]:
        """The statement for one live task (with ``access_of``'s role, as in :meth:`page`)."""
        select = _SELECT if access_of is None else _gated_select(self.bind(access_of))
        self.where.append(f"t.id = {self.bind(task_id)}")
        return f"{select} WHERE {' AND '.join(self.where)}", self.params

    def page(
        self,
        filters: TaskFilters,
        *,
        now: datetime,
        project_id: UUID | None,
        visible_to: UUID | None,
        default_sort: str,
        access_of: UUID | None = None,
    ) -> tuple[str, list[Any], str]:
        """The statement for one page (``limit + 1`` rows) and the sort field it uses.

        ``project_id`` scopes to one project; otherwise ``visible_to`` (a user
        id, None for administrators) keeps the caller's projects, and archived
        projects are left out unless ``filters.project_id`` names one.
        ``access_of`` (a user id) adds the project's archived flag and that
        user's role to every row (:data:`_ARCHIVED`, :data:`_ROLE`).
        """
        select = _SELECT if access_of is None else _gated_select(self.bind(access_of))
        w = self.where
        if project_id is not None:
            w.append(f"t.project_id = {self.bind(project_id)}")
        else:
            if visible_to is not None:
                w.append(f"t.project_id IN {member_projects_sql(self.bind(visible_to))}")
            if filters.project_id is None:
                w.append("NOT pa.archived")
        self._filters(filters, now)
        sort = filters.sort or default_sort
        descending = sort.startswith("-")
        name = sort.lstrip("-")
        key = _SORT_SQL[name]
        if filters.cursor:
            value, last_id = decode_task_cursor(filters.cursor, name)
            op = "<" if descending else ">"
            w.append(f"({key}, t.id) {op} ({self.bind(value)}, {self.bind(last_id)})")
        direction = "DESC" if descending else "ASC"
        sql = (
            f"{select} WHERE {' AND '.join(w)}"
            f" ORDER BY {key} {direction}, t.id {direction} LIMIT {self.bind(filters.limit + 1)}"
        )
        return sql, self.params, name

    def _filters(self, f: TaskFilters, now: datetime) -> None:
        w = self.where
        if f.project_id is not None:
            w.append(f"t.project_id = {self.bind(f.project_id)}")
        if f.unassigned:
            w.append("t.assignee_id IS NULL")
        elif f.assignee_id is not None:
            w.append(f"t.assignee_id = {self.bind(f.assignee_id)}")
        if f.creator_id is not None:
            w.append(f"t.creator_id = {self.bind(f.creator_id)}")
        if f.statuses or f.overdue:
            wanted: list[str] = []
            if f.statuses:
                wanted.append(f"t.status = ANY({self.bind(sorted(f.statuses))}::varchar[])")
            if f.overdue:
                # Written so that the arm not flagged has the predicate of the partial ix_task_open_deadline.
                wanted.append(overdue_sql(self.bind(now), indexed=True))
            w.append(f"({' OR '.join(wanted)})")
        if f.labels:
            w.append(f"t.labels @> {self.bind(list(f.labels))}::varchar[]")
        if f.priorities:
            w.append(f"t.priority = ANY({self.bind(sorted(f.priorities))}::varchar[])")
        if f.deadline_from is not None:
            w.append(f"t.deadline >= {self.bind(f.deadline_from)}")
        if f.deadline_to is not None:
            w.append(f"t.deadline < {self.bind(f.deadline_to)}")
        if f.q:
            pattern = self.bind(f"%{_escape_like(f.q)}%")
            w.append(f"(t.title ILIKE {pattern} OR t.description ILIKE {pattern})")


def encode_task_cursor(task: schemas.Task, sort: str) -> str:
    """The cursor after ``task`` in a list ordered by ``sort`` (a name from :data:`SORT_FIELDS`)."""
    value: Any
    if sort == "number":
        value = task.number
    elif sort == "priority":
        value = PRIORITY_RANK[task.priority]
    elif sort == "deadline":
        value = (task.deadline or NO_DEADLINE).isoformat()
    elif sort == "position":
        value = task.position  # JSON keeps a float exactly (shortest round-trip form)
    else:
        value = task.updated_at.isoformat()
    return encode_cursor(sort, value, str(task.id))


def decode_task_cursor(cursor: str, sort: str) -> tuple[Any, UUID]:
    """The sort value and id of the last task seen; a cursor of another sort is a 422."""
    name, value, last_id = decode_cursor(cursor, 3)
    if name != sort:
        raise _invalid_cursor()
    try:
        uuid = UUID(str(last_id))
        if sort in ("number", "priority"):
            if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**31:
                raise _invalid_cursor()
            return value, uuid
        if sort == "position":
            if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
                raise _invalid_cursor()
            return float(value), uuid
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise _invalid_cursor() from exc
    if moment.tzinfo is None:
        raise _invalid_cursor()
    return moment, uuid


class TaskReader:
    """Reads live tasks for a request; a plain object, cheap to make per request."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def read_task(self, task_id: UUID, access: PendingAccess | None = None) -> schemas.Task:
        """One live task (404 when absent or deleted).

        ``access`` (the route guard's pending decision) is settled from the
        row, which carries the caller's role; a missing row asks the guard's
        statement, which answers 404 as the guard would.
        """
        sql, params = TaskQuery().one(task_id, access_of=access.user.id if access is not None else None)
        row = await (await driver_connection(self.session)).fetchrow(sql, *params)
        if access is not None:
            if row is None:
                await access.resolve(self.session)
            else:
                access.settle(Access(project_id=row[1], role=row[_ROLE], archived=row[_ARCHIVED]))
        if row is None:
            raise NotFound
        return row_to_task(row, clock.now())

    async def counts(self, user_id: UUID) -> schemas.TaskCounts:
        """Open and overdue tasks per project the user is a member of (one grouped statement)."""
        rows = await (await driver_connection(self.session)).fetch(_COUNTS_SQL, user_id, clock.now())
        return schemas.TaskCounts(
            items=[schemas.ProjectTaskCount(project_id=r[0], open=r[1], overdue=r[2]) for r in rows]
        )

    async def page_tasks(
        self,
        filters: TaskFilters,
        *,
        user_id: UUID,
        project_id: UUID | None = None,
        is_admin: bool = False,
        access: PendingAccess | None = None,
    ) -> schemas.TaskPage:
        """A page of live tasks in ``project_id``, or across every project the caller may see.

        Across projects, members see their projects and administrators every
        project; archived projects are left out unless ``filters.project_id``
        names one. In a project, ``access`` (the route guard's pending
        decision) is settled from the page's own rows, which carry the
        caller's role; only an empty page asks the guard's statement.
        """
        now = clock.now()
        sql, params, sort = TaskQuery().page(
            filters,
            now=now,
            project_id=project_id,
            visible_to=None if is_admin else user_id,
            default_sort="-number" if project_id is not None else "-updated",
            access_of=user_id if access is not None and project_id is not None else None,
        )
        rows = await (await driver_connection(self.session)).fetch(sql, *params)
        if access is not None and project_id is not None:
            if rows:
                first = rows[0]
                access.settle(Access(project_id=project_id, role=first[_ROLE], archived=first[_ARCHIVED]))
            else:
                await access.resolve(self.session)
        limit = filters.limit
        items = [row_to_task(row, now) for row in rows[:limit]]
        next_cursor = encode_task_cursor(items[-1], sort) if len(rows) > limit and items else None
        return schemas.TaskPage(items=items, next_cursor=next_cursor)
