"""Notifications: in-app notifications per user, pushed live and delivered to the channels plugins offer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
from litestar.di import Provide

from workhub.accounts.events import UserRoleChanged
from workhub.kernel.plugins import Registry
from workhub.notifications import subscribers as on
from workhub.notifications.controllers import NotificationController, NotificationPreferenceController
from workhub.notifications.delivery import DELIVER_SUBSCRIBER, channel_delivery
from workhub.notifications.digests import DIGEST_CRON, send_due_digests
from workhub.notifications.events import (
    NotificationCreated,
    NotificationDeliveryDue,
    NotificationRead,
    NotificationsReadAll,
)
from workhub.notifications.services import RenderingNotifier
from workhub.projects.events import InvitationCreated, MemberRemoved
from workhub.tasks.events import CommentCreated, CommentUpdated, TaskCreated, TaskOverdue, TaskUpdated

__all__ = ("NotificationsPlugin", "plugin")


class NotificationsPlugin:
    """Registers the notification routes, texts, subscribers, live push, channel delivery and the notifier."""

    name = "notifications"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Provide the notifier other modules use; subscribe to the events that notify someone."""
        registry.set_notifier(RenderingNotifier(registry.notification_channels))
        registry.add_messages(Path(__file__).with_name("locales"))
        registry.add_routes(NotificationController, NotificationPreferenceController)
        registry.add_dependency(
            "notifications_channels",
            Provide(lambda: list(registry.notification_channels), sync_to_thread=False),
        )
        registry.subscribe(UserRoleChanged, handler=on.on_user_role_changed)
        registry.subscribe(TaskCreated, handler=on.on_task_created)
        registry.subscribe(TaskUpdated, handler=on.on_task_updated)
        registry.subscribe(TaskOverdue, handler=on.on_task_overdue)
        registry.subscribe(CommentCreated, handler=on.on_comment_created)
        registry.subscribe(CommentUpdated, handler=on.on_comment_updated)
        registry.subscribe(InvitationCreated, handler=on.on_invitation_created)
        registry.subscribe(MemberRemoved, handler=on.on_member_removed)
        # One job per delivery, made by the relay from the event written with the notification.
        registry.subscribe(
            NotificationDeliveryDue, handler=channel_delivery(registry), name=DELIVER_SUBSCRIBER
        )
        for event in (NotificationCreated, NotificationRead, NotificationsReadAll):
            registry.add_broadcast(event, rooms=lambda e: [f"user:{e.user_id}"])
        registry.add_cron(send_due_digests, DIGEST_CRON)


plugin = NotificationsPlugin()
