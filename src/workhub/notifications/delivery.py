"""The subscriber that hands one notification to one channel plugin: one SAQ job per delivery.

A notification is written with one ``notification.delivery_due`` event per
channel its recipient chose for its kind (:mod:`workhub.notifications.services`);
the relay makes each of those this subscriber's job, so no job sits between
the notification and its deliveries. The event carries the recipient and the
rendered notification as they were when it was written, so a delivery reads
neither the profile nor the notification again.

The job claims the delivery by inserting a ``notification_delivery`` row in
the transaction that calls the channel: when ``deliver`` raises, the claim is
rolled back and SAQ retries with backoff; once it succeeded, the claim makes
any later run of the same job (a repeated event, a re-enqueued key) a no-op.
A second run that starts while the first is still delivering waits on the
claim's unique key and then finds it taken. The claim is made only while the
notification exists (a user who is gone, and their notifications with them,
gets nothing).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import msgspec
from sqlalchemy import DateTime, String, Uuid, bindparam, text

from workhub.kernel.clock import clock
from workhub.kernel.db import new_id, session_scope

if TYPE_CHECKING:
    from workhub.kernel.plugins import Registry, Runtime, SubscriberHandler
    from workhub.notifications.events import NotificationDeliveryDue

__all__ = ("DELIVER_SUBSCRIBER", "channel_delivery")

logger = logging.getLogger("workhub.notifications")
DELIVER_SUBSCRIBER = "deliver_to_channel"
"""The subscriber's name in this module (``notifications.deliver_to_channel`` in the registry)."""

_CLAIM = text(
    "INSERT INTO notification_delivery (id, notification_id, channel, created_at, updated_at)"
    " SELECT :id, n.id, :channel, :now, :now FROM notification AS n WHERE n.id = :notification_id"
    " ON CONFLICT (notification_id, channel) DO NOTHING"
    " RETURNING id, (SELECT a.address FROM channel_address AS a WHERE a.user_id = :user_id AND a.channel = :channel)"
).bindparams(
    bindparam("id", type_=Uuid()),
    bindparam("notification_id", type_=Uuid()),
    bindparam("user_id", type_=Uuid()),
    bindparam("channel", type_=String()),
    bindparam("now", type_=DateTime(timezone=True)),
)
"""The claim, taken only while the notification exists, with the user's address on the channel:
one statement is all a delivery reads or writes."""


def channel_delivery(registry: Registry) -> SubscriberHandler:
    """The subscriber of ``notification.delivery_due``: deliver it through its channel, once."""

    async def deliver_to_channel(event: NotificationDeliveryDue, runtime: Runtime) -> None:
        target = registry.notification_channels.get(event.channel)
        if target is None:
            logger.warning(
                "notification channel %s is gone; dropping delivery of %s", event.channel, event.entity_id
            )
            return
        async with session_scope(runtime.db) as session:
            now = clock.now()
            claimed = (
                await session.execute(
                    _CLAIM,
                    {
                        "id": new_id(),
                        "notification_id": event.entity_id,
                        "user_id": event.recipient.user_id,
                        "channel": event.channel,
                        "now": now,
                    },
                )
            ).first()
            if claimed is None:  # delivered already, or the notification is gone
                return
            recipient = msgspec.structs.replace(event.recipient, address=claimed[1])
            await target.deliver(recipient, event.notification)

    return deliver_to_channel
