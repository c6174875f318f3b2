"""The browser dashboard, served at ``/``: hashed assets cached for a year, every other page path gets ``index.html``."""

from __future__ import annotations

from pathlib import Path

import msgspec

from workhub.kernel.plugins import Registry
from workhub.web.controllers import STATIC_DIR, dashboard_routes

__all__ = ("WebPlugin", "WebSettings", "plugin")


class WebSettings(msgspec.Struct, kw_only=True):
    """``WORKHUB_WEB_*``: where the built dashboard is (the package's ``static`` folder by default)."""

    static_dir: str | None = None


class WebPlugin:
    """Registers the dashboard's routes (after every API route, which always wins)."""

    name = "web"
    settings: type[msgspec.Struct] | None = WebSettings

    def setup(self, registry: Registry, settings: WebSettings) -> None:
        """Add the asset router and the page fallback."""
        registry.add_routes(
            *dashboard_routes(Path(settings.static_dir) if settings.static_dir else STATIC_DIR)
        )


plugin = WebPlugin()
