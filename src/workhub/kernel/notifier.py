"""How a module tells a user something: the :class:`Notifier` protocol and its request.

The notifications module renders, stores, pushes and delivers notifications,
and it listens to the events of the modules below it (tasks, projects). Those
modules still have to notify people themselves (reminders, chat mentions,
finished jobs), so they call this protocol, which the notifications module
provides at setup (``registry.set_notifier``) and a subscriber or job reads as
``runtime.notifier``: the dependency points one way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

import msgspec

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("NotificationRequest", "Notifier", "Profile")


class NotificationRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One notification to send: to whom, which kind, for which event, with which text parameters.

    ``params`` fill the ``notification.<kind>.title``/``.body`` texts (a
    :class:`~workhub.kernel.i18n.Msg` value is translated too); ``event_id``
    makes sending idempotent: the same event notifies a user once.
    """

    user_id: UUID
    kind: str
    event_id: UUID
    params: Mapping[str, object] = {}
    link: str | None = None
    data: Mapping[str, Any] = {}


class Profile(Protocol):
    """What the notifier needs of a recipient's profile a caller already read.

    Their language renders the notification; the rest travels with each
    channel delivery (a :class:`~workhub.kernel.extensions.Recipient`), so the
    profile is read once per notification.
    """

    @property
    def name(self) -> str:
        """The recipient's display name."""
        ...

    @property
    def email(self) -> str:
        """Their email address."""
        ...

    @property
    def locale(self) -> str:
        """Their language (``ru``, ``en``)."""
        ...

    @property
    def timezone(self) -> str:
        """Their IANA time zone."""
        ...


class Notifier(Protocol):
    """Writes notifications in the caller's transaction, rendered in each recipient's language.

    A new notification is pushed to its user and delivered to the channels
    they chose after the caller's transaction commits; a recipient whose
    account is gone is left out.
    """

    async def send(self, session: AsyncSession, request: NotificationRequest) -> bool:
        """Notify one user; False when they are gone or were already notified of this event."""
        ...

    async def send_many(
        self,
        session: AsyncSession,
        requests: Sequence[NotificationRequest],
        profiles: Mapping[UUID, Profile] | None = None,
    ) -> int:
        """Notify many at once (a reminder run); returns how many notifications were new.

        ``profiles`` are the recipients' profiles when the caller has them
        already (otherwise they are read).
        """
        ...

    async def set_address(
        self, session: AsyncSession, user_id: UUID, channel: str, address: str | None
    ) -> None:
        """Record (None: forget) where ``channel`` reaches the user; deliveries then carry it (audited)."""
        ...
