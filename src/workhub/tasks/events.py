"""Events the tasks module publishes.

Every event is recorded against the task (``entity_type`` ``task``, the
task's id), comment events included, so a task's history reads as one thread:
creation, each change with its before and after, comments, deletion. Task
events carry the task's new ``version`` and the task as the REST API returns
it, so a subscriber (the realtime bridge, search indexers) needs no read.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from workhub.kernel.events import DomainEvent
from workhub.tasks.schemas import Comment, Task

__all__ = (
    "CommentCreated",
    "CommentDeleted",
    "CommentUpdated",
    "TaskCreated",
    "TaskDeleted",
    "TaskOverdue",
    "TaskRestored",
    "TaskUpdated",
)


class _TaskEvent(DomainEvent, frozen=True, kw_only=True):
    entity_type: ClassVar[str] = "task"
    version: int
    task: Task


class TaskCreated(_TaskEvent, frozen=True, kw_only=True, tag="task.created"):
    """A task exists (from the dashboard, an integration or the demo seed)."""


class TaskUpdated(_TaskEvent, frozen=True, kw_only=True, tag="task.updated"):
    """Fields of a task changed; ``changes`` has each one's before and after."""


class TaskDeleted(_TaskEvent, frozen=True, kw_only=True, tag="task.deleted"):
    """The task was moved to the trash; an owner can restore it for 30 days."""


class TaskOverdue(_TaskEvent, frozen=True, kw_only=True, tag="task.overdue"):
    """An open task's deadline passed; published once by the overdue sweep."""


class TaskRestored(_TaskEvent, frozen=True, kw_only=True, tag="task.restored"):
    """A deleted task came back."""


class _CommentEvent(DomainEvent, frozen=True, kw_only=True):
    entity_type: ClassVar[str] = "task"
    """Comments are recorded in their task's history; ``comment_id`` is in ``changes``."""
    task_id: UUID
    comment: Comment


class CommentCreated(_CommentEvent, frozen=True, kw_only=True, tag="comment.created"):
    """Someone commented on a task."""


class CommentUpdated(_CommentEvent, frozen=True, kw_only=True, tag="comment.updated"):
    """The author changed their comment."""


class CommentDeleted(_CommentEvent, frozen=True, kw_only=True, tag="comment.deleted"):
    """A comment was removed by its author or a project owner."""
