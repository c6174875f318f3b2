"""Who is told what: domain events of other modules turned into notifications.

Each handler runs as a SAQ job after the event's transaction committed, at
least once: a notification is keyed by (event, recipient), so a repeated
delivery notifies nobody twice. The user who caused an event (its
``actor_id``) is never told about it. Task notifications go only to people
who are still members of the project (anyone else could not open the task).
Other modules are read through their public ``api``, never their tables;
notifications are written through ``runtime.notifier``, which knows the
channels this process offers. A handler reads what it needs of the project
for the people it may tell (its name; the membership of just those people),
not the whole member list, and each recipient's profile once, when their
notifications are rendered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from advanced_alchemy.exceptions import NotFoundError

from workhub.accounts.api import UserService
from workhub.kernel.db import session_scope
from workhub.kernel.errors import NotFound
from workhub.kernel.i18n import Msg, translate
from workhub.kernel.notifier import NotificationRequest, Profile
from workhub.notifications.mentions import mentioned, words
from workhub.notifications.threads import add_to_thread, extend_thread, read_thread
from workhub.projects.api import MemberService, ProjectService
from workhub.tasks.api import CommentService, TaskReader, TaskService

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.accounts.events import UserRoleChanged
    from workhub.kernel.plugins import Runtime
    from workhub.projects import schemas as project_schemas
    from workhub.projects.events import InvitationCreated, MemberRemoved
    from workhub.tasks import schemas as task_schemas
    from workhub.tasks.events import CommentCreated, CommentUpdated, TaskCreated, TaskOverdue, TaskUpdated

__all__ = (
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
_FEW = 4
"""Up to this many people's memberships are read one by one; for more, the project's member list."""


class _Project:
    """What the task handlers need of one project, read through the projects service as they need it.

    Whether someone may be told is asked for just the people a notice is
    for (the owners are known to be members); the whole member list, with
    names and emails, is read only to find whom a text ``@mentions``.
    """

    def __init__(self, session: AsyncSession, project_id: UUID) -> None:
        self.session = session
        self.id = project_id
        self._members: list[project_schemas.Member] | None = None
        self._owners: list[UUID] | None = None
        self._member: dict[UUID, bool] = {}

    async def name(self) -> str | None:
        """The project's name, or None when it is gone."""
        try:
            project = await ProjectService(session=self.session).get(self.id)
        except NotFoundError:
            return None
        return ProjectService.as_schema(project, None).name

    async def members(self) -> list[project_schemas.Member]:
        """Every member with their name, email and role (for matching ``@mentions``)."""
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
            self._member = {m.user_id: True for m in found}
        return self._members

    async def owners(self) -> list[UUID]:
        """The project's owners."""
        if self._owners is None:
            self._owners = await ProjectService(session=self.session).owner_ids(self.id)
            self._member.update(dict.fromkeys(self._owners, True))
        return self._owners

    async def members_among(self, user_ids: Iterable[UUID]) -> set[UUID]:
        """Those of ``user_ids`` who can still see the project's tasks.

        Each one's membership is read once; for more than a few people (a
        long thread) the member list is read instead, in one go.
        """
        wanted = list(dict.fromkeys(user_ids))
        if self._members is None and sum(u not in self._member for u in wanted) > _FEW:
            await self.members()
        service = ProjectService(session=self.session)
        found: set[UUID] = set()
        for user_id in wanted:
            known = self._member.get(user_id)
            if known is None:
                known = self._members is None and await service.role_of(self.id, user_id) is not None
                self._member[user_id] = known
            if known:
                found.add(user_id)
        return found


def _task_link(task: task_schemas.Task) -> tuple[str, dict[str, Any]]:
    return f"/tasks/{task.id}", {
        "task_id": str(task.id),
        "project_id": str(task.project_id),
        "task_key": task.key,
    }


def _derived_id(event_id: UUID, kind: str) -> UUID:
    """A stable id for a second notice drawn from one event (the "all done" after a status change)."""
    return uuid5(event_id, kind)


def _actor_name(profile: Profile | None) -> object:
    """A user's display name; the system (or a user now gone) is called WorkHub, in the reader's language."""
    return profile.name if profile is not None else Msg("notifications.system_actor")


async def _tell(
    runtime: Runtime,
    session: AsyncSession,
    recipients: Iterable[tuple[UUID, str, dict[str, object]]],
    *,
    event_id: UUID,
    actor_id: UUID | None,
    link: str | None,
    data: dict[str, Any],
    project: _Project | None = None,
    profiles: Mapping[UUID, Profile] | None = None,
) -> None:
    """Send each (user, kind, params) once, never to the actor; of a ``project``'s event only to its members.

    All in one go through the notifier: the recipients' profiles are read
    once (those in ``profiles`` were read already), the notifications
    written in one statement.
    """
    plan: dict[UUID, tuple[str, dict[str, object]]] = {}
    for user_id, kind, params in recipients:
        if user_id != actor_id and user_id not in plan:
            plan[user_id] = (kind, params)
    if project is not None and plan:
        allowed = await project.members_among(plan)
        plan = {user_id: told for user_id, told in plan.items() if user_id in allowed}
    if not plan:
        return
    known: dict[UUID, Profile] | None = None
    if profiles is not None:  # read the others, in the one read the notifier would have made
        known = dict(profiles)
        missing = [user_id for user_id in plan if user_id not in known]
        if missing:
            known.update(await UserService(session=session).find_profiles(missing))
    await runtime.notifier.send_many(
        session,
        [
            NotificationRequest(
                user_id=user_id,
                kind=kind,
                event_id=event_id,
                params=params,
                link=link,
                data={**data, "actor_id": str(actor_id) if actor_id else None},
            )
            for user_id, (kind, params) in plan.items()
        ],
        known,
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
            runtime,
            session,
            [(task.assignee_id, "task_assigned", _task_params(task, name))],
            event_id=event.id,
            actor_id=event.actor_id,
            link=link,
            data=data,
            project=project,
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
        profiles: dict[UUID, Profile] | None = None
        if "assignee_id" in changes and task.assignee_id is not None:
            plan.append((task.assignee_id, "task_assigned", params))
        if "status" in changes:
            old, new = changes["status"]
            status = {**params, "old_status": Msg(f"task.status.{old}"), "status": Msg(f"task.status.{new}")}
            people = ([task.creator_id] if task.creator_id else []) + await project.owners()
            plan.extend((user_id, "status_changed", status) for user_id in people)
        if "deadline" in changes and task.assignee_id is not None:
            # The deadline is written in the assignee's zone: their profile is read here, once.
            profile = await UserService(session=session).find_profile(task.assignee_id)
            profiles = {task.assignee_id: profile} if profile is not None else {}
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
        await _tell(
            runtime,
            session,
            plan,
            event_id=event.id,
            actor_id=event.actor_id,
            link=link,
            data=data,
            project=project,
            profiles=profiles,
        )
        if changes.get("status", [None, None])[1] == "done":
            await _all_done(runtime, session, event, params, project)


async def _all_done(
    runtime: Runtime, session: AsyncSession, event: TaskUpdated, params: dict[str, object], project: _Project
) -> None:
    """Tell a creator when the last open task they set for someone else in the project is done."""
    task = event.task
    creator = task.creator_id
    if creator is None or task.assignee_id is None or task.assignee_id == creator:
        return
    if await TaskService(session=session).count_open_delegated(task.project_id, creator):
        return
    await _tell(
        runtime,
        session,
        [(creator, "all_done", params)],
        event_id=_derived_id(event.id, "all_done"),
        actor_id=event.actor_id,
        link=f"/projects/{task.project_id}",
        data={"project_id": str(task.project_id), "task_id": str(task.id), "task_key": task.key},
        project=project,
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
            runtime,
            session,
            [(user_id, "task_overdue", params) for user_id in people],
            event_id=event.id,
            actor_id=event.actor_id,
            link=link,
            data=data,
            project=project,
        )


def _excerpt(text: str) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"


async def _comment_bodies(session: AsyncSession, task_id: UUID) -> list[str]:
    """Every comment of the task, read once: when its thread row is made (see :mod:`.threads`)."""
    comments = CommentService(session=session)
    bodies: list[str] = []
    cursor: str | None = None
    while True:
        page = await comments.page_comments(task_id, limit=200, cursor=cursor)
        bodies.extend(comment.body for comment in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return bodies


async def _mentioned_in(project: _Project, texts: list[str]) -> list[set[UUID]]:
    """The members each of ``texts`` mentions; the member list is read only when one has an ``@`` word."""
    if not any(words(t) for t in texts):
        return [set() for _ in texts]
    members = await project.members()
    return [mentioned(t, members) for t in texts]


async def _comment_notice(
    runtime: Runtime,
    session: AsyncSession,
    event: CommentCreated | CommentUpdated,
    pick: Any,
) -> None:
    """Send the ``comment`` notice to those ``pick(session, task, project)`` names, the author left out."""
    try:
        task = await TaskReader(session).read_task(event.task_id)
    except NotFound:
        return
    project = _Project(session, task.project_id)
    name = await project.name()
    if name is None:
        return
    author = event.comment.author_id
    recipients = [u for u in await pick(session, task, project) if u != author]
    if not recipients:
        return
    # The recipients' profiles and the author's, in one read.
    wanted = {*recipients, author} if author is not None else set(recipients)
    profiles = await UserService(session=session).find_profiles(list(wanted))
    link, data = _task_link(task)
    data["comment_id"] = str(event.comment.id)
    params = {
        **_task_params(task, name),
        "author": _actor_name(profiles.get(author) if author is not None else None),
        "excerpt": _excerpt(event.comment.body),
    }
    await _tell(
        runtime,
        session,
        [(user_id, "comment", params) for user_id in recipients if user_id in profiles],  # else gone
        event_id=event.id,
        actor_id=event.actor_id,
        link=link,
        data=data,
        project=project,
        profiles=profiles,
    )


async def on_comment_created(event: CommentCreated, runtime: Runtime) -> None:
    """A comment: tell the task's creator, its assignee and everyone mentioned in the task's thread.

    The thread is the task's description and its comments: those this
    comment mentions join the task's kept row, and the row tells who the
    earlier ones did (:mod:`.threads`), so no earlier comment is read.
    """

    async def pick(session: AsyncSession, task: task_schemas.Task, project: _Project) -> list[UUID]:
        people = [u for u in (task.creator_id, task.assignee_id) if u is not None]
        thread = await read_thread(session, task.id)
        earlier = await _comment_bodies(session, task.id) if thread is None else []
        description, *said = await _mentioned_in(project, [task.description, event.comment.body, *earlier])
        now = set[UUID]().union(*said)
        if thread is None or not now <= thread:
            await add_to_thread(session, task.id, now)
        return people + sorted((thread or set()) | now | description)

    async with session_scope(runtime.db) as session:
        await _comment_notice(runtime, session, event, pick)


async def on_comment_updated(event: CommentUpdated, runtime: Runtime) -> None:
    """An edited comment: tell only the people the edit newly mentions (they follow the task from now on)."""
    before, after = (event.changes.get("body") or [None, None])[:2]
    if not isinstance(after, str) or not words(after):
        return

    async def pick(session: AsyncSession, task: task_schemas.Task, project: _Project) -> list[UUID]:
        now, was = await _mentioned_in(project, [after, before if isinstance(before, str) else ""])
        await extend_thread(session, task.id, now - was)
        return sorted(now - was)

    async with session_scope(runtime.db) as session:
        await _comment_notice(runtime, session, event, pick)


async def on_invitation_created(event: InvitationCreated, runtime: Runtime) -> None:
    """An invitation to an email that has an account: tell that user in WorkHub too."""
    async with session_scope(runtime.db) as session:
        users = UserService(session=session)
        user = await users.by_email(event.email)
        if user is None or event.project_id is None:
            return
        invitee = UserService.as_schema(user)
        name = await _Project(session, event.project_id).name()
        if name is None:
            return
        inviter_id = event.invited_by or event.actor_id
        inviter = await users.find_profile(inviter_id) if inviter_id is not None else None
        await _tell(
            runtime,
            session,
            [
                (
                    invitee.id,
                    "project_invited",
                    {
                        "project": name,
                        "inviter": _actor_name(inviter),
                        "role": Msg(f"projects.role.{event.role}"),
                    },
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
            profiles={invitee.id: invitee},
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
            runtime,
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
        await runtime.notifier.send(
            session,
            NotificationRequest(
                user_id=event.entity_id,
                kind="system_role_changed",
                event_id=event.id,
                params={"role": Msg(f"role.{event.new_role}"), "old_role": Msg(f"role.{event.old_role}")},
                data={"old_role": event.old_role, "new_role": event.new_role},
            ),
        )
