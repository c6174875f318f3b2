"""Users and their refresh tokens."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import ARRAY, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from workhub.kernel.db import Base

__all__ = ("RefreshToken", "User")

DEFAULT_REMINDER_OFFSETS = [24 * 60, 60]
"""Minutes before a deadline: one day and one hour."""
DEFAULT_DIGEST_HOUR = 9
"""The daily digest comes at 09:00 local time unless the user picks another hour."""


class User(Base):
    """A person who signs in; ``email`` is stored normalised (trimmed, lower case)."""

    __tablename__ = "user_account"
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="manager", index=True)
    """The organisation role: ``admin``, ``lead`` or ``manager`` (see kernel/permissions.py)."""
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(5), default="ru")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    reminder_offsets: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), default=lambda: list(DEFAULT_REMINDER_OFFSETS)
    )
    digest_hour: Mapped[int] = mapped_column(Integer, default=DEFAULT_DIGEST_HOUR)
    """Local hour (0–23, in ``timezone``) at which the daily digest is sent."""
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RefreshToken(Base):
    """One refresh token (stored as a hash); tokens of one login share a family.

    ``access_jti`` names the access token issued together with this refresh
    token, so ending a login (sign-out, reuse of a rotated token, a password
    change elsewhere) can deny that login's live access tokens one by one and
    leave the user's other logins alone.
    """

    __tablename__ = "refresh_token"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[UUID] = mapped_column(index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    access_jti: Mapped[str | None] = mapped_column(String(64))
