"""Notifications: in-app notification rows per user (delivery channels come from plugins)."""

from __future__ import annotations

from typing import Any

import msgspec

from workhub.accounts.events import UserRoleChanged
from workhub.kernel.plugins import Registry
from workhub.notifications.services import MESSAGES, on_user_role_changed

__all__ = ("NotificationsPlugin", "plugin")


class NotificationsPlugin:
    """Registers the notification texts and subscribers."""

    name = "notifications"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Subscribe to the events that notify someone."""
        registry.add_messages(MESSAGES)
        registry.subscribe(UserRoleChanged, handler=on_user_role_changed)


plugin = NotificationsPlugin()
