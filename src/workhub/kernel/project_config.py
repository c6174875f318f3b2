"""Per-project plugin configuration, as a plugin reads it: typed settings and decrypted secrets.

A plugin declares two msgspec Structs on its plugin object: ``project_settings``
(shown to the project's owners and in the audit log) and ``project_secrets``
(write-only: encrypted at rest, never in a response, a log line or an audit
diff). Owners enable and configure it per project through
``/api/v1/projects/{id}/plugins/{plugin}``; the plugin reads the result with
``await runtime.project_configs.get("<plugin>", project_id)``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable
from uuid import UUID

import msgspec

__all__ = ("ProjectConfigs", "ProjectIntegration", "ProjectSchema")


class ProjectSchema(msgspec.Struct, frozen=True):
    """The per-project settings and secrets a plugin declares (either may be None)."""

    settings: type[msgspec.Struct] | None = None
    secrets: type[msgspec.Struct] | None = None


class ProjectIntegration(msgspec.Struct, frozen=True, kw_only=True):
    """One plugin's configuration in one project, decoded into the plugin's own Structs."""

    plugin: str
    project_id: UUID
    enabled: bool
    settings: Any
    """An instance of the plugin's ``project_settings`` Struct (None when it declares none)."""
    secrets: Any
    """An instance of the plugin's ``project_secrets`` Struct, decrypted (None when it declares none)."""
    configured_by: UUID | None = None
    """The owner who last changed it: whose rights an intake source acts with by default."""


@runtime_checkable
class ProjectConfigs(Protocol):
    """Reads per-project plugin configuration (the core ``integrations`` module provides it)."""

    async def get(self, plugin: str, project_id: UUID) -> ProjectIntegration | None:
        """The configuration of ``plugin`` in the project, enabled or not; None when never configured."""
        ...
