"""Projects: projects, members with roles, invitations."""

from __future__ import annotations

from typing import Any

import msgspec

from workhub.kernel.plugins import Registry
from workhub.kernel.realtime import Revocation, project_room
from workhub.projects.cache import bump_on_event
from workhub.projects.controllers import (
    InvitationController,
    InvitationLinkController,
    MemberController,
    ProjectController,
)
from workhub.projects.events import (
    MemberAdded,
    MemberRemoved,
    MemberRoleChanged,
    ProjectArchived,
    ProjectCreated,
    ProjectRestored,
    ProjectUpdated,
)
from workhub.projects.services import resolve_project_access

__all__ = ("MESSAGES", "ProjectsPlugin", "plugin")

MESSAGES: dict[str, dict[str, str]] = {
    "projects.error.key_taken": {
        "en": "This project key is already taken",
        "ru": "Такой ключ проекта уже занят",
    },
    "projects.error.last_owner": {
        "en": "A project must keep at least one owner",
        "ru": "В проекте должен остаться хотя бы один владелец",
    },
    "projects.error.already_member": {
        "en": "This person is already a member of the project",
        "ru": "Этот человек уже участник проекта",
    },
    "projects.error.invitation_invalid": {
        "en": "This invitation is no longer valid",
        "ru": "Это приглашение больше не действует",
    },
    "projects.error.invitation_email_mismatch": {
        "en": "This invitation was sent to a different email address",
        "ru": "Это приглашение отправлено на другой адрес электронной почты",
    },
    "projects.role.owner": {"en": "Owner", "ru": "Владелец"},
    "projects.role.editor": {"en": "Editor", "ru": "Редактор"},
    "projects.role.viewer": {"en": "Viewer", "ru": "Наблюдатель"},
}
"""Texts users read: error titles and role names (the dashboard reads them too)."""


class ProjectsPlugin:
    """Registers project, member and invitation routes, texts and the ``project`` access scope."""

    name = "projects"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Add routes, texts and the access resolver."""
        registry.add_access_scope("project", resolve_project_access)
        registry.add_routes(
            ProjectController, MemberController, InvitationController, InvitationLinkController
        )
        registry.add_messages(MESSAGES)
        registry.subscribe(
            ProjectCreated,
            ProjectUpdated,
            ProjectArchived,
            ProjectRestored,
            MemberAdded,
            MemberRoleChanged,
            MemberRemoved,
            handler=bump_on_event,
            name="project_lists_changed",
            inline=True,
        )
        for event in (MemberAdded, MemberRoleChanged, MemberRemoved):
            registry.add_broadcast(event, rooms=project_room)
        # A removed member's sockets leave the project's room and every room joined through it.
        registry.add_room_revocation(
            MemberRemoved, lambda e: Revocation(user_id=e.user_id, project_id=e.project_id)
        )


plugin = ProjectsPlugin()
