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
from workhub.tasks.schemas import Comment, Reminder, Task

__all__ = (
    "CalendarFeedCreated",
    "CalendarFeedRevoked",
    "CommentCreated",
    "CommentDeleted",
    "CommentUpdated",
    "TaskCreated",
    "TaskDeleted",
    "TaskOverdue",
    "TaskReminderAdded",
    "TaskReminderRemoved",
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


class _ReminderEvent(DomainEvent, frozen=True, kw_only=True):
    entity_type: ClassVar[str] = "task"
    """Recorded in the task's history; ``reminder_id`` is in ``changes``."""
    reminder: Reminder


class TaskReminderAdded(_ReminderEvent, frozen=True, kw_only=True, tag="task.reminder_added"):
    """Someone added a reminder to a task."""


class TaskReminderRemoved(_ReminderEvent, frozen=True, kw_only=True, tag="task.reminder_removed"):
    """Someone removed a reminder they or others had added to a task."""


class _CalendarFeedEvent(DomainEvent, frozen=True, kw_only=True):
    entity_type: ClassVar[str] = "calendar_feed"
    """Recorded against the feed; ``project_id`` is set for a project's feed."""
    user_id: UUID
    scope: str
    include: str


class CalendarFeedCreated(_CalendarFeedEvent, frozen=True, kw_only=True, tag="calendar_feed.created"):
    """A user made a private ICS feed URL (the token itself is never in an event)."""


class CalendarFeedRevoked(_CalendarFeedEvent, frozen=True, kw_only=True, tag="calendar_feed.revoked"):
    """A user revoked a feed URL; it answers 404 from now on."""
