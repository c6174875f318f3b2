"""Requests and responses of accounts, auth and user administration."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

__all__ = (
    "AdminUserUpdate",
    "LoginRequest",
    "LogoutRequest",
    "PasswordChange",
    "RefreshMode",
    "RefreshRequest",
    "RegisterRequest",
    "SignInProvider",
    "TokenPair",
    "User",
    "UserPage",
    "UserUpdate",
)

Email = Annotated[
    str, msgspec.Meta(min_length=3, max_length=320, pattern=r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$")
]
"""An address; surrounding spaces are allowed here and trimmed by the service."""
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
NewPassword = Annotated[
    str, msgspec.Meta(min_length=1, max_length=1024, extra_json_schema={"extra": {"minLength": 10}})
]
"""A password being chosen: the schema says 10 characters at least, while a shorter one is answered
by the service as ``weak_password`` (a code of its own that clients show), not a generic ``validation_error``."""
Locale = Literal["ru", "en"]
SystemRole = Literal["admin", "lead", "manager"]
"""The organisation role (kept in step with :data:`workhub.kernel.permissions.SystemRole`, which the guards read)."""
Offset = Annotated[int, msgspec.Meta(ge=0, le=60 * 24 * 60)]
DigestHour = Annotated[int, msgspec.Meta(ge=0, le=23)]
"""The local hour of the daily digest."""


class User(msgspec.Struct):
    """A user as they and administrators see them."""

    id: UUID
    email: str
    name: str
    role: SystemRole
    is_active: bool
    locale: Locale
    timezone: str
    reminder_offsets: list[int]
    created_at: datetime
    digest_hour: int = 9
    """Local hour of the daily digest (0–23, in ``timezone``)."""
    digest_enabled: bool = True


class UserPage(msgspec.Struct):
    """A page of users."""

    items: list[User]
    next_cursor: str | None


class RegisterRequest(msgspec.Struct):
    """Sign-up form; the password must have at least 10 characters and differ from the email."""

    email: Email
    password: NewPassword
    name: Name
    locale: Locale | None = None


RefreshMode = Literal["body", "cookie"]


class LoginRequest(msgspec.Struct):
    """Email and password; a browser asks for ``"refresh": "cookie"`` (see docs/api.md)."""

    email: Annotated[str, msgspec.Meta(max_length=320)]
    password: Password
    refresh: RefreshMode = "body"
    """``body``: the refresh token comes back in the JSON; ``cookie``: in an httpOnly cookie only."""


class RefreshRequest(msgspec.Struct):
    """A refresh token to trade for a new pair; without one, the refresh cookie is used."""

    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=512)] | None = None


class LogoutRequest(msgspec.Struct):
    """What to end: this sign-in (its refresh token or cookie), or ``everywhere`` every sign-in of the user."""

    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=512)] | None = None
    everywhere: bool = False


class TokenPair(msgspec.Struct):
    """An access token (JWT) and a refresh token (opaque, single use).

    ``refresh_token`` is null when it went into the refresh cookie instead.
    """

    access_token: str
    refresh_token: str | None
    expires_in: int
    token_type: str = "bearer"


class UserUpdate(msgspec.Struct, omit_defaults=True):
    """What a user may change about themselves (absent fields stay as they are)."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    locale: Locale | msgspec.UnsetType = msgspec.UNSET
    timezone: Annotated[str, msgspec.Meta(max_length=64)] | msgspec.UnsetType = msgspec.UNSET
    reminder_offsets: Annotated[list[Offset], msgspec.Meta(max_length=10)] | msgspec.UnsetType = msgspec.UNSET
    digest_hour: DigestHour | msgspec.UnsetType = msgspec.UNSET
    digest_enabled: bool | msgspec.UnsetType = msgspec.UNSET


class PasswordChange(msgspec.Struct):
    """The current password and the new one."""

    current_password: Password
    new_password: NewPassword


class AdminUserUpdate(msgspec.Struct, omit_defaults=True):
    """What an administrator may change about a user."""

    role: SystemRole | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class SignInProvider(msgspec.Struct):
    """A way to sign in that a plugin offers (``GET /api/v1/auth/providers/{name}/start`` begins it)."""

    name: str
