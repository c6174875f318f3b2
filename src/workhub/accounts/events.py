"""Events the accounts module publishes."""

from __future__ import annotations

from typing import ClassVar

from workhub.kernel.events import DomainEvent

__all__ = (
    "UserLoggedIn",
    "UserPasswordChanged",
    "UserRegistered",
    "UserRoleChanged",
    "UserUpdated",
)


class _UserEvent(DomainEvent, frozen=True, kw_only=True):
    entity_type: ClassVar[str] = "user"


class UserRegistered(_UserEvent, frozen=True, kw_only=True, tag="user.registered"):
    """A new account exists."""

    email: str


class UserUpdated(_UserEvent, frozen=True, kw_only=True, tag="user.updated"):
    """Profile fields changed (name, locale, time zone, reminders, active flag)."""


class UserRoleChanged(_UserEvent, frozen=True, kw_only=True, tag="user.role_changed"):
    """An administrator changed a user's system role."""

    old_role: str
    new_role: str


class UserPasswordChanged(_UserEvent, frozen=True, kw_only=True, tag="user.password_changed"):
    """The password changed; every session of the user was ended."""


class UserLoggedIn(_UserEvent, frozen=True, kw_only=True, tag="user.logged_in"):
    """A successful sign-in (kept for the audit trail)."""
