"""Channels of a project, who is in the private ones, their messages and each reader's place."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from workhub.kernel.db import Base

__all__ = ("Channel", "ChannelMember", "Message", "ReadMarker")


class Channel(Base):
    """A project's channel; public ones are open to every member, private ones to their listed members.

    Names are unique among a project's live channels (an archived channel
    frees its name), and a project has one default channel (``general``),
    which the partial unique index keeps single however often it is created.
    """

    __tablename__ = "chat_channel"
    __table_args__ = (
        Index(
            "uq_chat_channel_live_name",
            "project_id",
            "name",
            unique=True,
            postgresql_where=text("archived_at IS NULL"),
        ),
        Index("uq_chat_channel_default", "project_id", unique=True, postgresql_where=text("is_default")),
    )

    project_id: Mapped[UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    topic: Mapped[str] = mapped_column(String(250), default="")
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ChannelMember(Base):
    """A listed member of a private channel (public channels list nobody)."""

    __tablename__ = "chat_channel_member"
    __table_args__ = (UniqueConstraint("channel_id", "user_id"),)

    channel_id: Mapped[UUID] = mapped_column(ForeignKey("chat_channel.id", ondelete="CASCADE"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)


class Message(Base):
    """A message; deleting it keeps a tombstone (text cleared, ``deleted_at`` set) so threads keep their shape."""

    __tablename__ = "chat_message"
    __table_args__ = (Index("ix_chat_message_channel", "channel_id", "id"),)
    """A channel's messages are paged by id (UUIDv7 ids follow creation time)."""

    channel_id: Mapped[UUID] = mapped_column(ForeignKey("chat_channel.id", ondelete="CASCADE"))
    author_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReadMarker(Base):
    """The newest message a user has read in a channel; what is newer is unread."""

    __tablename__ = "chat_read_marker"
    __table_args__ = (UniqueConstraint("channel_id", "user_id"),)

    channel_id: Mapped[UUID] = mapped_column(ForeignKey("chat_channel.id", ondelete="CASCADE"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    last_read_id: Mapped[UUID]
