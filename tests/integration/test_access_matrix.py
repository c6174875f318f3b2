"""The access matrix: every route × caller × own/foreign object.

The expected answer is derived from the same permission table the guards use
(``workhub.kernel.permissions``), read off each route's guards, so the test
checks the guards against the table rather than against a second copy of it.
A route with no entry in ``SPECS`` fails the test: a new route cannot ship
without a place in the matrix. Every successful mutation must also have
written an audit record.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from tests.support import PASSWORD, Api, SignedInUser
from workhub.accounts import schemas as account_schemas
from workhub.accounts.services import UserService
from workhub.audit.models import AuditRecord
from workhub.integrations.services import secret_box
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import session_scope
from workhub.kernel.guards import ProjectGuard, SystemGuard, admin_only
from workhub.kernel.permissions import Action, SystemAction, allowed, can_read, system_allowed
from workhub.kernel.secretbox import SecretBox
from workhub.process import build_registry, process_db_config
from workhub.projects import schemas as project_schemas
from workhub.projects.services import ProjectService
from workhub.settings import Settings
from workhub.tasks import schemas as task_schemas
from workhub.tasks.services import CommentService, TaskService
from workhub_example import plugin as example_plugin

CALLERS = ("owner", "editor", "viewer", "outsider", "admin", "lead", "manager")
SYSTEM_ROLE = {
    "owner": "lead",
    "editor": "manager",
    "viewer": "manager",
    "outsider": "manager",
    "admin": "admin",
    "lead": "lead",
    "manager": "manager",
}
"""Each caller's organisation role: owners are leads, the other callers managers, except the last two."""
OWN_ROLE = {"owner": "owner", "editor": "editor", "viewer": "viewer", "lead": "editor", "manager": "owner"}
"""Each caller's role in their own project: the lead works in another lead's project, the manager owns one."""
PUBLIC = {
    "HealthLive",
    "HealthReady",
    "Register",
    "Login",
    "Refresh",
    "PreviewInvitation",
    "GetCalendarFeedIcs",
    "ExampleHello",
    "PostInbound",
    "ListSignInProviders",
    "StartExternalSignIn",
    "FinishExternalSignIn",
}
"""Routes anyone may call; each is tested in its own module's tests."""


@dataclass
class World:
    """One project with members and objects, fresh for each route × caller."""

    project_id: UUID
    task_id: UUID
    deleted_task_id: UUID
    comment_id: UUID
    invitation_id: UUID
    invitation_token: str
    target_id: UUID
    """A viewer of the project that member and admin routes act on."""
    feed_id: UUID
    """A calendar feed of the project's owner (only its maker may revoke it)."""
    notification_id: UUID | None = None
    """A notification of the project's owner (only its recipient may mark it read)."""
    channel_id: UUID | None = None
    """A public channel of the project."""
    message_id: UUID | None = None
    """The editor's message in that channel (only its author edits it; the author or an owner deletes it)."""
    private_channel_id: UUID | None = None
    """A private channel listing the owner, editor and viewer callers and ``channel_member_id``."""
    channel_member_id: UUID | None = None
    """A listed member of the private channel (the world's second owner) that member routes remove."""
    reminder_id: UUID | None = None
    """A reminder added on the world's task (the routes remove it)."""
    job_id: UUID | None = None
    """A queued export of the project's owner (only they may see, cancel or download it)."""
    inbound_id: UUID | None = None
    """An inbound event that came to the project through the example plugin's source."""


@dataclass
class Spec:
    """How to call one route and what a caller may expect beyond the table."""

    method: str
    path: str
    body: Callable[[World, int], Any] | None = None
    object: str = "project"
    """Which path object is "own" or "foreign": project, task, deleted_task, comment, invitation, feed,
    channel, message."""
    override: dict[str, int] = field(default_factory=dict)
    """Expected status where a rule beyond the table applies (author-only edits, tokens): by
    ``caller/where`` or by ``caller`` for both own and foreign objects."""
    audited: bool = True
    """A successful call changes something, so it must leave an audit record."""


_OTHERS = {"editor": 404, "viewer": 404, "outsider": 404, "admin": 404, "lead": 404, "manager": 404}
"""Everyone but the world's owner, who are told someone else's object does not exist."""
_JOB_OWNER_ONLY = {"owner/foreign": 404, **_OTHERS}


def _task_path(suffix: str = "") -> str:
    return "/api/v1/tasks/{task_id}" + suffix


SPECS: dict[str, Spec] = {
    # accounts (authenticated only)
    "GetMe": Spec("GET", "/api/v1/me", audited=False),
    "UpdateMe": Spec("PATCH", "/api/v1/me", body=lambda w, n: {"name": f"Caller {n}"}),
    "ChangePassword": Spec(
        "POST",
        "/api/v1/me/password",
        body=lambda w, n: {"current_password": PASSWORD, "new_password": PASSWORD},
    ),
    "Logout": Spec("POST", "/api/v1/auth/logout", audited=False),
    "AdminListUsers": Spec("GET", "/api/v1/admin/users", audited=False),
    "AdminUpdateUser": Spec("PATCH", "/api/v1/admin/users/{target_id}", body=lambda w, n: {"role": "admin"}),
    "AdminAudit": Spec("GET", "/api/v1/admin/audit", audited=False),
    "AdminSearchTasks": Spec("GET", "/api/v1/admin/search/tasks?q=task", audited=False),
    # projects
    "CreateProject": Spec("POST", "/api/v1/projects", body=lambda w, n: {"key": f"M{n}", "name": "Matrix"}),
    "ListProjects": Spec("GET", "/api/v1/projects", audited=False),
    "GetProject": Spec("GET", "/api/v1/projects/{project_id}", audited=False),
    "UpdateProject": Spec(
        "PATCH", "/api/v1/projects/{project_id}", body=lambda w, n: {"name": f"Renamed {n}"}
    ),
    "ArchiveProject": Spec("DELETE", "/api/v1/projects/{project_id}"),
    "RestoreProject": Spec("POST", "/api/v1/projects/{project_id}/restore", audited=False),
    "ProjectAudit": Spec("GET", "/api/v1/projects/{project_id}/audit", audited=False),
    "ListMembers": Spec("GET", "/api/v1/projects/{project_id}/members", audited=False),
    "UpdateMember": Spec(
        "PATCH", "/api/v1/projects/{project_id}/members/{target_id}", body=lambda w, n: {"role": "editor"}
    ),
    "RemoveMember": Spec("DELETE", "/api/v1/projects/{project_id}/members/{target_id}"),
    # Only members can leave; an administrator who may read the project is not one.
    "LeaveProject": Spec("POST", "/api/v1/projects/{project_id}/leave", override={"admin": 404}),
    "ListInvitations": Spec("GET", "/api/v1/projects/{project_id}/invitations", audited=False),
    "CreateInvitation": Spec(
        "POST",
        "/api/v1/projects/{project_id}/invitations",
        body=lambda w, n: {"email": f"invitee{n}@example.com", "role": "viewer"},
    ),
    "RevokeInvitation": Spec("DELETE", "/api/v1/projects/{project_id}/invitations/{invitation_id}"),
    # The token itself authorises acceptance; the world's invitation is for the outsider.
    "AcceptInvitation": Spec(
        "POST",
        "/api/v1/invitations/{invitation_token}/accept",
        object="invitation",
        override={"owner": 403, "editor": 403, "viewer": 403, "admin": 403, "lead": 403, "manager": 403},
    ),
    # tasks
    "ListTasks": Spec("GET", "/api/v1/tasks", audited=False),
    "CountTasks": Spec("GET", "/api/v1/tasks/counts", audited=False),
    "SearchTasks": Spec("GET", "/api/v1/search/tasks?q=task", audited=False),
    "ListProjectTasks": Spec("GET", "/api/v1/projects/{project_id}/tasks", audited=False),
    "CreateTask": Spec(
        "POST", "/api/v1/projects/{project_id}/tasks", body=lambda w, n: {"title": f"Task {n}"}
    ),
    "GetTask": Spec("GET", _task_path(), object="task", audited=False),
    "UpdateTask": Spec(
        "PATCH", _task_path(), object="task", body=lambda w, n: {"version": 1, "title": f"T{n}"}
    ),
    "DeleteTask": Spec("DELETE", _task_path(), object="task"),
    # A deleted task is gone for everyone but the owners who may bring it back.
    "RestoreTask": Spec(
        "POST",
        "/api/v1/tasks/{deleted_task_id}/restore",
        object="deleted_task",
        override={"editor": 404, "viewer": 404, "admin": 404, "lead": 404},
    ),
    "TaskHistory": Spec("GET", _task_path("/history"), object="task", audited=False),
    "ListComments": Spec("GET", _task_path("/comments"), object="task", audited=False),
    "CreateComment": Spec(
        "POST", _task_path("/comments"), object="task", body=lambda w, n: {"body": f"Hi {n}"}
    ),
    # The world's comment is the editor's: only its author edits it; the author or an owner deletes it.
    "UpdateComment": Spec(
        "PATCH",
        "/api/v1/comments/{comment_id}",
        object="comment",
        body=lambda w, n: {"body": f"Edited {n}"},
        override={"owner/own": 403, "lead/own": 403, "manager/own": 403},
    ),
    "DeleteComment": Spec(
        "DELETE", "/api/v1/comments/{comment_id}", object="comment", override={"lead/own": 403}
    ),
    "ListTaskReminders": Spec("GET", _task_path("/reminders"), object="task", audited=False),
    "CreateTaskReminder": Spec(
        "POST", _task_path("/reminders"), object="task", body=lambda w, n: {"offset_minutes": 30 + n}
    ),
    "DeleteTaskReminder": Spec("DELETE", _task_path("/reminders/{reminder_id}"), object="task"),
    # chat
    "ListChannels": Spec("GET", "/api/v1/projects/{project_id}/channels", audited=False),
    "CreateChannel": Spec(
        "POST", "/api/v1/projects/{project_id}/channels", body=lambda w, n: {"name": f"channel-{n}"}
    ),
    "GetChannel": Spec("GET", "/api/v1/channels/{channel_id}", object="channel", audited=False),
    "UpdateChannel": Spec(
        "PATCH", "/api/v1/channels/{channel_id}", object="channel", body=lambda w, n: {"name": f"renamed-{n}"}
    ),
    "ArchiveChannel": Spec("DELETE", "/api/v1/channels/{channel_id}", object="channel"),
    # A private channel is not there for whoever is not listed in it: administrators outside the project,
    # and the lead who edits the project but is not on the channel's list.
    "AddChannelMember": Spec(
        "POST",
        "/api/v1/channels/{private_channel_id}/members",
        object="channel",
        body=lambda w, n: {"user_id": str(w.target_id)},
        override={"admin": 404, "lead/own": 404},
    ),
    "RemoveChannelMember": Spec(
        "DELETE",
        "/api/v1/channels/{private_channel_id}/members/{channel_member_id}",
        object="channel",
        override={"admin": 404, "lead/own": 404},
    ),
    # An owner who is not on the list (the manager) sees the channel but has no place on it to leave.
    "LeaveChannel": Spec(
        "POST",
        "/api/v1/channels/{private_channel_id}/leave",
        object="channel",
        override={"admin": 404, "lead/own": 404, "manager/own": 404},
    ),
    "MarkChannelRead": Spec("POST", "/api/v1/channels/{channel_id}/read", object="channel", audited=False),
    "ListMessages": Spec("GET", "/api/v1/channels/{channel_id}/messages", object="channel", audited=False),
    "PostMessage": Spec(
        "POST",
        "/api/v1/channels/{channel_id}/messages",
        object="channel",
        body=lambda w, n: {"text": f"Hi {n}"},
    ),
    # The world's message is the editor's: only its author edits it; the author or an owner deletes it.
    "UpdateMessage": Spec(
        "PATCH",
        "/api/v1/messages/{message_id}",
        object="message",
        body=lambda w, n: {"text": f"Edited {n}"},
        override={"owner/own": 403, "viewer/own": 403, "lead/own": 403, "manager/own": 403},
    ),
    "DeleteMessage": Spec(
        "DELETE",
        "/api/v1/messages/{message_id}",
        object="message",
        override={"viewer/own": 403, "lead/own": 403},
    ),
    # notifications: each caller's own only
    "ListNotifications": Spec("GET", "/api/v1/notifications", audited=False),
    "CountUnreadNotifications": Spec("GET", "/api/v1/notifications/unread-count", audited=False),
    # The world's notification is its owner's: anyone else gets 404, as for one that does not exist.
    "MarkNotificationRead": Spec(
        "POST",
        "/api/v1/notifications/{notification_id}/read",
        override={"owner/foreign": 404, **_OTHERS},
    ),
    "MarkAllNotificationsRead": Spec("POST", "/api/v1/notifications/read-all"),
    "GetNotificationPreferences": Spec("GET", "/api/v1/me/notification-preferences", audited=False),
    "UpdateNotificationPreferences": Spec(
        "PUT", "/api/v1/me/notification-preferences", body=lambda w, n: {"kinds": []}
    ),
    # calendar
    "GetCalendar": Spec(
        "GET", "/api/v1/calendar?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z", audited=False
    ),
    # A project feed needs a project the caller may read (members, and administrators).
    "CreateCalendarFeed": Spec(
        "POST",
        "/api/v1/calendar/feeds",
        body=lambda w, n: {"scope": "project", "project_id": str(w.project_id)},
        override={
            "outsider": 404,
            "owner/foreign": 404,
            "editor/foreign": 404,
            "viewer/foreign": 404,
            "lead/foreign": 404,
            "manager/foreign": 404,
        },
    ),
    "ListCalendarFeeds": Spec("GET", "/api/v1/calendar/feeds", audited=False),
    # The world's feed is its owner's: nobody else can revoke it, or tell it exists.
    "RevokeCalendarFeed": Spec(
        "DELETE",
        "/api/v1/calendar/feeds/{feed_id}",
        object="feed",
        override={"owner/foreign": 404, **_OTHERS},
    ),
    # jobs: a job is its starter's alone; everyone else (administrators too) is told it does not exist
    "CreateJob": Spec("POST", "/api/v1/jobs", body=lambda w, n: {"kind": "export_tasks_csv", "params": {}}),
    "ListJobs": Spec("GET", "/api/v1/jobs", audited=False),
    "GetJob": Spec("GET", "/api/v1/jobs/{job_id}", object="job", audited=False, override=_JOB_OWNER_ONLY),
    "CancelJob": Spec("POST", "/api/v1/jobs/{job_id}/cancel", object="job", override=_JOB_OWNER_ONLY),
    # The world's job is still queued: its owner is told there is no result yet.
    "GetJobResult": Spec(
        "GET",
        "/api/v1/jobs/{job_id}/result",
        object="job",
        audited=False,
        override={**_JOB_OWNER_ONLY, "owner/own": 409},
    ),
    # An upload is a file for a later import (which is audited), not a change by itself.
    "UploadJobFile": Spec("POST", "/api/v1/jobs/uploads", body=lambda w, n: "title\nImported", audited=False),
    "AdminListFailedJobs": Spec("GET", "/api/v1/admin/jobs/failed", audited=False),
    # intake and per-project plugin configuration (the example plugin is installed in this app)
    "GetInbound": Spec("GET", "/api/v1/inbound/{inbound_id}", object="inbound", audited=False),
    "ListProjectInbound": Spec("GET", "/api/v1/projects/{project_id}/inbound", audited=False),
    "ListProjectPlugins": Spec("GET", "/api/v1/projects/{project_id}/plugins", audited=False),
    "ConfigureProjectPlugin": Spec(
        "PUT",
        "/api/v1/projects/{project_id}/plugins/example",
        body=lambda w, n: {"enabled": True, "settings": {"labels": [f"l{n}"]}},
    ),
    "RemoveProjectPlugin": Spec("DELETE", "/api/v1/projects/{project_id}/plugins/example"),
    # No failed job has this key: administrators get past the guard to a 404.
    "AdminRetryFailedJob": Spec(
        "POST", "/api/v1/admin/jobs/failed/no-such-key/retry", override={"admin": 404}
    ),
}


A = Action
INTENDED: dict[str, Action | SystemAction | str | None] = {
    "GetMe": None, "UpdateMe": None, "ChangePassword": None, "Logout": None,
    "AdminListUsers": "admin", "AdminUpdateUser": "admin", "AdminAudit": "admin", "AdminSearchTasks": "admin",
    "SearchTasks": None,
    "CreateProject": SystemAction.PROJECT_CREATE, "ListProjects": None, "ListTasks": None, "CountTasks": None, "AcceptInvitation": None,
    "GetProject": A.PROJECT_READ, "UpdateProject": A.PROJECT_UPDATE, "ArchiveProject": A.PROJECT_ARCHIVE,
    "RestoreProject": A.PROJECT_ARCHIVE, "ProjectAudit": A.AUDIT_READ, "ListMembers": A.MEMBER_READ,
    "UpdateMember": A.MEMBER_MANAGE, "RemoveMember": A.MEMBER_MANAGE, "LeaveProject": A.MEMBER_READ,
    "ListInvitations": A.INVITATION_MANAGE, "CreateInvitation": A.INVITATION_MANAGE,
    "RevokeInvitation": A.INVITATION_MANAGE, "ListProjectTasks": A.TASK_READ, "CreateTask": A.TASK_CREATE,
    "GetTask": A.TASK_READ, "UpdateTask": A.TASK_UPDATE, "DeleteTask": A.TASK_DELETE,
    "RestoreTask": A.TASK_RESTORE, "TaskHistory": A.TASK_READ, "ListComments": A.TASK_READ,
    "CreateComment": A.COMMENT_CREATE, "UpdateComment": A.COMMENT_CREATE, "DeleteComment": A.COMMENT_CREATE,
    "ListTaskReminders": A.TASK_READ, "CreateTaskReminder": A.TASK_UPDATE, "DeleteTaskReminder": A.TASK_UPDATE,
    "ListNotifications": None, "CountUnreadNotifications": None, "MarkNotificationRead": None,
    "MarkAllNotificationsRead": None, "GetNotificationPreferences": None, "UpdateNotificationPreferences": None,
    "GetCalendar": None, "CreateCalendarFeed": None, "ListCalendarFeeds": None, "RevokeCalendarFeed": None,
    "ListChannels": A.CHANNEL_READ, "CreateChannel": A.CHANNEL_CREATE, "GetChannel": A.CHANNEL_READ,
    "UpdateChannel": A.CHANNEL_MANAGE, "ArchiveChannel": A.CHANNEL_MANAGE, "AddChannelMember": A.CHANNEL_MANAGE,
    "RemoveChannelMember": A.CHANNEL_MANAGE, "LeaveChannel": A.CHANNEL_READ, "MarkChannelRead": A.CHANNEL_READ,
    "ListMessages": A.CHANNEL_READ, "PostMessage": A.MESSAGE_POST, "UpdateMessage": A.MESSAGE_POST,
    "DeleteMessage": A.MESSAGE_POST,
    "CreateJob": None, "ListJobs": None, "GetJob": None, "CancelJob": None, "GetJobResult": None,
    "UploadJobFile": None, "AdminListFailedJobs": "admin", "AdminRetryFailedJob": "admin",
    "GetInbound": A.TASK_READ, "ListProjectInbound": A.TASK_READ, "ListProjectPlugins": A.INTEGRATION_MANAGE,
    "ConfigureProjectPlugin": A.INTEGRATION_MANAGE, "RemoveProjectPlugin": A.INTEGRATION_MANAGE,
}  # fmt: skip
"""What each route is meant to require: an action of a table, "admin", or None (any signed-in user).

The matrix below derives expectations from the guards; this pins the guards to their intent, so a
route guarded with the wrong action fails here even though it agrees with itself."""


def _routes(app: Any) -> dict[str, tuple[str, Any]]:
    """operation id → (method, handler) for every API route of the app (OPTIONS, /schema and the dashboard's files aside)."""
    found: dict[str, tuple[str, Any]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            methods = set(getattr(handler, "http_methods", ())) - {"OPTIONS"}
            if not methods or route.path.startswith("/schema") or str(handler.name).startswith("dashboard-"):
                continue
            found[str(handler.operation_id)] = (methods.pop(), handler)
    return found


def _expected(handler: Any, caller: str, role: str | None) -> int | None:
    """The answer the permission tables imply (None: success, any 2xx)."""
    is_admin = caller == "admin"
    for guard in handler.resolve_guards():
        if guard is admin_only and not system_allowed(SYSTEM_ROLE[caller], SystemAction.ADMINISTER):
            return 403
        if isinstance(guard, SystemGuard) and not system_allowed(SYSTEM_ROLE[caller], guard.action):
            return 403
        if isinstance(guard, ProjectGuard):
            if not can_read(role, is_admin=is_admin):
                return 404
            if not allowed(role, guard.action, is_admin=is_admin):
                return 403
    return None


@pytest.fixture
async def client(make_client: Any) -> AsyncTestClient[Any]:
    """The core app with the example plugin, whose per-project configuration and intake source have routes."""
    return await make_client(plugins=[example_plugin])


_BOXES: list[SecretBox] = []


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Any]:
    registry = build_registry(settings, plugins=[example_plugin])  # its sessions audit, as the app's do
    config = process_db_config(settings, registry, pool_size=2)
    _BOXES[:] = [secret_box(settings)]
    yield config
    await config.get_engine().dispose()


async def _world(db: Any, users: dict[str, SignedInUser], n: int) -> World:
    """A fresh project: owner + a second owner, editor, viewer, a target viewer, a task, a comment, an invitation.

    The lead caller (if any) edits it and the manager caller owns it too.
    """
    with acting_as(Actor.system("matrix")):
        world = await _build_world(db, users, n)
        world.notification_id = await _owner_notification(db, users["owner"].id)
        await _chat(db, users, world)
        world.reminder_id = await _task_reminder(db, world.task_id, users["owner"].id)
        world.job_id = await _owner_job(db, users["owner"].id)
        world.inbound_id = await _example_plugin(db, world.project_id, users["owner"].id)
        return world


async def _example_plugin(db: Any, project_id: UUID, owner_id: UUID) -> UUID:
    """The example plugin configured in the project by its owner, and one event it took in."""
    from workhub.intake.services import accept_event
    from workhub.integrations.schemas import ProjectPluginUpdate
    from workhub.integrations.services import IntegrationService
    from workhub.kernel.intake import InboundEvent
    from workhub.kernel.project_config import ProjectSchema

    schema = ProjectSchema(example_plugin.project_settings, example_plugin.project_secrets)
    async with session_scope(db) as session:
        await IntegrationService(session, {"example": schema}, _BOXES[0]).configure(
            project_id, "example", ProjectPluginUpdate(secrets={"token": "matrix-token-0123456789"}), owner_id
        )
        event = InboundEvent(
            source="example", dedupe_key=str(project_id), text="Hello", project_id=project_id
        )
        return (await accept_event(session, event)).id


async def _owner_job(db: Any, owner_id: UUID) -> UUID:
    """A queued export started by the world's owner."""
    from workhub.jobs.services import JobService

    async with session_scope(db) as session:
        return (await JobService(session=session).start(owner_id, "export_tasks_csv", {})).id


async def _task_reminder(db: Any, task_id: UUID, owner_id: UUID) -> UUID:
    """A reminder added on the world's task by its owner."""
    from workhub.tasks.reminders import ReminderService

    async with session_scope(db) as session:
        reminder = await ReminderService(session).add_reminder(
            task_id, task_schemas.ReminderCreate(offset_minutes=15), owner_id
        )
    return reminder.id


async def _chat(db: Any, users: dict[str, SignedInUser], world: World) -> None:
    """A public channel with the editor's message, and a private channel of the callers and the second owner."""
    from workhub.chat.schemas import ChannelCreate, MessageCreate
    from workhub.chat.services import ChannelService, MessageService
    from workhub.projects.services import MemberService

    async with session_scope(db) as session:
        owner = users["owner"].id
        members = (await MemberService(session=session).page(world.project_id, limit=50, cursor=None)).items
        second_id = next(m.user_id for m in members if m.role == "owner" and m.user_id != owner)
        channels = ChannelService(session=session)
        public = await channels.create_channel(world.project_id, ChannelCreate(name="matrix"), owner)
        listed = [users["editor"].id, users["viewer"].id, second_id]
        private = await channels.create_channel(
            world.project_id, ChannelCreate(name="inner", private=True, member_ids=listed), owner
        )
        message = await MessageService(session=session).post(
            public.id, users["editor"].id, MessageCreate(text="A message")
        )
    world.channel_id, world.message_id = public.id, message.id
    world.private_channel_id, world.channel_member_id = private.id, second_id


async def _owner_notification(db: Any, owner_id: UUID) -> UUID:
    """A notification of the world's owner, made the way every module makes one."""
    from uuid import uuid4

    from workhub.notifications.services import NotificationService, send_notification

    async with session_scope(db) as session:
        event_id = uuid4()
        await send_notification(
            session, user_id=owner_id, kind="member_removed", event_id=event_id, params={"project": "World"}
        )
        page = await NotificationService(session=session).page(owner_id, unread=True, limit=1, cursor=None)
        return page.items[0].id


async def _build_world(db: Any, users: dict[str, SignedInUser], n: int) -> World:
    async with session_scope(db) as session:
        target = await UserService(session=session).register(
            account_schemas.RegisterRequest(
                email=f"target{n}@example.com", password=PASSWORD, name=f"Target {n}"
            )
        )
        second = await UserService(session=session).register(
            account_schemas.RegisterRequest(
                email=f"second{n}@example.com", password=PASSWORD, name=f"Second {n}"
            )
        )
        projects = ProjectService(session=session)
        project = await projects.create_project(
            project_schemas.ProjectCreate(key=f"W{n}", name="World"), users["owner"].id
        )
        await projects.add_member(project.id, second.id, "owner")
        await projects.add_member(project.id, users["editor"].id, "editor")
        await projects.add_member(project.id, users["viewer"].id, "viewer")
        await projects.add_member(project.id, target.id, "viewer")
        for caller in ("lead", "manager"):
            if caller in users:
                await projects.add_member(project.id, users[caller].id, OWN_ROLE[caller])
        tasks = TaskService(session=session)
        task = await tasks.create_task(
            project.id, task_schemas.TaskCreate(title="Matrix task"), users["owner"].id
        )
        gone = await tasks.create_task(
            project.id, task_schemas.TaskCreate(title="Deleted task"), users["owner"].id
        )
        await tasks.delete_task(gone.id)
        comment = await CommentService(session=session).add_comment(task.id, users["editor"].id, "A comment")
        from workhub.projects._invitations import InvitationService

        invitation, token = await InvitationService(session=session).create_invitation(
            project.id,
            project_schemas.InvitationCreate(email=users["outsider"].email, role="viewer"),
            invited_by=users["owner"].id,
            ttl=3600,
        )
        from workhub.kernel.security import CurrentUser
        from workhub.tasks.calendar_schemas import CalendarFeedCreate
        from workhub.tasks.feeds import FeedService

        feed = await FeedService(session=session).create_feed(
            CurrentUser(id=users["owner"].id, role="lead", jti="matrix", exp=0),
            CalendarFeedCreate(scope="mine"),
            base_url="http://matrix",
        )
    return World(project.id, task.id, gone.id, comment.id, invitation.id, token, target.id, feed.id)


async def _audit_count(db: Any) -> int:
    async with db.get_session() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditRecord)) or 0)


async def test_every_route_is_in_the_matrix(client: AsyncTestClient[Any]) -> None:
    routes = set(_routes(client.app))
    assert routes - PUBLIC - SPECS.keys() == set(), "routes missing from the access matrix"
    assert SPECS.keys() - routes == set(), "matrix entries for routes that no longer exist"
    public = {op for op, (_, handler) in _routes(client.app).items() if handler.opt.get("public")}
    assert public == PUBLIC


async def test_the_only_routes_outside_the_api_are_the_dashboards_public_files(
    client: AsyncTestClient[Any],
) -> None:
    outside = {
        (route.path, str(handler.name))
        for route in client.app.routes
        for handler in getattr(route, "route_handlers", [])
        if not route.path.startswith(("/api/", "/health/", "/schema"))
        and "OPTIONS" not in handler.http_methods
    }
    assert outside == {
        ("/", "dashboard-home"),
        ("/{path:path}", "dashboard-page"),
        ("/assets/{file_path:path}", "dashboard-assets"),
        ("/assets/{file_path:path}", "dashboard-assets/head"),
    }
    for route in client.app.routes:
        for handler in getattr(route, "route_handlers", []):
            if str(handler.name).startswith("dashboard-"):
                assert handler.opt.get("public") and set(handler.http_methods) <= {"GET", "HEAD"}


async def test_every_route_is_guarded_by_its_intended_action(client: AsyncTestClient[Any]) -> None:
    assert INTENDED.keys() == SPECS.keys()
    for op, (_, handler) in _routes(client.app).items():
        if op in PUBLIC:
            continue
        guards = handler.resolve_guards()
        actions: list[Action | SystemAction] = [
            g.action for g in guards if isinstance(g, (ProjectGuard, SystemGuard))
        ]
        got: Action | SystemAction | str | None = (
            actions[0] if actions else ("admin" if admin_only in guards else None)
        )
        assert len(actions) <= 1, op
        assert got == INTENDED[op], f"{op} is guarded by {got}, meant {INTENDED[op]}"


async def test_anonymous_callers_get_401_everywhere_but_public_routes(
    client: AsyncTestClient[Any], api: Api, db: Any
) -> None:
    users = {c: await api.user(c, role=SYSTEM_ROLE[c]) for c in CALLERS}
    world = await _world(db, users, 0)
    for op, spec in SPECS.items():
        path = spec.path.format(**vars(world))
        resp = await client.request(spec.method, path, json=spec.body(world, 0) if spec.body else None)
        assert resp.status_code == 401, (op, resp.status_code, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")


@pytest.mark.timeout(480)  # about 1,300 requests and 500 worlds: minutes on a busy machine
async def test_access_matrix(client: AsyncTestClient[Any], api: Api, db: Any) -> None:
    users = {c: await api.user(c, role=SYSTEM_ROLE[c]) for c in CALLERS}
    routes = _routes(client.app)
    strangers = {
        role: await api.user(f"stranger-{role}") for role in ("owner", "editor", "viewer", "outsider")
    }
    foreign = await _world(db, strangers, 10_000)  # a project none of the callers belongs to
    shared = await _world(db, users, 20_000)  # reads change nothing, so they share one world of their own
    failures: list[str] = []
    n = 0
    for op, spec in SPECS.items():
        _, handler = routes[op]
        for caller in CALLERS:
            for where in ("own", "foreign"):
                n += 1
                if where == "foreign" and spec.object == "invitation":
                    continue  # an invitation token is not "in" a project the caller could be outside of
                if where == "foreign":
                    world = foreign
                else:
                    world = shared if spec.method == "GET" else await _world(db, users, n)
                role = OWN_ROLE.get(caller) if where == "own" else None
                expected = spec.override.get(f"{caller}/{where}", spec.override.get(caller))
                if expected is None:
                    expected = _expected(handler, caller, role)
                headers = users[caller].headers
                if op == "Logout":
                    tokens = await api.login(users[caller].email)
                    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
                before = await _audit_count(db)
                path = spec.path.format(**vars(world))
                resp = await client.request(
                    spec.method, path, json=spec.body(world, n) if spec.body else None, headers=headers
                )
                ok = resp.status_code < 300 if expected is None else resp.status_code == expected
                if not ok:
                    failures.append(
                        f"{op} {caller}/{where}: expected {expected or '2xx'}, got {resp.status_code} {resp.text[:160]}"
                    )
                    continue
                mutated = expected is None and spec.audited and spec.method != "GET"
                if mutated and await _audit_count(db) <= before:
                    failures.append(f"{op} {caller}/{where}: succeeded without an audit record")
    assert not failures, "\n".join(failures)
