"""Tasks: tasks, comments, soft delete and restore."""

from __future__ import annotations

from typing import Any

import msgspec

from workhub.kernel.plugins import Registry

__all__ = ("TasksPlugin", "plugin")


class TasksPlugin:
    """Registers task routes and the ``task``/``comment`` access scopes."""

    name = "tasks"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Add routes and access resolvers."""
        from workhub.tasks import models  # noqa: F401  (tables in the metadata)


plugin = TasksPlugin()
