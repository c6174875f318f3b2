"""The record of daily digests: one row per user and local day."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import Boolean, Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workhub.kernel.db import Base

__all__ = ("DigestSent",)


class DigestSent(Base):
    """A user's digest day is done: sent (``notified``) or found empty.

    Unique per (user, local day) and inserted in the transaction that writes
    the notification, so a day is claimed and notified together or not at
    all: no restart, retry or second worker can send a second digest that day.
    ``created_at`` is when the day was done; the next digest reports what
    happened since then.
    """

    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("user_id", "local_date"),)

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    notified: Mapped[bool] = mapped_column(Boolean)
