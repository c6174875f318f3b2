"""The example's notification channel: it keeps each delivery in a Redis list instead of sending it.

A real channel (email, Telegram) sends to the outside world here; the shape
is the same: a typed recipient, the notification rendered in their
language, raise to have the worker retry.
"""

from __future__ import annotations

import msgspec

from workhub.kernel.extensions import Recipient, RenderedNotification
from workhub.kernel.plugins import Registry

__all__ = ("DELIVERIES_KEY", "ExampleChannel")

DELIVERIES_KEY = "wh:example:deliveries"
"""Newest delivery first, as JSON ``{"email", "locale", "title", "link"}``."""


class ExampleChannel:
    """A :class:`~workhub.kernel.extensions.NotificationChannel` called ``example``."""

    name = "example"

    def __init__(self, registry: Registry) -> None:
        self._registry = registry  # the runtime is live only once the process has started

    async def deliver(self, recipient: Recipient, notification: RenderedNotification) -> None:
        """Keep the delivery (a real channel would send it here)."""
        record = {
            "email": recipient.email,
            "locale": recipient.locale,
            "title": notification.title,
            "link": notification.link,
        }
        await self._registry.runtime.redis.lpush(DELIVERIES_KEY, msgspec.json.encode(record))  # type: ignore[misc]  # redis-py stubs
