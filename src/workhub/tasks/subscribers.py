"""What the tasks module does when other modules' things happen.

* a member left or was removed from a project: in that same transaction (a
  transaction listener, so no task is ever left with someone who cannot
  see it), their open tasks there lose their assignee, the reminders
  planned for them are dropped, and the project's owners get one
  notification listing those tasks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import uuid5

from workhub.accounts.api import UserService
from workhub.kernel.clock import clock
from workhub.kernel.i18n import Msg
from workhub.kernel.notifier import NotificationRequest
from workhub.projects.api import ProjectService
from workhub.projects.events import MemberRemoved
from workhub.tasks.reminders import release_unassigned
from workhub.tasks.services import TaskService

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.kernel.events import DomainEvent, TransactionListener
    from workhub.kernel.notifier import Notifier
    from workhub.kernel.plugins import Registry
    from workhub.tasks import schemas

__all__ = ("LIST_LIMIT", "unassign_former_members")

LIST_LIMIT = 20
"""Tasks named in the owners' notification; the rest are counted ("…and 5 more")."""


def unassign_former_members(registry: Registry) -> TransactionListener:
    """The transaction listener that unassigns a former member's open tasks in the project with the removal.

    The ``task.updated`` events carry the actor of the removal (the owner who
    removed them, or the member who left), as does their audit record. The
    owners are told through ``registry.notifier``, read when a removal
    happens (the notifications module provides it after this one's setup).
    """

    async def unassign_former_member(session: AsyncSession, events: Sequence[DomainEvent]) -> None:
        for event in events:
            if isinstance(event, MemberRemoved) and event.project_id is not None:
                tasks = await TaskService(session=session).unassign_member(event.project_id, event.user_id)
                if tasks:
                    await release_unassigned(session, [t.id for t in tasks], clock.now())
                    if registry.notifier is None:
                        raise RuntimeError("no module provides notifications")
                    await _tell_owners(session, registry.notifier, event, tasks)

    return unassign_former_member


async def _tell_owners(
    session: AsyncSession, notifier: Notifier, event: MemberRemoved, tasks: list[schemas.Task]
) -> None:
    """One notification to each owner of the project, naming the tasks that need someone new.

    The owner who made the removal is told too: it is the list of what to reassign.
    """
    assert event.project_id is not None
    projects = ProjectService(session=session)
    owners = await projects.owner_ids(event.project_id)
    if not owners:
        return
    project = ProjectService.as_schema(await projects.get(event.project_id), None)
    member = await UserService(session=session).find_profile(event.user_id)
    lines = "\n".join(f"• {t.key} {t.title}" for t in tasks[:LIST_LIMIT])
    more: object = (
        Msg("task.unassigned.more", count=len(tasks) - LIST_LIMIT) if len(tasks) > LIST_LIMIT else ""
    )
    params = {
        "project": project.name,
        "member": member.name if member is not None else Msg("task.unassigned.someone"),
        "summary": Msg("task.unassigned.count", count=len(tasks)),
        "tasks": lines,
        "more": more,
    }
    data = {
        "project_id": str(event.project_id),
        "member_id": str(event.user_id),
        "left": event.left,
        "count": len(tasks),
        "task_ids": [str(t.id) for t in tasks],
    }
    await notifier.send_many(
        session,
        [
            NotificationRequest(
                user_id=owner,
                kind="tasks_unassigned",
                event_id=uuid5(event.id, "tasks_unassigned"),  # the removed member's own notice has event.id
                params=params,
                link=f"/projects/{event.project_id}",
                data=data,
            )
            for owner in owners
        ],
    )
