"""The daily digest: each user, at their local digest hour, gets one summary of their day.

A cron job (every five minutes) asks the accounts module which active users'
local clocks have reached their digest hour
(:func:`~workhub.accounts.services.digest_recipients`, worked out by
PostgreSQL with the IANA rules, so daylight-saving days need nothing
special) and keeps those without a ``digest_sent`` row for their local day
(or a later one).
Each such user is handled in one transaction: claim the day (insert the row,
``ON CONFLICT DO NOTHING``), read the sections from the tasks module, send
the notification, commit. A crash before the commit leaves the day unclaimed
for the next run; a second worker waits on the claim and then skips it. So a
user gets at most one digest a day whatever restarts happen, and a day with
nothing to report is claimed without a notification.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import exists, select, update
from sqlalchemy.dialects.postgresql import insert

from workhub.accounts.api import digest_recipients
from workhub.kernel.clock import clock
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import new_id, session_scope
from workhub.kernel.i18n import Msg, translate
from workhub.notifications.digest_models import DigestSent
from workhub.notifications.services import send_notification
from workhub.tasks.api import DigestItem, DigestSections, DigestWindow, digest_sections

if TYPE_CHECKING:
    from collections.abc import Collection

    from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "DIGEST_CRON",
    "digest_event_id",
    "render_sections",
    "run_digests",
    "send_due_digests",
)

logger = logging.getLogger("workhub.digests")

DIGEST_CRON = "*/5 * * * *"
"""How often due digests are looked for: a digest comes within five minutes of the hour."""
BATCH = 200
"""Users read per candidate query."""
LIST_LIMIT = 10
"""Tasks shown per list in the text; ``data`` carries up to the same number, with the full count."""
_NAMESPACE = UUID("6f1d8a52-9a57-4f0e-a3c4-3c1f6a1f0d17")
"""Namespace of digest notification ids (uuid5 of user and local date)."""

_DATE_FORMAT = {"ru": "%d.%m.%Y", "en": "%b %d, %Y"}
_MOMENT_FORMAT = {"ru": "%d.%m %H:%M", "en": "%b %d, %H:%M"}
_SECTIONS = ("overdue", "due_today", "due_soon", "assigned")


def digest_event_id(user_id: UUID, local_date: date) -> UUID:
    """The notification id of a user's digest for one local day (the same on every retry)."""
    return uuid5(_NAMESPACE, f"digest:{user_id}:{local_date.isoformat()}")


def _window(now: datetime, local_date: date, zone: ZoneInfo, since: datetime) -> DigestWindow:
    def start_of(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)

    return DigestWindow(
        now=now,
        day_end=start_of(local_date + timedelta(days=1)),
        week_end=start_of(local_date + timedelta(days=8)),
        since=since,
    )


def _item_line(item: DigestItem, locale: str, zone: ZoneInfo, *, today: bool) -> str:
    if item.deadline is None:
        when = translate("digest.no_deadline", locale)
    else:
        local = item.deadline.astimezone(zone)
        when = local.strftime("%H:%M" if today else _MOMENT_FORMAT.get(locale, _MOMENT_FORMAT["en"]))
    return f"• {item.key} {item.title} — {when}"


def render_sections(sections: DigestSections, locale: str, zone: ZoneInfo) -> str:
    """The digest as a readable list in ``locale``, times in the user's zone."""
    blocks: list[str] = []
    for name in _SECTIONS:
        items: list[DigestItem] = getattr(sections, name)
        if not items:
            continue
        lines = [translate(f"digest.section.{name}", locale, count=len(items))]
        lines += [_item_line(i, locale, zone, today=name == "due_today") for i in items[:LIST_LIMIT]]
        if len(items) > LIST_LIMIT:
            lines.append(translate("digest.more", locale, count=len(items) - LIST_LIMIT))
        blocks.append("\n".join(lines))
    if sections.owned_projects:
        lines = [translate("digest.section.owned_projects", locale)]
        lines += [
            "• "
            + translate(
                "digest.project",
                locale,
                count=p.completed,
                key=p.key,
                overdue=Msg("digest.project_overdue", count=p.overdue),
            )
            for p in sections.owned_projects
        ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _data(sections: DigestSections, local_date: date) -> dict[str, Any]:
    """The structured digest for clients: each list (first items) with its full count."""
    data: dict[str, Any] = {"date": local_date.isoformat()}
    for name in _SECTIONS:
        items: list[DigestItem] = getattr(sections, name)
        data[name] = {"count": len(items), "items": msgspec.to_builtins(items[:LIST_LIMIT])}
    data["owned_projects"] = msgspec.to_builtins(sections.owned_projects)
    return data


class _Recipient(msgspec.Struct, frozen=True):
    user_id: UUID
    locale: str
    timezone: str
    local_date: date


async def _candidates(session: AsyncSession, now: datetime, after: UUID | None) -> list[_Recipient]:
    """Up to :data:`BATCH` users due a digest at ``now`` whose day is not done, in id order.

    A user's digest days only move forward: a day on or before one already
    done is done too, so a change of time zone that steps the local date back
    (Moscow to Los Angeles after the morning digest) brings no second digest.
    The unique (user, day) index answers this.
    """
    due = digest_recipients(now)
    done = exists().where(DigestSent.user_id == due.c.user_id, DigestSent.local_date >= due.c.local_date)
    stmt = select(due).where(~done).order_by(due.c.user_id).limit(BATCH)
    if after is not None:
        stmt = stmt.where(due.c.user_id > after)
    rows = (await session.execute(stmt)).all()
    return [_Recipient(user_id=r[0], locale=r[1], timezone=r[2], local_date=r[3]) for r in rows]


async def _previous_digest(session: AsyncSession, user_id: UUID, local_date: date) -> datetime | None:
    return await session.scalar(
        select(DigestSent.created_at)
        .where(DigestSent.user_id == user_id, DigestSent.local_date < local_date)
        .order_by(DigestSent.local_date.desc())
        .limit(1)
    )


async def _digest_for(
    db: SQLAlchemyAsyncConfig, recipient: _Recipient, now: datetime, channels: Collection[str] | None
) -> bool:
    """Claim, compose and send one user's digest in one transaction; True when a notification went out."""
    async with session_scope(db) as session:
        claim = (
            insert(DigestSent)
            .values(
                id=new_id(),
                user_id=recipient.user_id,
                local_date=recipient.local_date,
                notified=False,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["user_id", "local_date"])
            .returning(DigestSent.id)
        )
        claimed = await session.scalar(claim)
        if claimed is None:  # another worker did this day
            return False
        since = await _previous_digest(session, recipient.user_id, recipient.local_date)
        zone = ZoneInfo(recipient.timezone)
        window = _window(now, recipient.local_date, zone, since or now - timedelta(days=1))
        sections = await digest_sections(session, recipient.user_id, window)
        if sections.empty:
            return False
        locale = recipient.locale
        date_text = recipient.local_date.strftime(_DATE_FORMAT.get(locale, _DATE_FORMAT["en"]))
        sent = await send_notification(
            session,
            user_id=recipient.user_id,
            kind="digest",
            event_id=digest_event_id(recipient.user_id, recipient.local_date),
            params={"date": date_text, "sections": render_sections(sections, locale, zone)},
            link="/tasks?assignee=me",
            data=_data(sections, recipient.local_date),
            channels=channels,
        )
        if sent:
            await session.execute(update(DigestSent).where(DigestSent.id == claimed).values(notified=True))
        return sent


async def run_digests(
    db: SQLAlchemyAsyncConfig, *, now: datetime | None = None, channels: Collection[str] | None = None
) -> int:
    """Send every digest due at ``now`` (default: the clock's now); returns how many went out.

    One user's failure is logged and leaves their day unclaimed for the next
    run; the others still get theirs. ``channels`` are the notification
    channels the process offers (None: any a user chose).
    """
    now = now or clock.now()
    sent = 0
    after: UUID | None = None
    with acting_as(Actor.system("digest")):
        while True:
            async with session_scope(db) as session:
                batch = await _candidates(session, now, after)
            for recipient in batch:
                try:
                    sent += await _digest_for(db, recipient, now, channels)
                except Exception:
                    logger.exception("the digest of user %s failed", recipient.user_id)
            if len(batch) < BATCH:
                return sent
            after = batch[-1].user_id


async def send_due_digests(ctx: dict[str, Any]) -> int:
    """The cron job: digests due now, for every user whose local digest hour has come."""
    registry = ctx["registry"]
    return await run_digests(registry.runtime.db, channels=registry.notification_channels)
