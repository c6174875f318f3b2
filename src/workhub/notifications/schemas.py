"""Requests and responses of notifications and notification preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

__all__ = (
    "IN_APP",
    "KindChoice",
    "KindPreference",
    "Notification",
    "NotificationPage",
    "NotificationPreferences",
    "PreferencesUpdate",
    "ReadAllResult",
    "UnreadCount",
)

IN_APP = "in_app"
"""The channel every notification goes to; it cannot be turned off."""

KindName = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
ChannelName = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class Notification(msgspec.Struct):
    """A notification as its recipient reads it (also the payload of ``notification.created``).

    ``title`` and ``body`` are in the recipient's language; ``link`` is the
    dashboard path of what it is about (``/tasks/<id>``, ``/projects/<id>``);
    ``data`` holds the ids behind it (``task_id``, ``project_id``, ``actor_id`` …).
    """

    id: UUID
    kind: str
    title: str
    body: str
    link: str | None
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class NotificationPage(msgspec.Struct):
    """A page of notifications, newest first; pass ``next_cursor`` back as ``cursor``."""

    items: list[Notification]
    next_cursor: str | None


class UnreadCount(msgspec.Struct):
    """How many of the caller's notifications are unread."""

    count: int


class ReadAllResult(msgspec.Struct):
    """How many notifications ``read-all`` marked as read."""

    marked: int


class KindPreference(msgspec.Struct):
    """The channels one kind of notification goes to (``in_app`` is always among them)."""

    kind: str
    label: str
    """The kind's name in the caller's language."""
    channels: list[str]


class KindChoice(msgspec.Struct):
    """The channels wanted for one kind (``in_app`` may be listed; it is on anyway)."""

    kind: KindName
    channels: Annotated[list[ChannelName], msgspec.Meta(max_length=20)]


class NotificationPreferences(msgspec.Struct):
    """Every kind of notification with its channels, and the channels that exist."""

    channels: list[str]
    """``in_app`` and the channels plugins provide (``email``, ``telegram`` …)."""
    kinds: list[KindPreference]


class PreferencesUpdate(msgspec.Struct):
    """The new channel choices; a kind left out goes back to in-app only."""

    kinds: Annotated[list[KindChoice], msgspec.Meta(max_length=200)]
