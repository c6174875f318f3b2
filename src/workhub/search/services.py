"""Task search for a caller: their query parsed, limited to what they may see, answered as tasks.

The backend (``registry.search_backend``: PostgreSQL unless a plugin set
another) finds task ids; the hits are read back here as live tasks of the
caller's projects, so a backend that lags behind a deletion or a removal
from a project still shows nothing it should not.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

from workhub.accounts.api import UserService
from workhub.kernel.clock import clock
from workhub.kernel.db import driver_connection
from workhub.kernel.errors import FieldError, ValidationFailed
from workhub.kernel.extensions import SearchBackend, SearchQuery
from workhub.kernel.pagination import decode_cursor, encode_cursor
from workhub.projects.api import member_projects_sql
from workhub.search.schemas import SearchItem, SearchPage
from workhub.tasks import schemas as task_schemas
from workhub.tasks.api import COLUMNS_SQL, ZoneSource, parse_task_filters, row_to_task, task_from

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.kernel.security import CurrentUser

__all__ = ("MAX_OFFSET", "SearchParams", "SearchService")

MAX_OFFSET = 10_000
"""How deep results may be paged (as Elasticsearch's default window): past it, narrow the search."""
PEOPLE_PER_TEXT = 200
"""How many accounts a person filter given as text may stand for."""

_CURSOR_KIND = "search"
_MEMBER_PROJECTS = f"SELECT project_id FROM {member_projects_sql('$1')} AS m"
_LIVE_TASKS = f"SELECT {COLUMNS_SQL}{task_from()} WHERE t.id = ANY($1::uuid[]) AND t.deleted_at IS NULL"
_LIVE_TASKS_IN = f"{_LIVE_TASKS} AND t.project_id = ANY($2::uuid[])"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class SearchParams:
    """The query parameters of a search route, as sent (None when left out)."""

    q: str | None = None
    assignee: str | None = None
    creator: str | None = None
    project: UUID | None = None
    status: str | None = None
    deadline_from: str | None = None
    deadline_to: str | None = None
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True)
class _Person:
    ids: list[UUID] | None = None
    text: str | None = None


def _person(name: str, value: str | None, me: UUID, errors: list[FieldError]) -> _Person:
    """``me``, a user id, or some text of a name or an email address."""
    if value is None:
        return _Person()
    text = value.strip()
    if not text or _CONTROL.search(text):
        errors.append(FieldError(field=name, message="Expected 'me', a user id, or part of a name or email."))
        return _Person()
    if text.lower() == "me":
        return _Person(ids=[me])
    try:
        return _Person(ids=[UUID(text)])
    except ValueError:
        return _Person(text=text)


def _statuses(value: str | None, errors: list[FieldError]) -> list[str] | None:
    if value is None:
        return None
    picked = sorted({part.strip() for part in value.split(",") if part.strip()})
    unknown = [s for s in picked if s not in task_schemas.STATUSES]
    if unknown or not picked:
        errors.append(
            FieldError(field="status", message=f"Use one or more of {', '.join(task_schemas.STATUSES)}.")
        )
    return picked


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    kind, offset = decode_cursor(cursor, 2)
    if kind != _CURSOR_KIND or not isinstance(offset, int) or isinstance(offset, bool):
        raise ValidationFailed.field("cursor", "The cursor is not valid.", code="invalid_cursor")
    if not 0 < offset <= MAX_OFFSET:
        raise ValidationFailed.field("cursor", "The cursor is not valid.", code="invalid_cursor")
    return offset


class SearchService:
    """Searches tasks for one request."""

    def __init__(self, session: AsyncSession, backend: SearchBackend) -> None:
        self.session = session
        self.backend = backend

    async def search_tasks(self, user: CurrentUser, params: SearchParams) -> SearchPage:
        """Tasks matching ``params`` in every project ``user`` may read (administrators: all); 422 for bad input."""
        query = await self._query(user, params)
        if query is None:
            return SearchPage(items=[], total=0)
        results = await self.backend.search(query)
        tasks = await self._live_tasks([hit.task_id for hit in results.hits], query.project_ids)
        items = [
            SearchItem(
                task=tasks[hit.task_id],
                highlight=hit.highlight or html.escape(tasks[hit.task_id].title, quote=False),
            )
            for hit in results.hits
            if hit.task_id in tasks
        ]
        end = query.offset + len(results.hits)
        more = len(results.hits) == query.limit and end < results.total and end <= MAX_OFFSET
        return SearchPage(
            items=items,
            total=results.total,
            next_cursor=encode_cursor(_CURSOR_KIND, end) if more else None,
        )

    async def _query(self, user: CurrentUser, params: SearchParams) -> SearchQuery | None:
        """The backend's query; None when it can match nothing (a person no account fits)."""
        errors: list[FieldError] = []
        text = params.q.strip() if params.q else None
        if text and _CONTROL.search(text):
            errors.append(FieldError(field="q", message="The search text must not hold control characters."))
        assignee = _person("assignee", params.assignee, user.id, errors)
        creator = _person("creator", params.creator, user.id, errors)
        statuses = _statuses(params.status, errors)
        deadline_from = deadline_to = None
        try:
            dates = await parse_task_filters(
                user.id,
                self._zone(user.id),
                deadline_from=params.deadline_from,
                deadline_to=params.deadline_to,
            )
            deadline_from, deadline_to = dates.deadline_from, dates.deadline_to
        except ValidationFailed as exc:
            errors.extend(exc.errors or [])
        if errors:
            raise ValidationFailed("Some query parameters are not valid.", errors=errors)
        offset = _offset(params.cursor)
        assignee_ids = await self._people(assignee)
        creator_ids = await self._people(creator)
        projects = await self._projects(user, params.project)
        if assignee_ids == [] or creator_ids == [] or projects == []:
            return None
        return SearchQuery(
            text=text or None,
            project_ids=projects,
            assignee_ids=assignee_ids,
            creator_ids=creator_ids,
            statuses=statuses,
            deadline_from=deadline_from,
            deadline_to=deadline_to,
            limit=params.limit,
            offset=offset,
        )

    def _zone(self, user_id: UUID) -> ZoneSource:
        async def zone() -> str:
            profile = await UserService(session=self.session).find_profile(user_id)
            return profile.timezone if profile is not None else "UTC"

        return zone

    async def _people(self, person: _Person) -> list[UUID] | None:
        """The accounts a person filter stands for (None: no filter)."""
        if person.text is None:
            return person.ids
        page = await UserService(session=self.session).page(
            q=person.text, role=None, active=None, limit=PEOPLE_PER_TEXT, cursor=None
        )
        return [u.id for u in page.items]

    async def _projects(self, user: CurrentUser, project: UUID | None) -> list[UUID] | None:
        """The projects to search (None: every project); an administrator reads every project."""
        if user.is_admin:
            return None if project is None else [project]
        connection = await driver_connection(self.session)
        mine = [row[0] for row in await connection.fetch(_MEMBER_PROJECTS, user.id)]
        if project is None:
            return mine
        return [project] if project in mine else []

    async def _live_tasks(
        self, task_ids: list[UUID], projects: list[UUID] | None
    ) -> dict[UUID, task_schemas.Task]:
        if not task_ids:
            return {}
        connection = await driver_connection(self.session)
        if projects is None:
            rows = await connection.fetch(_LIVE_TASKS, task_ids)
        else:
            rows = await connection.fetch(_LIVE_TASKS_IN, task_ids, projects)
        now = clock.now()
        tasks = (row_to_task(row, now) for row in rows)
        return {task.id: task for task in tasks}
