"""Notifications: in-app notification rows per user (delivery channels come from plugins)."""

from __future__ import annotations

from typing import Any

import msgspec

from workhub.kernel.plugins import Registry

__all__ = ("NotificationsPlugin", "plugin")


class NotificationsPlugin:
    """Registers the notification subscribers."""

    name = "notifications"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Subscribe to the events that notify someone."""


plugin = NotificationsPlugin()
