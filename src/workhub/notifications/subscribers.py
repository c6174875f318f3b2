"""Who is told what: domain events of other modules turned into notifications.

Each handler runs as a SAQ job after the event's transaction committed, at
least once: a notification is keyed by (event, recipient), so a repeated
delivery notifies nobody twice. The user who caused an event (its
``actor_id``) is never told about it. Task notifications go only to people
who are still members of the project (anyone else could not open the task).
Other modules are read through their services, never their tables.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from advanced_alchemy.exceptions import NotFoundError

from workhub.accounts.api import UserService
from workhub.kernel.db import session_scope
from workhub.kernel.errors import NotFound
from workhub.kernel.i18n import Msg, translate
from workhub.notifications.delivery import DELIVER_JOB
from workhub.notifications.mentions import mentioned
from workhub.notifications.services import PreferenceService, send_notification
from workhub.projects.api import MemberService, ProjectService
from workhub.tasks.api import CommentService, TaskReader, TaskService

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.accounts.events import UserRoleChanged
    from workhub.kernel.plugins import Registry, Runtime, SubscriberHandler
    from workhub.notifications.events import NotificationCreated
    from workhub.projects import schemas as project_schemas
    from workhub.projects.events import InvitationCreated, MemberRemoved
    from workhub.tasks import schemas as task_schemas
    from workhub.tasks.events import CommentCreated, CommentUpdated, TaskCreated, TaskOverdue, TaskUpdated

__all__ = (
    "channel_fanout",
    "on_comment_created",
    "on_comment_updated",
    "on_invitation_created",
    "on_member_removed",
    "on_task_created",
    "on_task_overdue",
    "on_task_updated",
    "on_user_role_changed",
)

logger = logging.getLogger("workhub.notifications")
EXCERPT = 200
"""Characters of a comment quoted in its notification."""


class _Project:
    """What the task handlers need of one project, read once per event through the projects service."""

    def __init__(self, session: AsyncSession, project_id: UUID) -> None:
        self.session = session
        self.id = project_id
        self._members: list[project_schemas.Member] | None = None

    async def name(self) -> str | None:
        """The project's name, or None when it is gone."""
        try:
            project = await ProjectService(session=self.session).get(self.id)
        except NotFoundError:
            return None
        return ProjectService.as_schema(project, None).name

    async def members(self) -> list[project_schemas.Member]:
        """Every member with their name, email and role."""
        if self._members is None:
            service = MemberService(session=self.session)
            found: list[project_schemas.Member] = []
            cursor: str | None = None
            while True:
                page = await service.page(self.id, limit=200, cursor=cursor)
                found.extend(page.items)
                cursor = page.next_cursor
                if cursor is None:
                    break
            self._members = found
        return self._members

    async def owners(self) -> list[UUID]:
        """The project's owners."""
        return [m.user_id for m in await self.members() if m.role == "owner"]

    async def member_ids(self) -> set[UUID]:
        """Everyone who can still see the project's tasks."""
        return {m.user_id for m in await self.members()}


def _task_link(task: task_schemas.Task) -> tuple[str, dict[str, Any]]:
    return f"/tasks/{task.id}", {
        "task_id": str(task.id),
        "project_id": str(task.project_id),
        "task_key": task.key,
    }


def _derived_id(event_id: UUID, kind: str) -> UUID:
    """A stable id for a second notice drawn from one event (the "all done" after a status change)."""
    return uuid5(event_id, kind)


async def _name_of(session: AsyncSession, user_id: UUID | None, locale: str) -> str:
    """A user's display name; the system (or a user now gone) is called WorkHub."""
    if user_id is not None:
        profile = await UserService(session=session).find_profile(user_id)
        if profile is not None:
            return profile.name
    return translate("notifications.system_actor", locale)


async def _tell(
    session: AsyncSession,
    recipients: Iterable[tuple[UUID, str, dict[str, object]]],
    *,
    event_id: UUID,
    actor_id: UUID | None,
    link: str | None,
    data: dict[str, Any],
    allowed: set[UUID] | None = None,
) -> None:
    """Send each (user, kind, params) once, never to the actor, only to ``allowed`` users when given."""
    seen: set[UUID] = set()
    for user_id, kind, params in recipients:
        if user_id in seen or user_id == actor_id or (allowed is not None and user_id not in allowed):
            continue
        seen.add(user_id)
        await send_notification(
            session,
            user_id=user_id,
            kind=kind,
            event_id=event_id,
            params=params,
            link=link,
            data={**data, "actor_id": str(actor_id) if actor_id else None},
        )


def _task_params(task: task_schemas.Task, project: str) -> dict[str, object]:
    return {"key": task.key, "title": task.title, "project": project}


def _when(moment: datetime, locale: str, zone: str) -> str:
    """A deadline in the reader's time zone and date style, zone named."""
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError):
        local, zone = moment, "UTC"
    pattern = "%d.%m.%Y %H:%M" if locale == "ru" else "%Y-%m-%d %H:%M"
    return f"{local.strftime(pattern)} ({zone})"


async def on_task_created(event: TaskCreated, runtime: Runtime) -> None:
    """A task created with an assignee: tell the assignee (unless they created it)."""
    task = event.task
    if task.assignee_id is None or task.assignee_id == event.actor_id:
        return
    async with session_scope(runtime.db) as session:
        project = _Project(session, task.project_id)
        name = await project.name()
        if name is None:
            return
        link, data = _task_link(task)
        await _tell(
            session,
            [(task.assignee_id, "task_assigned", _task_params(task, name))],
            event_id=event.id,
            actor_id=event.actor_id,
            link=link,
            data=data,
            allowed=await project.member_ids(),
        )


async def on_task_updated(event: TaskUpdated, runtime: Runtime) -> None:
    """Assignment, status and deadline changes, one notice per person (the most specific one).

    A new assignee hears of the assignment; the creator and the project's
    owners of a status change; the assignee of a new deadline. When a task
    becomes done and it was the last open one its creator set for others in
    the project, the creator is also told that everything is done.
    """
    changes, task = event.changes, event.task
    wanted = {"assignee_id", "status", "deadline"} & changes.keys()
    if not wanted:
        return
    async with session_scope(runtime.db) as session:
        project = _Project(session, task.project_id)
        name = await project.name()
        if name is None:
            return
        params = _task_params(task, name)
        plan: list[tuple[UUID, str, dict[str, object]]] = []
        if "assignee_id" in changes and task.assignee_id is not None:
            plan.append((task.assignee_id, "task_assigned", params))
        if "status" in changes:
            old, new = changes["status"]
            status = {**params, "old_status": Msg(f"task.status.{old}"), "status": Msg(f"task.status.{new}")}
            people = ([task.creator_id] if task.creator_id else []) + await project.owners()
            plan.extend((user_id, "status_changed", status) for user_id in people)
        if "deadline" in changes and task.assignee_id is not None:
            profile = await UserService(session=session).find_profile(task.assignee_id)
            if profile is not None:
                locale = profile.locale
                deadline = (
                    translate(
                        "notifications.deadline.set",
                        locale,
                        when=_when(task.deadline, locale, profile.timezone),
                    )
                    if task.deadline is not None
                    else translate("notifications.deadline.removed", locale)
                )
                plan.append((task.assignee_id, "deadline_changed", {**params, "deadline": deadline}))
        link, data = _task_link(task)
        members = await project.member_ids()
        await _tell(
            session, plan, event_id=event.id, actor_id=event.actor_id, link=link, data=data, allowed=members
        )
        if changes.get("status", [None, None])[1] == "done":
            await _all_done(session, event, params, members)


async def _all_done(
    session: AsyncSession, event: TaskUpdated, params: dict[str, object], members: set[UUID]
) -> None:
    """Tell a creator when the last open task they set for someone else in the project is done."""
    task = event.task
    creator = task.creator_id
    if creator is None or task.assignee_id is None or task.assignee_id == creator:
        return
    if await TaskService(session=session).count_open_delegated(task.project_id, creator):
        return
    await _tell(
        session,
        [(creator, "all_done", params)],
        event_id=_derived_id(event.id, "all_done"),
        actor_id=event.actor_id,
        link=f"/projects/{task.project_id}",
        data={"project_id": str(task.project_id), "task_id": str(task.id), "task_key": task.key},
        allowed=members,
    )


async def on_task_overdue(event: TaskOverdue, runtime: Runtime) -> None:
    """A task passed its deadline: tell its assignee, its creator and the project's owners."""
    task = event.task
    async with session_scope(runtime.db) as session:
        project = _Project(session, task.project_id)
        name = await project.name()
        if name is None:
            return
        params = _task_params(task, name)
        people = [u for u in (task.assignee_id, task.creator_id) if u is not None] + await project.owners()
        link, data = _task_link(task)
        await _tell(
            session,
            [(user_id, "task_overdue", params) for user_id in people],
            event_id=event.id,
            actor_id=event.actor_id,
            link=link,
            data=data,
            allowed=await project.member_ids(),
        )


def _excerpt(text: str) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"


async def _thread_mentions(session: AsyncSession, task: task_schemas.Task, people: list[Any]) -> set[UUID]:
    """Members mentioned in the task's description or any of its comments."""
    found = mentioned(task.description, people)
    comments = CommentService(session=session)
    cursor: str | None = None
    while True:
        page = await comments.page_comments(task.id, limit=200, cursor=cursor)
        for comment in page.items:
            found |= mentioned(comment.body, people)
        cursor = page.next_cursor
        if cursor is None:
            return found


async def _comment_notice(
    session: AsyncSession,
    event: CommentCreated | CommentUpdated,
    pick: Any,
) -> None:
    """Send the ``comment`` notice to those ``pick(session, task, members)`` names."""
    try:
        task = await TaskReader(session).read_task(event.task_id)
    except NotFound:
        return
    project = _Project(session, task.project_id)
    name = await project.name()
    if name is None:
        return
    members = await project.members()
    recipients: Iterable[UUID] = await pick(session, task, members)
    author = event.comment.author_id
    link, data = _task_link(task)
    data["comment_id"] = str(event.comment.id)
    profiles = UserService(session=session)
    for user_id in dict.fromkeys(recipients):
        if user_id == author:
            continue
        profile = await profiles.find_profile(user_id)
        if profile is None:
            continue
        params = {
            **_task_params(task, name),
            "author": await _name_of(session, author, profile.locale),
            "excerpt": _excerpt(event.comment.body),
        }
        await _tell(
            session,
            [(user_id, "comment", params)],
            event_id=event.id,
            actor_id=event.actor_id,
            link=link,
            data=data,
            allowed={m.user_id for m in members},
        )


async def on_comment_created(event: CommentCreated, runtime: Runtime) -> None:
    """A comment: tell the task's creator, its assignee and everyone mentioned in the task's thread."""

    async def pick(session: AsyncSession, task: task_schemas.Task, members: list[Any]) -> list[UUID]:
        people = [u for u in (task.creator_id, task.assignee_id) if u is not None]
        return people + sorted(await _thread_mentions(session, task, members))

    async with session_scope(runtime.db) as session:
        await _comment_notice(session, event, pick)


async def on_comment_updated(event: CommentUpdated, runtime: Runtime) -> None:
    """An edited comment: tell only the people the edit newly mentions."""
    before, after = (event.changes.get("body") or [None, None])[:2]
    if not isinstance(after, str):
        return

    async def pick(session: AsyncSession, task: task_schemas.Task, members: list[Any]) -> list[UUID]:
        return sorted(
            mentioned(after, members) - mentioned(before if isinstance(before, str) else "", members)
        )

    async with session_scope(runtime.db) as session:
        await _comment_notice(session, event, pick)


async def on_invitation_created(event: InvitationCreated, runtime: Runtime) -> None:
    """An invitation to an email that has an account: tell that user in WorkHub too."""
    async with session_scope(runtime.db) as session:
        user = await UserService(session=session).by_email(event.email)
        if user is None or event.project_id is None:
            return
        invitee = UserService.as_schema(user)
        name = await _Project(session, event.project_id).name()
        if name is None:
            return
        inviter = await _name_of(session, event.invited_by or event.actor_id, invitee.locale)
        await _tell(
            session,
            [
                (
                    invitee.id,
                    "project_invited",
                    {"project": name, "inviter": inviter, "role": Msg(f"projects.role.{event.role}")},
                )
            ],
            event_id=event.id,
            actor_id=event.actor_id,
            link=None,
            data={
                "project_id": str(event.project_id),
                "invitation_id": str(event.entity_id),
                "role": event.role,
            },
        )


async def on_member_removed(event: MemberRemoved, runtime: Runtime) -> None:
    """A member removed by someone else (not one who left): tell them."""
    if event.left or event.project_id is None:
        return
    async with session_scope(runtime.db) as session:
        name = await _Project(session, event.project_id).name()
        if name is None:
            return
        await _tell(
            session,
            [(event.user_id, "member_removed", {"project": name})],
            event_id=event.id,
            actor_id=event.actor_id,
            link=None,
            data={"project_id": str(event.project_id), "role": event.role},
        )


async def on_user_role_changed(event: UserRoleChanged, runtime: Runtime) -> None:
    """Tell a user that an administrator changed their system role."""
    if event.entity_id == event.actor_id:
        return
    async with session_scope(runtime.db) as session:
        await send_notification(
            session,
            user_id=event.entity_id,
            kind="system_role_changed",
            event_id=event.id,
            params={"role": Msg(f"role.{event.new_role}"), "old_role": Msg(f"role.{event.old_role}")},
            data={"old_role": event.old_role, "new_role": event.new_role},
        )


def channel_fanout(registry: Registry) -> SubscriberHandler:
    """The subscriber that sends a new notification on to the user's other channels.

    One SAQ job per channel the user chose for the notification's kind, keyed
    ``notify:<notification id>:<channel>``; the job itself claims the delivery
    so a retried or repeated job delivers once.
    """

    async def deliver_to_channels(event: NotificationCreated, runtime: Runtime) -> None:
        available = list(registry.notification_channels)
        if not available:
            return
        async with session_scope(runtime.db) as session:
            channels = await PreferenceService(session=session).channels_for(
                event.user_id, event.notification.kind, available
            )
        for channel in channels:
            await runtime.queue.enqueue(
                DELIVER_JOB,
                key=f"notify:{event.notification.id}:{channel}",
                notification_id=str(event.notification.id),
                channel=channel,
            )

    return deliver_to_channels
