"""Tasks: tasks, comments, soft delete and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from workhub.accounts.events import UserUpdated
from workhub.kernel.plugins import Registry
from workhub.kernel.realtime import project_room
from workhub.tasks import events, reminders
from workhub.tasks.access import resolve_comment_access, resolve_restorable_task_access, resolve_task_access
from workhub.tasks.calendar_controllers import CalendarController, CalendarFeedController
from workhub.tasks.controllers import CommentController, TaskController
from workhub.tasks.overdue import sweep_overdue
from workhub.tasks.reminder_controllers import ReminderController
from workhub.tasks.subscribers import unassign_former_members

__all__ = ("TasksPlugin", "plugin")


class TasksPlugin:
    """Registers task routes and the ``task``/``comment`` access scopes."""

    name = "tasks"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Add routes, access resolvers and texts."""
        registry.add_access_scope("task", resolve_task_access)
        registry.add_access_scope("task_restorable", resolve_restorable_task_access)
        registry.add_access_scope("comment", resolve_comment_access)
        registry.add_routes(TaskController, CommentController)
        registry.add_messages(Path(__file__).with_name("locales"))
        registry.add_routes(CalendarController, CalendarFeedController)
        # A member's removal unassigns their open tasks in the same transaction.
        registry.add_transaction_listener(unassign_former_members(registry))
        # Live boards: every task and comment change goes to its project's room.
        for event in (
            events.TaskCreated,
            events.TaskUpdated,
            events.TaskDeleted,
            events.TaskRestored,
            events.TaskOverdue,
            events.CommentCreated,
            events.CommentUpdated,
            events.CommentDeleted,
        ):
            registry.add_broadcast(event, rooms=project_room)
        _setup_time(registry)


def _setup_time(registry: Registry) -> None:
    """The overdue sweep, reminders (planning subscribers, delivery cron, routes)."""
    registry.add_routes(ReminderController)
    registry.add_cron(sweep_overdue, "* * * * *")
    registry.add_cron(reminders.deliver_reminders, "* * * * *")
    registry.subscribe(
        events.TaskCreated,
        events.TaskUpdated,
        events.TaskDeleted,
        events.TaskRestored,
        handler=reminders.on_task_changed,
        name="replan_reminders",
    )
    registry.subscribe(UserUpdated, handler=reminders.on_user_updated, name="replan_user_reminders")


plugin = TasksPlugin()
