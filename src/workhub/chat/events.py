"""Events the chat module publishes.

Each carries the channel or message as the REST API returns it, so the
realtime bridge pushes it as is. What the audit log records (``changes``)
never holds message text: project audit is read by editors, who may not be
members of a private channel. It records which channel, membership changes,
and the name and topic of public channels only.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from workhub.chat.schemas import Channel, Message
from workhub.kernel.events import DomainEvent

__all__ = (
    "ChannelArchived",
    "ChannelCreated",
    "ChannelMemberAdded",
    "ChannelMemberRemoved",
    "ChannelUpdated",
    "MessageCreated",
    "MessageDeleted",
    "MessageUpdated",
)


class _ChannelEvent(DomainEvent, frozen=True, kw_only=True):
    entity_type: ClassVar[str] = "chat_channel"
    channel_id: UUID
    channel: Channel


class ChannelCreated(_ChannelEvent, frozen=True, kw_only=True, tag="channel.created"):
    """A channel exists (the project's ``general`` one, or one a member created)."""


class ChannelUpdated(_ChannelEvent, frozen=True, kw_only=True, tag="channel.updated"):
    """A channel was renamed, got a new topic, or came back from the archive."""


class ChannelArchived(_ChannelEvent, frozen=True, kw_only=True, tag="channel.archived"):
    """A channel was archived: still readable, nobody posts in it."""


class ChannelMemberAdded(_ChannelEvent, frozen=True, kw_only=True, tag="channel.member_added"):
    """A project member was added to a private channel."""

    user_id: UUID


class ChannelMemberRemoved(_ChannelEvent, frozen=True, kw_only=True, tag="channel.member_removed"):
    """A member left a private channel, was removed from it, or left the project."""

    user_id: UUID


class _MessageEvent(DomainEvent, frozen=True, kw_only=True):
    entity_type: ClassVar[str] = "chat_message"
    channel_id: UUID
    message: Message


class MessageCreated(_MessageEvent, frozen=True, kw_only=True, tag="message.created"):
    """Someone posted in a channel."""


class MessageUpdated(_MessageEvent, frozen=True, kw_only=True, tag="message.updated"):
    """The author changed their message."""


class MessageDeleted(_MessageEvent, frozen=True, kw_only=True, tag="message.deleted"):
    """A message was deleted by its author or a project owner; ``message`` is its tombstone."""
