"""Requests and responses of tasks and comments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

__all__ = (
    "OPEN_STATUSES",
    "POSITION_LIMIT",
    "PRIORITIES",
    "STATUSES",
    "Comment",
    "CommentCreate",
    "CommentPage",
    "CommentUpdate",
    "Priority",
    "ProjectTaskCount",
    "Reminder",
    "ReminderCreate",
    "Status",
    "Task",
    "TaskCounts",
    "TaskCreate",
    "TaskPage",
    "TaskUpdate",
)

Status = Literal["todo", "in_progress", "done", "cancelled"]
Priority = Literal["low", "normal", "high", "urgent"]
STATUSES: tuple[Status, ...] = ("todo", "in_progress", "done", "cancelled")
OPEN_STATUSES: frozenset[str] = frozenset({"todo", "in_progress"})
PRIORITIES: tuple[Priority, ...] = ("low", "normal", "high", "urgent")
"""Lowest first: sorting by ``priority`` ascending starts with ``low``."""

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Description = Annotated[str, msgspec.Meta(max_length=100_000)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
Labels = Annotated[list[Label], msgspec.Meta(max_length=20)]
Deadline = Annotated[datetime, msgspec.Meta(tz=True)]
"""A deadline must say its time zone: ``2026-05-01T18:00:00+03:00``."""
SourceRef = Annotated[str, msgspec.Meta(max_length=500)]
Body = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
POSITION_LIMIT = 1e15
Position = Annotated[float, msgspec.Meta(ge=-POSITION_LIMIT, le=POSITION_LIMIT)]
"""A place in the board's order; bounded so midpoints between neighbours stay exact for long."""


class Task(msgspec.Struct):
    """A task as the API returns it (also the payload of task events).

    ``key`` is the project key and the per-project number (``OPS-42``);
    ``overdue`` is true while the task is open and its deadline has passed.
    ``position`` orders a board column (ascending; new tasks get ``-number``,
    so the newest come first until someone drags them).
    Reads take a task column of each field's name, in this order
    (:data:`~workhub.tasks.rows.TASK_COLUMNS`), and
    :func:`~workhub.tasks.rows.row_to_task` passes them by position: a field
    added or moved here must be added or moved there too (checked at import).
    """

    id: UUID
    project_id: UUID
    number: int
    key: str
    title: str
    description: str
    status: Status
    overdue: bool
    priority: Priority
    labels: list[str]
    assignee_id: UUID | None
    creator_id: UUID | None
    deadline: datetime | None
    completed_at: datetime | None
    source: str
    source_ref: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    position: float


class ProjectTaskCount(msgspec.Struct):
    """How many tasks of one project are open and how many of those are overdue."""

    project_id: UUID
    open: int
    overdue: int


class TaskCounts(msgspec.Struct):
    """Open and overdue tasks of each of the caller's projects that has any."""

    items: list[ProjectTaskCount]


class TaskPage(msgspec.Struct):
    """A page of tasks; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[Task]
    next_cursor: str | None


class TaskCreate(msgspec.Struct):
    """A new task; the assignee must be a member of the project."""

    title: Title
    description: Description = ""
    status: Status = "todo"
    priority: Priority = "normal"
    labels: Labels = []
    assignee_id: UUID | None = None
    deadline: Deadline | None = None


class TaskUpdate(msgspec.Struct, omit_defaults=True):
    """A PATCH: absent fields stay as they are, ``null`` clears assignee or deadline.

    ``version`` is the version the client read; a stale one is a 409
    ``version_conflict`` whose ``current`` is the task as it is now.
    ``position`` (a finite number) places the task in its board column; a
    drag to another column sends ``status`` and ``position`` together.
    """

    version: Annotated[int, msgspec.Meta(ge=1)]
    title: Title | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    status: Status | msgspec.UnsetType = msgspec.UNSET
    priority: Priority | msgspec.UnsetType = msgspec.UNSET
    labels: Labels | msgspec.UnsetType = msgspec.UNSET
    assignee_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    deadline: Deadline | msgspec.UnsetType | None = msgspec.UNSET
    position: Position | msgspec.UnsetType = msgspec.UNSET


class Comment(msgspec.Struct):
    """A comment on a task (markdown); ``edited_at`` is set once its author changed it."""

    id: UUID
    task_id: UUID
    author_id: UUID | None
    body: str
    created_at: datetime
    edited_at: datetime | None


class CommentPage(msgspec.Struct):
    """A page of comments, oldest first."""

    items: list[Comment]
    next_cursor: str | None


class CommentCreate(msgspec.Struct):
    """A new comment."""

    body: Body


class CommentUpdate(msgspec.Struct):
    """The new text of a comment (its author only)."""

    body: Body


class Reminder(msgspec.Struct):
    """A reminder of a task's deadline, for the task's assignee.

    ``origin`` ``user``: planned from the assignee's reminder offsets (change
    them in the profile); ``task``: added on this task. ``kind`` ``offset``
    is ``offset_minutes`` before the deadline, ``absolute`` is at ``at``.
    ``remind_at`` is when it goes out (null while the task has no assignee,
    no deadline for an offset, or is closed); ``sent_at`` once delivered,
    ``skipped_at`` when it was found too late to be worth sending.
    """

    id: UUID
    task_id: UUID
    user_id: UUID | None
    origin: Literal["user", "task"]
    kind: Literal["offset", "absolute"]
    offset_minutes: int | None
    at: datetime | None
    remind_at: datetime | None
    sent_at: datetime | None
    skipped_at: datetime | None
    created_at: datetime


class ReminderCreate(msgspec.Struct, omit_defaults=True):
    """A reminder on a task: either ``at`` (a moment, with its zone) or ``offset_minutes`` before the deadline."""

    at: Deadline | None = None
    offset_minutes: Annotated[int, msgspec.Meta(ge=0, le=60 * 24 * 60)] | None = None
