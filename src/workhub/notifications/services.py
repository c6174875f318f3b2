"""Creating, listing and reading notifications, and each user's channel choices.

A notification's title and body are rendered in the recipient's language
when it is created, so what a user reads never changes afterwards. Creation
is ``ON CONFLICT DO NOTHING`` on (event, recipient), so an event delivered
twice (subscribers run at least once) leaves a single row; a row that is
really new publishes ``notification.created`` in the same transaction, which
pushes it to the user's ``user:<id>`` room. The same INSERT reads the
channels the user chose for the kind, and one ``notification.delivery_due``
per channel is published with it: after commit the relay makes each one SAQ
job that delivers there (:mod:`workhub.notifications.delivery`), with the
recipient read once, when the notification was rendered.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import DateTime, bindparam, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from workhub.accounts.api import UserService
from workhub.kernel.clock import clock
from workhub.kernel.db import new_id
from workhub.kernel.errors import FieldError, NotFound, ValidationFailed
from workhub.kernel.events import DomainEvent, publish, publish_many
from workhub.kernel.extensions import Recipient, RenderedNotification
from workhub.kernel.i18n import all_messages, translate
from workhub.kernel.notifier import NotificationRequest, Profile
from workhub.kernel.pagination import decode_cursor, encode_cursor
from workhub.kernel.services import Service
from workhub.notifications import schemas
from workhub.notifications.events import (
    ChannelAddressChanged,
    NotificationCreated,
    NotificationDeliveryDue,
    NotificationPreferencesChanged,
    NotificationRead,
    NotificationsReadAll,
)
from workhub.notifications.models import ChannelAddress, Notification, NotificationPreference

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "NotificationRequest",
    "NotificationService",
    "PreferenceService",
    "RenderingNotifier",
    "known_kinds",
    "render",
    "send_notification",
    "send_notifications",
)


_INSERT = (
    "INSERT INTO notification (id, user_id, kind, title, body, link, data, event_id, created_at, updated_at)"
    " SELECT id, user_id, kind, title, body, link, data, event_id, :now, :now"
    " FROM unnest(CAST(:ids AS uuid[]), CAST(:user_ids AS uuid[]), CAST(:kinds AS varchar[]),"
    " CAST(:titles AS varchar[]), CAST(:bodies AS text[]), CAST(:links AS varchar[]),"
    " CAST(:datas AS jsonb[]), CAST(:event_ids AS uuid[]))"
    " AS n(id, user_id, kind, title, body, link, data, event_id)"
    " ON CONFLICT (event_id, user_id) DO NOTHING"
)
_INSERT_NOTIFICATIONS = text(f"{_INSERT} RETURNING event_id, user_id, NULL AS channels").bindparams(
    bindparam("now", type_=DateTime(timezone=True))
)
"""Any number of notifications in one statement with a parameter per column; a repeated
(event, user) pair is left out and not returned. For a process that offers no channel."""
_INSERT_NOTIFICATIONS_WITH_CHANNELS = text(
    f"WITH made AS ({_INSERT} RETURNING event_id, user_id, kind)"
    " SELECT made.event_id, made.user_id, p.channels FROM made"
    " LEFT JOIN notification_preference AS p ON p.user_id = made.user_id AND p.kind = made.kind"
).bindparams(bindparam("now", type_=DateTime(timezone=True)))
"""The same INSERT, returning with each new notification the channels its user chose for its
kind (the preference's unique key is (user, kind)): choosing channels costs no statement."""
_json = msgspec.json.Encoder()


@dataclass(frozen=True)
class _Rendered:
    """A notification with its title and body in the recipient's language, and the recipient."""

    recipient: Recipient
    kind: str
    title: str
    body: str
    event_id: UUID
    link: str | None
    data: Mapping[str, Any]

    @property
    def user_id(self) -> UUID:
        """The recipient's id."""
        return self.recipient.user_id

    def for_channel(self) -> RenderedNotification:
        """What a channel is handed."""
        project = self.data.get("project_id")
        return RenderedNotification(
            user_id=self.user_id,
            kind=self.kind,
            title=self.title,
            body=self.body,
            link=self.link,
            locale=self.recipient.locale,
            project_id=UUID(str(project)) if project else None,
        )


def render(kind: str, locale: str, **params: Any) -> tuple[str, str]:
    """Title and body of a ``kind`` of notification in ``locale``."""
    return (
        translate(f"notification.{kind}.title", locale, **params),
        translate(f"notification.{kind}.body", locale, **params),
    )


def known_kinds() -> list[str]:
    """Every kind of notification some module registered texts for (``notification.<kind>.title``)."""
    return sorted(
        key[len("notification.") : -len(".title")]
        for key in all_messages()
        if key.startswith("notification.") and key.endswith(".title") and key.count(".") == 2
    )


def _kind_label(kind: str, locale: str) -> str:
    key = f"notifications.kind.{kind}"
    label = translate(key, locale)
    return kind if label == key else label


def _uuid_cursor(cursor: str) -> UUID:
    (last,) = decode_cursor(cursor, 1)
    try:
        return UUID(str(last))
    except ValueError as exc:
        raise ValidationFailed.field("cursor", "The cursor is not valid.", code="invalid_cursor") from exc


class NotificationService(Service[Notification]):
    """Notification rows: the only code that reads or writes ``notification``."""

    class Repo(SQLAlchemyAsyncRepository[Notification]):
        """Notification rows."""

        model_type = Notification

    repository_type = Repo

    @staticmethod
    def as_schema(row: Notification) -> schemas.Notification:
        """The API form of a notification."""
        return schemas.Notification(
            id=row.id,
            kind=row.kind,
            title=row.title,
            body=row.body,
            link=row.link,
            data=dict(row.data or {}),
            created_at=row.created_at,
            read_at=row.read_at,
        )

    async def notify_many(
        self, items: Sequence[_Rendered], *, channels: Collection[str] | None = None
    ) -> int:
        """Add rendered notifications in one INSERT; publish what follows from the new ones.

        For each new notification: ``notification.created``, and one
        ``notification.delivery_due`` per channel its user chose for its kind
        (only those of ``channels``, when given; none when it is empty, and
        then the preferences are not read). Returns how many were new (an
        (event, user) pair seen before is left out).
        """
        if not items:
            return 0
        now = clock.now()
        made = {
            (item.event_id, item.user_id): (
                item,
                schemas.Notification(
                    id=new_id(),
                    kind=item.kind,
                    title=item.title,
                    body=item.body,
                    link=item.link,
                    data=msgspec.to_builtins(item.data),
                    created_at=now,
                    read_at=None,
                ),
            )
            for item in items
        }
        pairs = list(made.values())
        params = {
            "now": now,
            "ids": [n.id for _, n in pairs],
            "user_ids": [item.user_id for item, _ in pairs],
            "kinds": [n.kind for _, n in pairs],
            "titles": [n.title for _, n in pairs],
            "bodies": [n.body for _, n in pairs],
            "links": [n.link for _, n in pairs],
            "datas": [_json.encode(n.data).decode() for _, n in pairs],
            "event_ids": [item.event_id for item, _ in pairs],
        }
        offered = None if channels is None else set(channels)
        statement = (
            _INSERT_NOTIFICATIONS
            if offered is not None and not offered
            else _INSERT_NOTIFICATIONS_WITH_CHANNELS
        )
        created = (await self.session.execute(statement, params)).all()
        events: list[DomainEvent] = []
        for event_id, user_id, chosen in created:
            item, notification = made[(event_id, user_id)]
            events.append(
                NotificationCreated(entity_id=notification.id, user_id=user_id, notification=notification)
            )
            events.extend(
                NotificationDeliveryDue(
                    entity_id=notification.id,
                    user_id=user_id,
                    channel=channel,
                    recipient=item.recipient,
                    notification=item.for_channel(),
                )
                for channel in chosen or ()
                if offered is None or channel in offered
            )
        await publish_many(self.session, events)
        return len(created)

    async def page(
        self, user_id: UUID, *, unread: bool, limit: int, cursor: str | None
    ) -> schemas.NotificationPage:
        """A user's notifications, newest first (ids are time-ordered UUIDv7)."""
        stmt = (
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(limit + 1)
        )
        if unread:
            stmt = stmt.where(Notification.read_at.is_(None))
        if cursor:
            stmt = stmt.where(Notification.id < _uuid_cursor(cursor))
        rows = list((await self.session.scalars(stmt)).all())
        more = len(rows) > limit
        rows = rows[:limit]
        return schemas.NotificationPage(
            items=[self.as_schema(r) for r in rows],
            next_cursor=encode_cursor(str(rows[-1].id)) if more and rows else None,
        )

    async def unread_count(self, user_id: UUID) -> int:
        """How many of the user's notifications are unread (served by a partial index)."""
        stmt = select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        return int(await self.session.scalar(stmt) or 0)

    async def mark_read(self, user_id: UUID, notification_id: UUID) -> schemas.Notification:
        """Mark one of the user's notifications read; someone else's is a 404, an already read one is kept."""
        row = await self.session.scalar(
            select(Notification)
            .where(Notification.id == notification_id, Notification.user_id == user_id)
            .with_for_update()
        )
        if row is None:
            raise NotFound
        if row.read_at is None:
            now = clock.now()
            row.read_at = now
            await self.session.flush()
            await publish(
                self.session,
                NotificationRead(
                    entity_id=row.id, user_id=user_id, changes={"read_at": [None, now.isoformat()]}
                ),
            )
        return self.as_schema(row)

    async def mark_all_read(self, user_id: UUID) -> int:
        """Mark every unread notification of the user read; returns how many there were.

        Recorded even when nothing was unread: the user cleared their list at that moment.
        """
        now = clock.now()
        result = await self.session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=now, updated_at=now)
            .returning(Notification.id)
        )
        marked = len(result.all())
        await publish(
            self.session,
            NotificationsReadAll(
                entity_id=user_id, user_id=user_id, marked=marked, changes={"unread": [marked, 0]}
            ),
        )
        return marked


class PreferenceService(Service[NotificationPreference]):
    """Which channels besides in-app each user wants each kind of notification on."""

    class Repo(SQLAlchemyAsyncRepository[NotificationPreference]):
        """Preference rows."""

        model_type = NotificationPreference

    repository_type = Repo

    async def _stored(self, user_id: UUID) -> dict[str, list[str]]:
        rows = await self.session.execute(
            select(NotificationPreference.kind, NotificationPreference.channels).where(
                NotificationPreference.user_id == user_id
            )
        )
        return {kind: list(channels) for kind, channels in rows.all()}

    async def preferences(
        self, user_id: UUID, *, available: Iterable[str], locale: str
    ) -> schemas.NotificationPreferences:
        """Every kind with its channels (in-app first), and every channel there is."""
        offered = sorted(set(available) - {schemas.IN_APP})
        stored = await self._stored(user_id)
        return schemas.NotificationPreferences(
            channels=[schemas.IN_APP, *offered],
            kinds=[
                schemas.KindPreference(
                    kind=kind,
                    channels=[schemas.IN_APP, *[c for c in stored.get(kind, []) if c in offered]],
                    label=_kind_label(kind, locale),
                )
                for kind in known_kinds()
            ],
        )

    async def replace(
        self, user_id: UUID, data: schemas.PreferencesUpdate, *, available: Iterable[str], locale: str
    ) -> schemas.NotificationPreferences:
        """Save the user's choices (kinds left out: in-app only); unknown kinds or channels are a 422."""
        offered = set(available) - {schemas.IN_APP}
        kinds = set(known_kinds())
        wanted: dict[str, list[str]] = {}
        unknown_kinds: list[FieldError] = []
        unknown_channels: list[FieldError] = []
        for i, pref in enumerate(data.kinds):
            if pref.kind not in kinds:
                unknown_kinds.append(
                    FieldError(field=f"kinds[{i}].kind", message=f"Unknown kind {pref.kind!r}.")
                )
                continue
            channels = wanted.setdefault(pref.kind, [])
            for channel in pref.channels:
                if channel == schemas.IN_APP:
                    continue
                if channel not in offered:
                    unknown_channels.append(
                        FieldError(field=f"kinds[{i}].channels", message=f"Unknown channel {channel!r}.")
                    )
                elif channel not in channels:
                    channels.append(channel)
        if unknown_kinds:
            raise ValidationFailed(
                "Some kinds of notification do not exist.",
                code="unknown_notification_kind",
                errors=unknown_kinds,
                message_key="notifications.error.unknown_kind",
            )
        if unknown_channels:
            raise ValidationFailed(
                "Some notification channels do not exist.",
                code="unknown_notification_channel",
                errors=unknown_channels,
                message_key="notifications.error.unknown_channel",
            )
        before = await self._stored(user_id)
        await self.session.execute(
            delete(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
        after = {kind: sorted(channels) for kind, channels in wanted.items() if channels}
        if after:
            now = clock.now()
            await self.session.execute(
                insert(NotificationPreference),
                [
                    {
                        "id": new_id(),
                        "user_id": user_id,
                        "kind": kind,
                        "channels": channels,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for kind, channels in after.items()
                ],
            )
        changes = {
            kind: [sorted(before.get(kind, [])), after.get(kind, [])]
            for kind in sorted(before.keys() | after.keys())
            if sorted(before.get(kind, [])) != after.get(kind, [])
        }
        await publish(
            self.session, NotificationPreferencesChanged(entity_id=user_id, user_id=user_id, changes=changes)
        )
        return await self.preferences(user_id, available=offered, locale=locale)


async def send_notification(
    session: AsyncSession,
    *,
    user_id: UUID,
    kind: str,
    event_id: UUID,
    params: Mapping[str, object] | None = None,
    link: str | None = None,
    data: Mapping[str, Any] | None = None,
    channels: Collection[str] | None = None,
) -> bool:
    """Notify one user of ``kind``, rendered in their language; the way every module notifies.

    ``params`` fill the ``notification.<kind>.title``/``.body`` texts (a
    :class:`~workhub.kernel.i18n.Msg` value is translated too). ``event_id``
    makes it idempotent: the same event notifies a user once. False when the
    user is gone or was already notified of this event. A new notification is
    pushed to the user at once and delivered to the channels they chose for
    ``kind`` after the caller's transaction commits (of ``channels``, the
    ones this process offers, when given).
    """
    request = NotificationRequest(
        user_id=user_id, kind=kind, event_id=event_id, params=params or {}, link=link, data=data or {}
    )
    return bool(await send_notifications(session, [request], channels=channels))


async def send_notifications(
    session: AsyncSession,
    requests: Sequence[NotificationRequest],
    profiles: Mapping[UUID, Profile] | None = None,
    *,
    channels: Collection[str] | None = None,
) -> int:
    """:func:`send_notification` for many at once (a reminder run): three statements in all.

    ``profiles`` are the recipients' profiles when the caller has them
    already (otherwise they are read, once: what a channel is told of the
    recipient comes from here too). Returns how many notifications were new.
    """
    if profiles is None:
        profiles = await UserService(session=session).find_profiles(list({r.user_id for r in requests}))
    rendered: list[_Rendered] = []
    for request in requests:
        profile = profiles.get(request.user_id)
        if profile is None:  # the account is gone; nobody to tell
            continue
        title, body = render(request.kind, profile.locale, **dict(request.params))
        recipient = Recipient(
            user_id=request.user_id,
            name=profile.name,
            email=profile.email,
            locale=profile.locale,
            timezone=profile.timezone,
        )
        rendered.append(
            _Rendered(
                recipient, request.kind, title, body, request.event_id, request.link, dict(request.data)
            )
        )
    return await NotificationService(session=session).notify_many(rendered, channels=channels)


class RenderingNotifier:
    """The :class:`~workhub.kernel.notifier.Notifier` this module provides to the others at setup.

    Modules below this one (tasks' reminders, chat mentions, finished jobs)
    notify through it, so they never import this module; so do this module's
    own subscribers. ``channels`` are the process's notification channels
    (the registry's live mapping, so a plugin set up later counts): a user's
    choice of a channel no plugin offers any more is left out.
    """

    def __init__(self, channels: Collection[str]) -> None:
        self.channels = channels

    async def send(self, session: AsyncSession, request: NotificationRequest) -> bool:
        """:func:`send_notification` of one request."""
        return bool(await send_notifications(session, [request], channels=self.channels))

    async def send_many(
        self,
        session: AsyncSession,
        requests: Sequence[NotificationRequest],
        profiles: Mapping[UUID, Profile] | None = None,
    ) -> int:
        """:func:`send_notifications`."""
        return await send_notifications(session, requests, profiles, channels=self.channels)

    async def set_address(
        self, session: AsyncSession, user_id: UUID, channel: str, address: str | None
    ) -> None:
        """Upsert or delete the user's address on ``channel``; published (so audited) when it changed."""
        before = await session.scalar(
            select(ChannelAddress.address).where(
                ChannelAddress.user_id == user_id, ChannelAddress.channel == channel
            )
        )
        if before == address:
            return
        now = clock.now()
        if address is None:
            await session.execute(
                delete(ChannelAddress).where(
                    ChannelAddress.user_id == user_id, ChannelAddress.channel == channel
                )
            )
        else:
            values = {"id": new_id(), "user_id": user_id, "channel": channel, "address": address}
            await session.execute(
                insert(ChannelAddress)
                .values(**values, created_at=now, updated_at=now)
                .on_conflict_do_update(
                    index_elements=["user_id", "channel"], set_={"address": address, "updated_at": now}
                )
            )
        await publish(
            session,
            ChannelAddressChanged(
                entity_id=user_id, user_id=user_id, channel=channel, changes={channel: [before, address]}
            ),
        )
