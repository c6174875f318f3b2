"""Projects: projects, members with roles, invitations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from workhub.kernel.plugins import Registry
from workhub.kernel.realtime import Revocation, project_room
from workhub.projects._invitations import invited_signup_role
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

__all__ = ("ProjectsPlugin", "plugin")


class ProjectsPlugin:
    """Registers project, member and invitation routes, texts and the ``project`` access scope."""

    name = "projects"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Add routes, texts, the access resolver and the role of invited newcomers."""
        registry.add_access_scope("project", resolve_project_access)
        registry.set_signup_role_source(invited_signup_role)
        registry.add_routes(
            ProjectController, MemberController, InvitationController, InvitationLinkController
        )
        registry.add_messages(Path(__file__).with_name("locales"))
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
