"""Project chat: channels, messages, mentions and unread counts."""

from __future__ import annotations

from typing import Any

import msgspec

from workhub.kernel.plugins import Registry

__all__ = ("ChatPlugin", "plugin")


class ChatPlugin:
    """Registers the module's routes, subscribers and texts."""

    name = "chat"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Nothing registered yet."""


plugin = ChatPlugin()
