"""Routes of a task's reminders (``/tasks/{task_id}/reminders``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.kernel.guards import requires
from workhub.kernel.permissions import Action
from workhub.kernel.security import CurrentUser
from workhub.tasks import schemas
from workhub.tasks.reminders import ReminderService

__all__ = ("ReminderController",)


class ReminderController(Controller):
    """List, add and remove the reminders of a task."""

    path = "/api/v1/tasks/{task_id:uuid}/reminders"
    tags = ["reminders"]

    @get(
        "/",
        operation_id="ListTaskReminders",
        guards=[requires(Action.TASK_READ, scope="task")],
        summary="Reminders of a task",
    )
    async def list_reminders(
        self, db_session: NamedDependency[AsyncSession], task_id: FromPath[UUID]
    ) -> list[schemas.Reminder]:
        """Planned from the assignee's settings and added on the task; sent and skipped ones too."""
        return await ReminderService(db_session).list_reminders(task_id)

    @post(
        "/",
        operation_id="CreateTaskReminder",
        guards=[requires(Action.TASK_UPDATE, scope="task")],
        summary="Add a reminder to a task",
    )
    async def create_reminder(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        task_id: FromPath[UUID],
        data: JSONBody[schemas.ReminderCreate],
    ) -> schemas.Reminder:
        """``at`` (a future moment with its zone) or ``offset_minutes`` before the deadline; goes to the assignee."""
        return await ReminderService(db_session).add_reminder(task_id, data, request.user.id)

    @delete(
        "/{reminder_id:uuid}",
        operation_id="DeleteTaskReminder",
        guards=[requires(Action.TASK_UPDATE, scope="task")],
        summary="Remove a reminder from a task",
    )
    async def delete_reminder(
        self, db_session: NamedDependency[AsyncSession], task_id: FromPath[UUID], reminder_id: FromPath[UUID]
    ) -> None:
        """Reminders added on the task; planned ones follow the assignee's settings (409 ``reminder_planned``)."""
        await ReminderService(db_session).remove_reminder(task_id, reminder_id)
