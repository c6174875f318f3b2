"""A notification channel plugin for tests: it keeps what it is given instead of sending it.

It stands in for a real channel (email, Telegram), which would need the
outside world; it goes through the same registry call, preference check and
SAQ job as one would.
"""

from __future__ import annotations

from typing import Any

import msgspec

from workhub.kernel.extensions import Recipient, RenderedNotification
from workhub.kernel.plugins import Registry

__all__ = ("RecordingChannel", "RecordingChannelPlugin")


class RecordingChannel:
    """Records each delivery; fails the next ``fail`` deliveries first, as a flaky network would."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.delivered: list[tuple[RenderedNotification, Recipient]] = []
        self.fail = 0

    async def deliver(self, recipient: Recipient, notification: RenderedNotification) -> None:
        """Keep the notification (or raise while ``fail`` lasts)."""
        if self.fail:
            self.fail -= 1
            raise ConnectionError("the channel is down")
        self.delivered.append((notification, recipient))


class RecordingChannelPlugin:
    """Offers one :class:`RecordingChannel` called ``name``."""

    settings: type[msgspec.Struct] | None = None

    def __init__(self, name: str = "pigeon") -> None:
        self.name = f"{name}-plugin"
        self.channel = RecordingChannel(name)

    def setup(self, registry: Registry, settings: Any) -> None:
        """Register the channel."""
        registry.add_notification_channel(self.channel)
