"""Routes of tasks and comments."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.accounts.services import UserService
from workhub.kernel.db import request_session
from workhub.kernel.errors import FieldError, ValidationFailed
from workhub.kernel.guards import get_access, pending_access, requires
from workhub.kernel.pagination import MAX_LIMIT
from workhub.kernel.permissions import Action
from workhub.kernel.security import CurrentUser
from workhub.tasks import schemas
from workhub.tasks.queries import SORT_FIELDS, TaskFilters, TaskReader
from workhub.tasks.services import CommentService, TaskService

__all__ = (
    "MOMENT_SCHEMA",
    "CommentController",
    "TaskController",
    "parse_moment",
    "provide_task_filters",
    "resolve_moments",
)

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size (at most 200)")]
_SORTS = frozenset(SORT_FIELDS) | {f"-{name}" for name in SORT_FIELDS}
_STATUS_FILTERS = (*schemas.STATUSES, "overdue")

SORT_DESCRIPTION = (
    "Order of the list: `number`, `deadline`, `priority` (low → urgent), `updated` or "
    "`position` (the board's order within a column); "
    "a leading `-` reverses it (`-priority`: urgent first). Ties are broken by id. "
    "Tasks without a deadline come last with `deadline` and first with `-deadline`. "
    "Default: `-number` (newest first) in a project, `-updated` across projects. "
    "A cursor belongs to the sort it was made with."
)


def _user_ref(
    name: str, value: str | None, me: UUID, errors: list[FieldError], *, allow_none: bool
) -> tuple[UUID | None, bool]:
    """``me``, a user id, or (when allowed) ``none``; returns the id and whether ``none`` was asked."""
    if value is None:
        return None, False
    text = value.strip().lower()
    if text == "me":
        return me, False
    if allow_none and text == "none":
        return None, True
    try:
        return UUID(text), False
    except ValueError:
        choices = "'me', 'none' or a user id" if allow_none else "'me' or a user id"
        errors.append(FieldError(field=name, message=f"Expected {choices}."))
        return None, False


def _choices(name: str, value: str | None, allowed: tuple[str, ...], errors: list[FieldError]) -> set[str]:
    """Comma-separated values, each one of ``allowed``."""
    if value is None:
        return set()
    picked = {part.strip() for part in value.split(",") if part.strip()}
    unknown = sorted(picked - set(allowed))
    if unknown or not picked:
        errors.append(
            FieldError(
                field=name, message=f"Unknown value(s) {', '.join(unknown)}; use {', '.join(allowed)}."
            )
        )
    return picked


_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
MOMENT_SCHEMA: dict[str, Any] = {
    "one_of": [
        Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
        Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE),
    ]
}
"""``schema_extra`` of a query parameter that takes a time or a date alone (see :func:`parse_moment`)."""
_MOMENT_FORMS = "Expected a time (2026-12-05T18:00:00+03:00) or a date (2026-12-05)."


def parse_moment(name: str, raw: str | None, errors: list[FieldError]) -> datetime | date | None:
    """A bound of a time filter: an ISO 8601 time (UTC if no zone is given) or a date alone.

    A date is left as it is: which instant it means depends on the caller's
    time zone and on the side of the range (:func:`resolve_moments`).
    Anything else adds an error naming ``name``, the parameter the caller sent.
    """
    if raw is None:
        return None
    text = raw.strip()
    try:
        if _DATE_ONLY.fullmatch(text):
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(field=name, message=_MOMENT_FORMS))
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def resolve_moments(
    request: Request[Any, Any, Any], start: datetime | date | None, end: datetime | date | None
) -> tuple[datetime | None, datetime | None]:
    """``[start, end)`` as times; a date alone is a whole day in the caller's time zone.

    As a lower bound a date is the midnight that starts it; as an upper
    (exclusive) bound, the midnight that ends it, so the day is included.
    The zone is looked up only when a date needs it (a job's caller carries
    it; a request's is read from the profile, one query).
    """
    if isinstance(start, datetime | None) and isinstance(end, datetime | None):
        return start, end
    name: str | None = getattr(request.user, "timezone", None)
    if name is None:
        profile = await UserService(session=request_session(request)).find_profile(request.user.id)
        name = profile.timezone if profile is not None else "UTC"
    zone = ZoneInfo(name)

    def edge(value: datetime | date | None, *, after: bool) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        day = value + timedelta(days=1) if after else value
        return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)

    return edge(start, after=False), edge(end, after=True)


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
    """Parse the list filters shared by the project and cross-project lists; all bad ones in one 422."""
    errors: list[FieldError] = []
    me = request.user.id
    assignee_id, unassigned = _user_ref("assignee", assignee, me, errors, allow_none=True)
    creator_id, _ = _user_ref("creator", creator, me, errors, allow_none=False)
    statuses = _choices("status", status, _STATUS_FILTERS, errors)
    priorities = _choices("priority", priority, schemas.PRIORITIES, errors)
    labels = tuple(dict.fromkeys(p.strip() for raw in label or [] for p in raw.split(",") if p.strip()))
    if any(len(name) > 50 for name in labels):
        errors.append(FieldError(field="label", message="A label has at most 50 characters."))
    if sort is not None and sort not in _SORTS:
        errors.append(FieldError(field="sort", message=f"Use one of {', '.join(sorted(_SORTS))}."))
    start, end = await resolve_moments(
        request,
        parse_moment("deadline_from", deadline_from, errors),
        parse_moment("deadline_to", deadline_to, errors),
    )
    if start is not None and end is not None and start > end:
        errors.append(FieldError(field="deadline_to", message="deadline_to is before deadline_from."))
    text = q.strip() if q else None
    if errors:
        raise ValidationFailed("Some query parameters are not valid.", errors=errors)
    return TaskFilters(
        project_id=project,
        assignee_id=assignee_id,
        unassigned=unassigned,
        creator_id=creator_id,
        statuses=frozenset(statuses - {"overdue"}),
        overdue="overdue" in statuses,
        labels=labels,
        priorities=frozenset(priorities),
        deadline_from=start,
        deadline_to=end,
        q=text or None,
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
