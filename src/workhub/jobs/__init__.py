"""User jobs: exports, statistics and imports with live progress."""

from __future__ import annotations

from typing import Any

import msgspec

from workhub.kernel.plugins import Registry

__all__ = ("JobsPlugin", "plugin")


class JobsPlugin:
    """Registers the module's routes, subscribers and texts."""

    name = "jobs"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Nothing registered yet."""


plugin = JobsPlugin()
