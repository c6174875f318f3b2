"""Routes of tasks and comments."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.accounts.api import UserService
from workhub.kernel.db import request_session
from workhub.kernel.guards import get_access, pending_access, requires
from workhub.kernel.pagination import MAX_LIMIT
from workhub.kernel.permissions import Action
from workhub.kernel.security import CurrentUser
from workhub.tasks import schemas
from workhub.tasks.filters import ZoneSource, parse_task_filters
from workhub.tasks.queries import TaskFilters, TaskReader
from workhub.tasks.services import CommentService, TaskService

__all__ = ("MOMENT_SCHEMA", "CommentController", "TaskController", "provide_task_filters", "request_zone")

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size (at most 200)")]

SORT_DESCRIPTION = (
    "Order of the list: `number`, `deadline`, `priority` (low → urgent), `updated` or "
    "`position` (the board's order within a column); "
    "a leading `-` reverses it (`-priority`: urgent first). Ties are broken by id. "
    "Tasks without a deadline come last with `deadline` and first with `-deadline`. "
    "Default: `-number` (newest first) in a project, `-updated` across projects. "
    "A cursor belongs to the sort it was made with."
)


MOMENT_SCHEMA: dict[str, Any] = {
    "one_of": [
        Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
        Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE),
    ]
}
"""``schema_extra`` of a query parameter that takes a time or a date alone (see :func:`~workhub.tasks.filters.parse_moment`)."""


def request_zone(request: Request[CurrentUser, Any, Any]) -> ZoneSource:
    """The caller's time zone, read from their profile (one query) if a filter needs it."""

    async def zone() -> str:
        profile = await UserService(session=request_session(request)).find_profile(request.user.id)
        return profile.timezone if profile is not None else "UTC"

    return zone


async def provide_task_filters(
    request: Request[CurrentUser, Any, Any],
    assignee: Annotated[
        str | None, QueryParameter(description="`me`, a user id, or `none` for tasks without an assignee")
    ] = None,
    creator: Annotated[str | None, QueryParameter(description="`me` or a user id")] = None,
    project: Annotated[UUID | None, QueryParameter(description="Only tasks of this project")] = None,
    status: Annotated[
        str | None,
        QueryParameter(
            description="Comma-separated: `todo`, `in_progress`, `done`, `cancelled`, `overdue` "
            "(open tasks past their deadline); several values match any of them"
        ),
    ] = None,
    label: Annotated[
        list[str] | None,
        QueryParameter(description="Repeat or comma-separate; a task must carry every label given"),
    ] = None,
    priority: Annotated[
        str | None, QueryParameter(description="Comma-separated: `low`, `normal`, `high`, `urgent`")
    ] = None,
    deadline_from: Annotated[
        str | None,
        QueryParameter(
            description="Deadline at or after this time (UTC if no zone is given), "
            "or from the start of this date (`2026-12-05`) in your time zone",
            schema_extra=MOMENT_SCHEMA,
        ),
    ] = None,
    deadline_to: Annotated[
        str | None,
        QueryParameter(
            description="Deadline before this time (UTC if no zone is given), "
            "or up to the end of this date (`2026-12-05`, the day included) in your time zone",
            schema_extra=MOMENT_SCHEMA,
        ),
    ] = None,
    q: Annotated[
        str | None,
        QueryParameter(max_length=200, description="Text in the title or description (case-insensitive)"),
    ] = None,
    sort: Annotated[str | None, QueryParameter(description=SORT_DESCRIPTION)] = None,
    limit: Limit = 50,
    cursor: Annotated[str | None, QueryParameter(description="`next_cursor` of the previous page")] = None,
) -> TaskFilters:
    """The list filters shared by the project and cross-project lists (:func:`~workhub.tasks.filters.parse_task_filters`)."""
    return await parse_task_filters(
        request.user.id,
        request_zone(request),
        assignee=assignee,
        creator=creator,
        project=project,
        status=status,
        label=label,
        priority=priority,
        deadline_from=deadline_from,
        deadline_to=deadline_to,
        q=q,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )


class TaskController(Controller):
    """Create, list, read, change, delete and restore tasks."""

    path = "/api/v1"
    tags = ["tasks"]
    dependencies = {"filters": Provide(provide_task_filters)}

    @post(
        "/projects/{project_id:uuid}/tasks",
        operation_id="CreateTask",
        guards=[requires(Action.TASK_CREATE)],
        summary="Create a task",
    )
    async def create_task(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        project_id: FromPath[UUID],
        data: JSONBody[schemas.TaskCreate],
    ) -> schemas.Task:
        """Editors and owners; the assignee must be a member (422 ``assignee_not_member``)."""
        return await TaskService(session=db_session).create_task(project_id, data, request.user.id)

    @get(
        "/projects/{project_id:uuid}/tasks",
        operation_id="ListProjectTasks",
        guards=[requires(Action.TASK_READ, in_statement=True)],
        summary="Tasks of a project",
    )
    async def list_project_tasks(
        self,
        request: Request[CurrentUser, Any, Any],
        project_id: FromPath[UUID],
        filters: NamedDependency[TaskFilters],
    ) -> schemas.TaskPage:
        """Live tasks of the project, filtered and sorted; ``next_cursor`` leads to the next page.

        The page's statement also brings the caller's role, which settles the
        guard's decision (one round trip).
        """
        return await TaskReader(request_session(request)).page_tasks(
            filters,
            user_id=request.user.id,
            project_id=project_id,
            access=pending_access(request.state),
        )

    @get("/tasks", operation_id="ListTasks", summary="Tasks across my projects")
    async def list_tasks(
        self, request: Request[CurrentUser, Any, Any], filters: NamedDependency[TaskFilters]
    ) -> schemas.TaskPage:
        """Tasks of every project the caller is a member of (administrators: every project).

        Archived projects are left out unless ``project`` names one.
        """
        user = request.user
        return await TaskReader(request_session(request)).page_tasks(
            filters, user_id=user.id, is_admin=user.is_admin
        )

    @get("/tasks/counts", operation_id="CountTasks", summary="Open and overdue tasks per project")
    async def count_tasks(self, request: Request[CurrentUser, Any, Any]) -> schemas.TaskCounts:
        """For each project the caller is a member of that has open tasks: how many, and how many are overdue."""
        return await TaskReader(request_session(request)).counts(request.user.id)

    @get(
        "/tasks/{task_id:uuid}",
        operation_id="GetTask",
        guards=[requires(Action.TASK_READ, scope="task", in_statement=True)],
        summary="A task",
    )
    async def get_task(
        self, request: Request[CurrentUser, Any, Any], task_id: FromPath[UUID]
    ) -> schemas.Task:
        """404 for callers outside the project and for deleted tasks.

        The task's row also brings the caller's role, which settles the
        guard's decision (one round trip).
        """
        return await TaskReader(request_session(request)).read_task(task_id, pending_access(request.state))

    @patch(
        "/tasks/{task_id:uuid}",
        operation_id="UpdateTask",
        guards=[requires(Action.TASK_UPDATE, scope="task")],
        summary="Change a task",
    )
    async def update_task(
        self,
        db_session: NamedDependency[AsyncSession],
        task_id: FromPath[UUID],
        data: JSONBody[schemas.TaskUpdate],
    ) -> schemas.Task:
        """Send the ``version`` you read; a stale one is a 409 ``version_conflict`` with ``current``."""
        return await TaskService(session=db_session).update_task(task_id, data)

    @delete(
        "/tasks/{task_id:uuid}",
        operation_id="DeleteTask",
        guards=[requires(Action.TASK_DELETE, scope="task")],
        summary="Delete a task",
    )
    async def delete_task(self, db_session: NamedDependency[AsyncSession], task_id: FromPath[UUID]) -> None:
        """Editors and owners; the task goes to the trash and an owner can restore it for 30 days."""
        await TaskService(session=db_session).delete_task(task_id)

    @post(
        "/tasks/{task_id:uuid}/restore",
        operation_id="RestoreTask",
        guards=[requires(Action.TASK_RESTORE, scope="task_restorable", param="task_id")],
        status_code=HTTP_200_OK,
        summary="Restore a deleted task",
    )
    async def restore_task(
        self, db_session: NamedDependency[AsyncSession], task_id: FromPath[UUID]
    ) -> schemas.Task:
        """Owners, within 30 days of the deletion (then 409 ``restore_expired``)."""
        return await TaskService(session=db_session).restore_task(task_id)


class CommentController(Controller):
    """Comments on tasks."""

    path = "/api/v1"
    tags = ["comments"]

    @get(
        "/tasks/{task_id:uuid}/comments",
        operation_id="ListComments",
        guards=[requires(Action.TASK_READ, scope="task")],
        summary="Comments of a task",
    )
    async def list_comments(
        self,
        db_session: NamedDependency[AsyncSession],
        task_id: FromPath[UUID],
        limit: Limit = 50,
        cursor: Annotated[
            str | None, QueryParameter(description="`next_cursor` of the previous page")
        ] = None,
    ) -> schemas.CommentPage:
        """Oldest first."""
        return await CommentService(session=db_session).page_comments(task_id, limit=limit, cursor=cursor)

    @post(
        "/tasks/{task_id:uuid}/comments",
        operation_id="CreateComment",
        guards=[requires(Action.COMMENT_CREATE, scope="task")],
        summary="Comment on a task",
    )
    async def create_comment(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        task_id: FromPath[UUID],
        data: JSONBody[schemas.CommentCreate],
    ) -> schemas.Comment:
        """Editors and owners (viewers read only)."""
        return await CommentService(session=db_session).add_comment(task_id, request.user.id, data.body)

    @patch(
        "/comments/{comment_id:uuid}",
        operation_id="UpdateComment",
        guards=[requires(Action.COMMENT_CREATE, scope="comment")],
        summary="Edit a comment",
    )
    async def update_comment(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        comment_id: FromPath[UUID],
        data: JSONBody[schemas.CommentUpdate],
    ) -> schemas.Comment:
        """Its author only (403 for anyone else)."""
        return await CommentService(session=db_session).edit_comment(comment_id, request.user.id, data.body)

    @delete(
        "/comments/{comment_id:uuid}",
        operation_id="DeleteComment",
        guards=[requires(Action.COMMENT_CREATE, scope="comment")],
        summary="Delete a comment",
    )
    async def delete_comment(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        comment_id: FromPath[UUID],
    ) -> None:
        """Its author, or a project owner (``comment.delete_any``)."""
        access = get_access(request.state)
        await CommentService(session=db_session).remove_comment(
            comment_id, request.user.id, may_delete_any=access.may(Action.COMMENT_DELETE_ANY)
        )
