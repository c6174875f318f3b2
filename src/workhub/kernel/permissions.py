"""The one permission table: which role may do which action.

REST guards, Socket.IO room joins, search results and exports all ask
:func:`allowed`. A caller with no role in a project (and no system role that
grants reading it) is told the project's objects do not exist (404), so ids
cannot be probed; a caller who may read but not act gets 403.

Outside any project, the organisation (system) role decides what a user may
do across WorkHub (:data:`SYSTEM_PERMISSIONS`, asked through
:func:`system_allowed`): leads set tasks for managers and create the
projects they do it in, managers carry tasks out in the projects they are
invited to, and administrators manage users and their roles.

The :class:`Action` enum lists the actions of the core; a module or plugin
adds its own with
:meth:`~workhub.kernel.plugins.Registry.add_permission_actions`, into the
:class:`PermissionTable` of the process's registry. The core rows stay a
constant (so :func:`allowed` needs no registry), and the table of a registry
answers for both (``registry.permissions.allowed``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Literal

__all__ = (
    "PROJECT_ROLES",
    "SYSTEM_PERMISSIONS",
    "SYSTEM_ROLES",
    "Action",
    "PermissionTable",
    "ProjectRole",
    "SystemAction",
    "SystemRole",
    "allowed",
    "can_read",
    "role_rank",
    "system_allowed",
    "system_role",
)

ProjectRole = Literal["owner", "editor", "viewer"]
PROJECT_ROLES: tuple[ProjectRole, ...] = ("owner", "editor", "viewer")

SystemRole = Literal["admin", "lead", "manager"]
"""The organisation role of a user: an administrator, a lead who sets tasks, a manager who carries them out."""
SYSTEM_ROLES: tuple[SystemRole, ...] = ("admin", "lead", "manager")
_LEGACY_ROLES: dict[str, SystemRole] = {"member": "manager"}
"""Roles that no longer exist, as an access token issued before their migration may still name them."""


class Action(StrEnum):
    """Everything that can be done inside a project."""

    PROJECT_READ = "project.read"
    PROJECT_UPDATE = "project.update"
    PROJECT_ARCHIVE = "project.archive"
    MEMBER_READ = "member.read"
    MEMBER_MANAGE = "member.manage"
    INVITATION_MANAGE = "invitation.manage"
    TASK_READ = "task.read"
    TASK_CREATE = "task.create"
    TASK_UPDATE = "task.update"
    TASK_DELETE = "task.delete"
    TASK_RESTORE = "task.restore"
    COMMENT_CREATE = "comment.create"
    COMMENT_DELETE_ANY = "comment.delete_any"
    AUDIT_READ = "audit.read"
    CHANNEL_READ = "channel.read"
    MESSAGE_POST = "message.post"
    CHANNEL_CREATE = "channel.create"
    CHANNEL_MANAGE = "channel.manage"
    MESSAGE_DELETE_ANY = "message.delete_any"
    INTEGRATION_MANAGE = "integration.manage"
    """Turn a plugin on or off for the project and set its per-project settings and secrets (owners)."""


_VIEWER = frozenset(
    {Action.PROJECT_READ, Action.MEMBER_READ, Action.TASK_READ, Action.CHANNEL_READ, Action.MESSAGE_POST}
)
_EDITOR = _VIEWER | {
    Action.CHANNEL_CREATE,
    Action.TASK_CREATE,
    Action.TASK_UPDATE,
    Action.TASK_DELETE,
    Action.COMMENT_CREATE,
    Action.AUDIT_READ,
}
_OWNER = frozenset(Action)

PERMISSIONS: dict[str, frozenset[Action]] = {
    "owner": _OWNER,
    "editor": frozenset(_EDITOR),
    "viewer": _VIEWER,
    # A system administrator who is not a member may read every project
    # (to search all tasks and investigate), but changes nothing in it and
    # does not read its chat.
    "admin": frozenset({Action.PROJECT_READ, Action.MEMBER_READ, Action.TASK_READ, Action.AUDIT_READ}),
}
"""Role → allowed actions. ``admin`` applies only where the admin has no project role."""


class SystemAction(StrEnum):
    """What a user may do outside any one project, by organisation role."""

    PROJECT_CREATE = "project.create"
    """Create a project (and become its owner)."""
    ADMINISTER = "system.administer"
    """The ``/api/v1/admin/*`` routes: users and their roles, the audit log, failed jobs."""


SYSTEM_PERMISSIONS: dict[SystemRole, frozenset[SystemAction]] = {
    "admin": frozenset(SystemAction),
    "lead": frozenset({SystemAction.PROJECT_CREATE}),
    # A manager works in the projects they are invited to; "tasks I set"
    # (``creator=me``) stays open to them, but it is the lead's view.
    "manager": frozenset(),
}
"""Organisation role → what it allows beyond the projects the user is a member of."""


def system_role(claim: object) -> SystemRole:
    """The system role an access token's ``role`` claim names (``member`` of old tokens: manager).

    An unknown or missing claim is the least privileged role.
    """
    if claim in SYSTEM_ROLES:
        return claim  # type: ignore[return-value]
    return _LEGACY_ROLES.get(str(claim), "manager")


def system_allowed(role: str | None, action: SystemAction) -> bool:
    """Whether a user with system ``role`` (None: unknown or deactivated) may do ``action``."""
    return role in SYSTEM_PERMISSIONS and action in SYSTEM_PERMISSIONS[role]  # type: ignore[index]


_RANK = {"viewer": 1, "editor": 2, "owner": 3}


def effective_role(project_role: str | None, *, is_admin: bool) -> str | None:
    """The row of the table that applies: the project role, else ``admin`` for admins."""
    if project_role is not None:
        return project_role
    return "admin" if is_admin else None


def allowed(project_role: str | None, action: Action, *, is_admin: bool = False) -> bool:
    """Whether a caller with ``project_role`` (None: not a member) may do ``action``."""
    role = effective_role(project_role, is_admin=is_admin)
    return role is not None and action in PERMISSIONS[role]


def can_read(project_role: str | None, *, is_admin: bool = False) -> bool:
    """Whether the project exists for this caller at all."""
    return allowed(project_role, Action.PROJECT_READ, is_admin=is_admin)


_ACTION_NAME = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_]*)+$")
_CORE_ACTIONS = frozenset(a.value for a in Action)


class PermissionTable:
    """The permission table of one process: the core :class:`Action` rows plus registered actions.

    A registered action is granted to the project roles it was registered
    with, and to nobody else: the ``admin`` row (reading projects one is not
    a member of) covers only core actions.
    """

    def __init__(self) -> None:
        self._added: dict[str, frozenset[str]] = {}

    def add(self, action: str, roles: Iterable[str]) -> None:
        """Grant the new ``action`` to ``roles``; ValueError for a bad or taken name or an unknown role."""
        granted = frozenset(roles)
        if not _ACTION_NAME.match(action):
            raise ValueError(f"the action {action!r} must be '<prefix>.<verb>' in lower case")
        if action in _CORE_ACTIONS or action in self._added:
            raise ValueError(f"the action {action!r} already exists")
        if not granted <= set(PROJECT_ROLES):
            unknown = ", ".join(sorted(granted - set(PROJECT_ROLES)))
            raise ValueError(f"the action {action!r} names roles that do not exist: {unknown}")
        self._added[action] = granted

    def knows(self, action: str) -> bool:
        """Whether ``action`` is a core action or a registered one."""
        return action in _CORE_ACTIONS or action in self._added

    def allowed(self, project_role: str | None, action: str, *, is_admin: bool = False) -> bool:
        """:func:`allowed` for core actions; for a registered one, whether ``project_role`` was granted it."""
        if action in _CORE_ACTIONS:
            return allowed(project_role, Action(action), is_admin=is_admin)
        return project_role is not None and project_role in self._added.get(action, ())


def role_rank(role: str) -> int:
    """Order of project roles (viewer < editor < owner)."""
    return _RANK[role]
