"""Routes of task search: administrators' (every project) and members' (their projects)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema
from litestar.params import QueryParameter

from workhub.kernel.db import request_session
from workhub.kernel.extensions import SearchBackend
from workhub.kernel.guards import admin_only
from workhub.kernel.pagination import MAX_LIMIT
from workhub.kernel.security import CurrentUser
from workhub.search.schemas import SearchPage
from workhub.search.services import SearchParams, SearchService

__all__ = ("AdminSearchController", "SearchController")

_MOMENT: dict[str, Any] = {
    "one_of": [
        Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
        Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE),
    ]
}
_PERSON = "'me', a user id, or part of a name or email address"

Q = Annotated[
    str | None,
    QueryParameter(
        max_length=200,
        description="Words to find in the title, description, labels and comments, in any of their "
        'forms (Russian or English); `"a phrase"`, `-word` to leave out, `or`. Left out: filters alone.',
    ),
]
Assignee = Annotated[str | None, QueryParameter(max_length=200, description=f"The assignee: {_PERSON}")]
Creator = Annotated[
    str | None, QueryParameter(max_length=200, description=f"Who created the task: {_PERSON}")
]
Project = Annotated[UUID | None, QueryParameter(description="Only this project")]
Status = Annotated[
    str | None,
    QueryParameter(max_length=100, description="Comma-separated: todo, in_progress, done, cancelled"),
]
DeadlineFrom = Annotated[
    str | None,
    QueryParameter(
        max_length=64,
        description="Deadline at or after this time (UTC if no zone), or from the start of this date "
        "in your time zone",
        schema_extra=_MOMENT,
    ),
]
DeadlineTo = Annotated[
    str | None,
    QueryParameter(
        max_length=64,
        description="Deadline before this time (UTC if no zone), or up to the end of this date "
        "in your time zone",
        schema_extra=_MOMENT,
    ),
]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size (at most 200)")]
Cursor = Annotated[
    str | None, QueryParameter(max_length=200, description="`next_cursor` of the previous page")
]


async def _search(
    request: Request[CurrentUser, Any, Any], backend: SearchBackend, params: SearchParams
) -> SearchPage:
    return await SearchService(request_session(request), backend).search_tasks(request.user, params)


class AdminSearchController(Controller):
    """Full-text task search across every project, for administrators."""

    path = "/api/v1/admin/search"
    tags = ["admin", "search"]
    guards = [admin_only]

    @get("/tasks", operation_id="AdminSearchTasks", summary="Search every project's tasks")
    async def search_tasks(
        self,
        request: Request[CurrentUser, Any, Any],
        search_backend: NamedDependency[SearchBackend],
        q: Q = None,
        assignee: Assignee = None,
        creator: Creator = None,
        project: Project = None,
        status: Status = None,
        deadline_from: DeadlineFrom = None,
        deadline_to: DeadlineTo = None,
        limit: Limit = 20,
        cursor: Cursor = None,
    ) -> SearchPage:
        """Best matches first, each with a highlighted snippet; deleted tasks never appear."""
        params = SearchParams(
            q, assignee, creator, project, status, deadline_from, deadline_to, limit, cursor
        )
        return await _search(request, search_backend, params)


class SearchController(Controller):
    """Full-text task search in the caller's projects."""

    path = "/api/v1/search"
    tags = ["search"]

    @get("/tasks", operation_id="SearchTasks", summary="Search the tasks of my projects")
    async def search_tasks(
        self,
        request: Request[CurrentUser, Any, Any],
        search_backend: NamedDependency[SearchBackend],
        q: Q = None,
        assignee: Assignee = None,
        creator: Creator = None,
        project: Project = None,
        status: Status = None,
        deadline_from: DeadlineFrom = None,
        deadline_to: DeadlineTo = None,
        limit: Limit = 20,
        cursor: Cursor = None,
    ) -> SearchPage:
        """As the administrators' search, limited to the projects the caller is a member of.

        Tasks of other projects count nowhere, not even in ``total``
        (administrators read every project here too).
        """
        params = SearchParams(
            q, assignee, creator, project, status, deadline_from, deadline_to, limit, cursor
        )
        return await _search(request, search_backend, params)
