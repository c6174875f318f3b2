"""Events the notifications module publishes.

``notification.created`` is pushed to the recipient's ``user:<id>`` room and
drives delivery to their other channels; it is not audited (the event that
caused the notification already is). Marking read and changing preferences
are the user's own changes and are audited like any other.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from workhub.kernel.events import DomainEvent
from workhub.notifications.schemas import Notification

__all__ = (
    "NotificationCreated",
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


class NotificationRead(_NotificationEvent, frozen=True, kw_only=True, tag="notification.read"):
    """The recipient marked one notification as read."""


class NotificationsReadAll(_NotificationEvent, frozen=True, kw_only=True, tag="notification.read_all"):
    """The user marked all their notifications as read; ``marked`` is how many were unread."""

    entity_type: ClassVar[str] = "user"
    marked: int


class NotificationPreferencesChanged(
    _NotificationEvent, frozen=True, kw_only=True, tag="notification.preferences_changed"
):
    """The user saved their channel choices (``changes``: kind → [channels before, after])."""

    entity_type: ClassVar[str] = "user"
