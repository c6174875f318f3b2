"""Projects: projects, members with roles, invitations."""

from __future__ import annotations

from typing import Any

import msgspec

from workhub.kernel.plugins import Registry
from workhub.projects.controllers import ProjectController
from workhub.projects.services import resolve_project_access

__all__ = ("ProjectsPlugin", "plugin")


class ProjectsPlugin:
    """Registers project routes and the ``project`` access scope."""

    name = "projects"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Add routes and the access resolver."""
        registry.add_access_scope("project", resolve_project_access)
        registry.add_routes(ProjectController)


plugin = ProjectsPlugin()
