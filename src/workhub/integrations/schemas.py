"""The API form of per-project plugin configuration."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

__all__ = ("ProjectPlugin", "ProjectPluginUpdate")

SecretValue = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


class ProjectPlugin(msgspec.Struct, kw_only=True):
    """A plugin that can be configured per project, as the project's owners see it.

    Secrets are never returned: ``secrets`` says only which are set.
    """

    plugin: str
    configured: bool
    enabled: bool
    settings: dict[str, Any] | None
    """The current settings, or the defaults when not configured (None when some setting has no default)."""
    secrets: dict[str, bool]
    """Each secret the plugin declares → whether a value is stored."""
    settings_schema: dict[str, Any] | None
    """JSON Schema of the plugin's settings (None when it declares none)."""
    secrets_schema: dict[str, Any] | None
    """JSON Schema of its secrets: names and bounds, never values."""


class ProjectPluginUpdate(msgspec.Struct, kw_only=True):
    """Turn a plugin on or off and set its configuration.

    ``settings`` replaces the settings as a whole (missing fields take their
    defaults); ``secrets`` changes only the names it lists (a value sets one,
    ``null`` clears it) and keeps the others.
    """

    enabled: bool = True
    settings: dict[str, Any] = {}
    secrets: dict[str, SecretValue | None] = {}
