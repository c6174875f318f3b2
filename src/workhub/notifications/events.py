"""Events the notifications module publishes.

``notification.created`` is pushed to the recipient's ``user:<id>`` room;
``notification.delivery_due``, written with it once per channel the recipient
chose for its kind, is the one job that delivers it there. Neither is audited
(the event that caused the notification already is). Marking read and changing preferences
are the user's own changes and are audited like any other.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from workhub.kernel.events import DomainEvent
from workhub.kernel.extensions import Recipient, RenderedNotification
from workhub.notifications.schemas import Notification

__all__ = (
    "ChannelAddressChanged",
    "NotificationCreated",
    "NotificationDeliveryDue",
    "NotificationPreferencesChanged",
    "NotificationRead",
    "NotificationsReadAll",
)


class _NotificationEvent(DomainEvent, frozen=True, kw_only=True):
    entity_type: ClassVar[str] = "notification"
    user_id: UUID
    """The recipient."""


class NotificationCreated(_NotificationEvent, frozen=True, kw_only=True, tag="notification.created"):
    """A user has a new notification (as the REST API returns it)."""

    audited: ClassVar[bool] = False
    notification: Notification


class NotificationDeliveryDue(_NotificationEvent, frozen=True, kw_only=True, tag="notification.delivery_due"):
    """A new notification (``entity_id``) is due on ``channel``, which its recipient chose for its kind.

    It carries everything the channel is handed, read when the notification
    was written, so delivering it reads no profile or notification again.
    """

    audited: ClassVar[bool] = False
    channel: str
    recipient: Recipient
    notification: RenderedNotification


class NotificationRead(_NotificationEvent, frozen=True, kw_only=True, tag="notification.read"):
    """The recipient marked one notification as read."""


class NotificationsReadAll(_NotificationEvent, frozen=True, kw_only=True, tag="notification.read_all"):
    """The user marked all their notifications as read; ``marked`` is how many were unread."""

    entity_type: ClassVar[str] = "user"
    marked: int


class ChannelAddressChanged(
    _NotificationEvent, frozen=True, kw_only=True, tag="notification.address_changed"
):
    """A channel's plugin recorded or forgot where it reaches the user (``changes``: channel → [before, after])."""

    entity_type: ClassVar[str] = "user"
    channel: str


class NotificationPreferencesChanged(
    _NotificationEvent, frozen=True, kw_only=True, tag="notification.preferences_changed"
):
    """The user saved their channel choices (``changes``: kind → [channels before, after])."""

    entity_type: ClassVar[str] = "user"
