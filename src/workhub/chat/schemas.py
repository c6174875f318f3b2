"""Requests and responses of channels and messages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

__all__ = (
    "MAX_METADATA_BYTES",
    "MAX_TEXT",
    "Channel",
    "ChannelCreate",
    "ChannelList",
    "ChannelMemberAdd",
    "ChannelUpdate",
    "ChannelWithUnread",
    "Message",
    "MessageCreate",
    "MessagePage",
    "MessageUpdate",
    "ReadMark",
    "ReadState",
    "TaskRef",
)

MAX_TEXT = 10_000
"""The longest message, in characters."""
MAX_METADATA_BYTES = 4096
"""The largest ``metadata`` object, as compact JSON."""

ChannelName = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
Topic = Annotated[str, msgspec.Meta(max_length=250)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEXT)]
Members = Annotated[list[UUID], msgspec.Meta(max_length=500)]


class Channel(msgspec.Struct):
    """A channel as its readers see it (also the payload of channel events).

    ``default`` marks the project's ``general`` channel, which cannot be
    archived or made private; ``member_ids`` lists the members of a private
    channel (empty for public ones, which every project member reads).
    """

    id: UUID
    project_id: UUID
    name: str
    topic: str
    private: bool
    default: bool
    archived: bool
    created_by: UUID | None
    created_at: datetime
    member_ids: list[UUID]


class ChannelWithUnread(Channel):
    """A channel in the caller's list, with how many messages of others they have not read."""

    unread: int


class ChannelList(msgspec.Struct):
    """A project's channels the caller can read, ``general`` first, then by name."""

    items: list[ChannelWithUnread]


class ChannelCreate(msgspec.Struct):
    """A new channel; a private one starts with its creator and ``member_ids`` (project members)."""

    name: ChannelName
    topic: Topic = ""
    private: bool = False
    member_ids: Members = []


class ChannelUpdate(msgspec.Struct, omit_defaults=True):
    """Rename, change the topic, or bring an archived channel back with ``archived: false``."""

    name: ChannelName | msgspec.UnsetType = msgspec.UNSET
    topic: Topic | msgspec.UnsetType = msgspec.UNSET
    archived: bool | msgspec.UnsetType = msgspec.UNSET


class ChannelMemberAdd(msgspec.Struct):
    """A project member to add to a private channel."""

    user_id: UUID


class TaskRef(msgspec.Struct):
    """A task named in a message's text (``OPS-42``) that the reader can open."""

    key: str
    task_id: UUID
    url: str


class Message(msgspec.Struct):
    """A message (also the payload of message events).

    A deleted message stays as a tombstone: ``deleted`` is true and ``text``
    and ``metadata`` are empty, so replies and read positions keep their place.
    """

    id: UUID
    channel_id: UUID
    project_id: UUID
    author_id: UUID | None
    text: str
    metadata: dict[str, Any] | None
    task_refs: list[TaskRef]
    created_at: datetime
    edited_at: datetime | None
    deleted: bool


class MessagePage(msgspec.Struct):
    """Messages newest first; ``has_more`` says whether the list goes on past the last item in the asked direction.

    Without ``after`` (or with ``before``) the next page is older: pass the
    last item's id as ``before``. With ``after`` the page holds the messages
    right after that id and the next one is newer: pass the first item's id as
    ``after``.
    """

    items: list[Message]
    has_more: bool


class MessageCreate(msgspec.Struct):
    """A new message: 1 to 10,000 characters, and an optional JSON object for clients (4 KB at most)."""

    text: Text
    metadata: dict[str, Any] | None = None


class MessageUpdate(msgspec.Struct, omit_defaults=True):
    """New text (and, when given, metadata) of one's own message."""

    text: Text
    metadata: dict[str, Any] | msgspec.UnsetType | None = msgspec.UNSET


class ReadMark(msgspec.Struct, omit_defaults=True):
    """Mark the channel read up to ``message_id`` (default: its newest message)."""

    message_id: UUID | None = None


class ReadState(msgspec.Struct):
    """The caller's place in a channel after marking it read."""

    channel_id: UUID
    last_read_id: UUID | None
    unread: int
