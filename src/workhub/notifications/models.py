"""Notification rows (one per recipient), each user's channel choices, channel deliveries, and who a task's comments mentioned."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ARRAY, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from workhub.kernel.db import Base

__all__ = ("MentionThread", "Notification", "NotificationDelivery", "NotificationPreference")


class Notification(Base):
    """Something a user should know, rendered in their language when it was created.

    ``event_id`` is the domain event the notification came from: with the
    recipient it is unique, so an event delivered twice notifies once.
    """

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_notification_user", "user_id", "id"),
        Index("ix_notification_unread", "user_id", postgresql_where=text("read_at IS NULL")),
    )

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(1000))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    event_id: Mapped[UUID]
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NotificationPreference(Base):
    """The channels besides in-app a user wants one ``kind`` of notification on.

    No row means in-app only: a plugin channel (email, Telegram) is opt-in.
    """

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(50))
    channels: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)


class NotificationDelivery(Base):
    """A notification handed to a channel; the row is the claim that makes a retried job deliver once."""

    __tablename__ = "notification_delivery"
    __table_args__ = (UniqueConstraint("notification_id", "channel"),)

    notification_id: Mapped[UUID] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(40))


class ChannelAddress(Base):
    """Where a channel reaches a user (a Telegram chat id), recorded by the channel's plugin.

    Deliveries read it in the statement that claims them and hand it to the
    channel as ``recipient.address``.
    """

    __tablename__ = "channel_address"
    __table_args__ = (UniqueConstraint("user_id", "channel"),)

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(500))


class MentionThread(Base):
    """Who a task's discussion has ``@mentioned`` so far: each of them hears of every new comment on it.

    Kept by the comment notices (a new or edited comment adds the members it
    mentions; once mentioned, one follows the task), so a new comment reads
    this row instead of every earlier comment. A task's row is made by its
    first comment notice, from the comments it had by then.
    """

    __tablename__ = "notification_thread"
    __table_args__ = (UniqueConstraint("task_id"),)

    task_id: Mapped[UUID] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    mentioned: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid), default=list)
