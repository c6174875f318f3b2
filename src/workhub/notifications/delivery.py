"""The SAQ job that hands one notification to one channel plugin.

The job claims the delivery by inserting a ``notification_delivery`` row in
the transaction that calls the channel: when ``deliver`` raises, the claim is
rolled back and SAQ retries with backoff; once it succeeded, the claim makes
any later run of the same job (a repeated event, a re-enqueued key) a no-op.
A second run that starts while the first is still delivering waits on the
claim's unique key and then finds it taken.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from workhub.accounts.services import UserService
from workhub.kernel.clock import clock
from workhub.kernel.db import new_id, session_scope
from workhub.kernel.extensions import RenderedNotification
from workhub.notifications.models import Notification, NotificationDelivery

if TYPE_CHECKING:
    from workhub.kernel.plugins import Registry

__all__ = ("DELIVER_JOB", "deliver_to_channel")

logger = logging.getLogger("workhub.notifications")
DELIVER_JOB = "notifications.deliver_to_channel"


async def deliver_to_channel(ctx: dict[str, Any], *, notification_id: str, channel: str) -> None:
    """SAQ job: deliver notification ``notification_id`` through ``channel``, once.

    The channel's ``config`` is the recipient's contact details from their
    profile (``email``, ``name``, ``timezone``); a channel that needs more
    (a Telegram chat) keeps its own link from the user id.
    """
    registry: Registry = ctx["registry"]
    target = registry.notification_channels.get(channel)
    if target is None:
        logger.warning("notification channel %s is gone; dropping delivery of %s", channel, notification_id)
        return
    nid = UUID(notification_id)
    async with session_scope(registry.runtime.db) as session:
        row = await session.scalar(select(Notification).where(Notification.id == nid))
        if row is None:  # the user (and with them the notification) is gone
            return
        now = clock.now()
        claimed = await session.scalar(
            insert(NotificationDelivery)
            .values(id=new_id(), notification_id=nid, channel=channel, created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["notification_id", "channel"])
            .returning(NotificationDelivery.id)
        )
        if claimed is None:
            return
        profile = await UserService(session=session).find_profile(row.user_id)
        if profile is None:
            return
        rendered = RenderedNotification(
            user_id=row.user_id,
            kind=row.kind,
            title=row.title,
            body=row.body,
            link=row.link,
            locale=profile.locale,
        )
        await target.deliver(
            rendered, {"email": profile.email, "name": profile.name, "timezone": profile.timezone}
        )
