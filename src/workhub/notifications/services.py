"""Creating notifications, and the subscribers that turn domain events into them.

A notification's title and body are rendered in the recipient's language
when it is created, so what a user reads never changes afterwards. Subscribers
run as SAQ jobs after the outbox relay, at least once per event: the insert
is ``ON CONFLICT DO NOTHING`` on (event, recipient), so a repeated delivery
leaves a single row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from workhub.accounts.services import UserService
from workhub.kernel.clock import clock
from workhub.kernel.db import new_id, session_scope
from workhub.kernel.i18n import translate
from workhub.kernel.services import Service
from workhub.notifications.models import Notification

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.accounts.events import UserRoleChanged
    from workhub.kernel.plugins import Runtime

__all__ = ("MESSAGES", "NotificationService", "on_user_role_changed", "render", "send_notification")

MESSAGES: dict[str, dict[str, str]] = {
    "role.admin": {"en": "administrator", "ru": "администратор"},
    "role.member": {"en": "member", "ru": "участник"},
    "notification.system_role_changed.title": {
        "en": "Your role changed to {role}",
        "ru": "Ваша роль изменена: {role}",
    },
    "notification.system_role_changed.body": {
        "en": "An administrator changed your role in WorkHub from {old_role} to {role}.",
        "ru": "Администратор изменил вашу роль в WorkHub: была «{old_role}», теперь «{role}».",
    },
}
"""Texts of this module, added to the catalogue by the plugin's ``setup``."""


def render(kind: str, locale: str, **params: object) -> tuple[str, str]:
    """Title and body of a ``kind`` of notification in ``locale``."""
    return (
        translate(f"notification.{kind}.title", locale, **params),
        translate(f"notification.{kind}.body", locale, **params),
    )


class NotificationService(Service[Notification]):
    """Notification rows: the only code that reads or writes ``notification``."""

    class Repo(SQLAlchemyAsyncRepository[Notification]):
        """Notification rows."""

        model_type = Notification

    repository_type = Repo

    async def notify(
        self,
        *,
        user_id: UUID,
        kind: str,
        title: str,
        body: str,
        event_id: UUID,
        link: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> bool:
        """Add one notification; False when this event already notified this user."""
        now = clock.now()
        stmt = (
            insert(Notification)
            .values(
                id=new_id(),
                user_id=user_id,
                kind=kind,
                title=title,
                body=body,
                link=link,
                data=data or {},
                event_id=event_id,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["event_id", "user_id"])
            .returning(Notification.id)
        )
        return (await self.session.scalar(stmt)) is not None

    async def for_user(self, user_id: UUID, *, limit: int = 50) -> list[Notification]:
        """A user's notifications, newest first."""
        stmt = (
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
        return list((await self.session.scalars(stmt)).all())


async def send_notification(
    session: AsyncSession,
    *,
    user_id: UUID,
    kind: str,
    event_id: UUID,
    params: Mapping[str, object] | None = None,
    link: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> bool:
    """Notify one user of ``kind``, rendered in their language; the way every module notifies.

    ``params`` fill the ``notification.<kind>.title``/``.body`` texts (a
    :class:`~workhub.kernel.i18n.Msg` value is translated too). ``event_id``
    makes it idempotent: the same event notifies a user once. False when the
    user is gone or was already notified of this event.
    """
    profile = await UserService(session=session).find_profile(user_id)
    if profile is None:
        return False
    title, body = render(kind, profile.locale, **dict(params or {}))
    return await NotificationService(session=session).notify(
        user_id=user_id, kind=kind, title=title, body=body, event_id=event_id, link=link, data=dict(data or {})
    )


async def on_user_role_changed(event: UserRoleChanged, runtime: Runtime) -> None:
    """Tell a user that an administrator changed their system role."""
    async with session_scope(runtime.db) as session:
        profile = await UserService(session=session).find_profile(event.entity_id)
        if profile is None:  # the account is gone; nobody to tell
            return
        locale = profile.locale
        title, body = render(
            "system_role_changed",
            locale,
            role=translate(f"role.{event.new_role}", locale),
            old_role=translate(f"role.{event.old_role}", locale),
        )
        await NotificationService(session=session).notify(
            user_id=profile.id,
            kind="system_role_changed",
            title=title,
            body=body,
            event_id=event.id,
            data={"old_role": event.old_role, "new_role": event.new_role},
        )
