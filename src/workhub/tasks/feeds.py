"""Private calendar feeds: secret URLs that calendar apps poll for a user's task deadlines.

As with invitations, the token is random and only its SHA-256 is stored; the
owner sees the URL once. An unknown or revoked token, or one whose owner was
deactivated, gets the same 404. The token authorises only reading, and only
what its owner may read at the moment of the fetch (see
:func:`~workhub.tasks.calendar.feed_tasks`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import select

from workhub.kernel.clock import clock
from workhub.kernel.db import new_id
from workhub.kernel.errors import FieldError, NotFound, ValidationFailed
from workhub.kernel.events import publish
from workhub.kernel.permissions import can_read
from workhub.kernel.security import hash_token, new_token
from workhub.kernel.services import Service
from workhub.projects.api import resolve_project_access
from workhub.tasks import calendar_schemas as schemas
from workhub.tasks.events import CalendarFeedCreated, CalendarFeedRevoked
from workhub.tasks.models import CalendarFeed

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from workhub.kernel.security import CurrentUser

__all__ = ("FeedService", "feed_invalid", "feed_url", "feed_version", "not_modified")


def feed_invalid() -> NotFound:
    """The one answer for a token that cannot be used, whatever the reason."""
    return NotFound(
        "This calendar link is not valid: it may have been revoked.",
        code="calendar_feed_invalid",
        message_key="calendar.feed_invalid",
    )


_VERSION_KEEP = 30 * 24 * 3600
"""How long a feed's last version is remembered without a fetch (then the next fetch is simply new)."""


async def feed_version(redis: Redis, feed_id: UUID, body: bytes) -> tuple[str, datetime]:
    """The feed's ETag (a hash of what it says now) and when what it says last changed.

    The time is kept in Redis next to the hash, so ``Last-Modified`` moves
    only when the content does: also when a task left the feed or turned
    overdue, which no ``updated_at`` would show.
    """
    digest = hashlib.sha256(body).hexdigest()[:32]
    key = f"wh:feed-version:{feed_id}"
    stored = await redis.hgetall(key)  # type: ignore[misc]  # redis-py stubs
    if stored.get(b"hash") == digest.encode():
        changed = datetime.fromtimestamp(float(stored[b"changed"]), UTC)
    else:
        changed = clock.now().replace(microsecond=0)
        await redis.hset(key, mapping={"hash": digest, "changed": str(changed.timestamp())})  # type: ignore[misc]
    await redis.expire(key, _VERSION_KEEP)
    return f'"{digest}"', changed


def not_modified(headers: Mapping[str, str], etag: str, changed: datetime) -> bool:
    """Whether a conditional GET already has this version (``If-None-Match`` wins over ``If-Modified-Since``)."""
    match = headers.get("if-none-match")
    if match is not None:
        return etag in {tag.strip().removeprefix("W/") for tag in match.split(",")} or match.strip() == "*"
    since = headers.get("if-modified-since")
    if since is None:
        return False
    try:
        return changed <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def feed_url(base_url: str, token: str) -> str:
    """The URL a calendar app subscribes to."""
    return f"{base_url.rstrip('/')}/api/v1/calendar/feeds/{token}.ics"


class FeedService(Service[CalendarFeed]):
    """Calendar feeds: create, list, revoke, and find by token."""

    class Repo(SQLAlchemyAsyncRepository[CalendarFeed]):
        """Feed rows."""

        model_type = CalendarFeed

    repository_type = Repo

    @staticmethod
    def as_schema(feed: CalendarFeed) -> schemas.CalendarFeed:
        """The API form of a feed (never with its token)."""
        return schemas.CalendarFeed(
            id=feed.id,
            scope=feed.scope,  # type: ignore[arg-type]
            project_id=feed.project_id,
            include=feed.include,  # type: ignore[arg-type]
            created_at=feed.created_at,
        )

    async def create_feed(
        self, user: CurrentUser, data: schemas.CalendarFeedCreate, *, base_url: str
    ) -> schemas.NewCalendarFeed:
        """A new feed and its URL; a project feed needs a project the caller may read (404 otherwise)."""
        project_id = data.project_id
        if data.scope == "project":
            if project_id is None:
                raise ValidationFailed(
                    "A project feed needs project_id.",
                    code="project_required",
                    message_key="calendar.project_required",
                    errors=[FieldError(field="project_id", message="Required when scope is 'project'.")],
                )
            access = await resolve_project_access(self.session, project_id, user.id)
            if access is None or not can_read(access.role, is_admin=user.is_admin):
                raise NotFound  # an administrator too, for a project that does not exist
        else:
            project_id = None
        include = data.include or ("all" if data.scope == "project" else "assigned")
        token = new_token()
        now = clock.now()
        feed = CalendarFeed(
            id=new_id(),
            user_id=user.id,
            scope=data.scope,
            project_id=project_id,
            include=include,
            token_hash=hash_token(token),
            created_at=now,
            updated_at=now,
        )
        self.session.add(feed)
        await self.session.flush()
        await publish(
            self.session,
            CalendarFeedCreated(
                entity_id=feed.id,
                project_id=project_id,
                user_id=user.id,
                scope=data.scope,
                include=include,
                changes={"scope": [None, data.scope], "include": [None, include]},
            ),
        )
        plain = self.as_schema(feed)
        return schemas.NewCalendarFeed(
            **{f: getattr(plain, f) for f in plain.__struct_fields__},
            url=feed_url(base_url, token),
            token=token,
        )

    async def list_feeds(self, user_id: UUID) -> schemas.CalendarFeedList:
        """The user's live feeds, newest first."""
        rows = await self.session.scalars(
            select(CalendarFeed)
            .where(CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None))
            .order_by(CalendarFeed.id.desc())
        )
        return schemas.CalendarFeedList(items=[self.as_schema(f) for f in rows])

    async def revoke_feed(self, user_id: UUID, feed_id: UUID) -> None:
        """Stop a feed's URL at once; someone else's feed, or one already revoked, is a 404."""
        feed = await self.session.scalar(
            select(CalendarFeed)
            .where(
                CalendarFeed.id == feed_id, CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None)
            )
            .with_for_update()
        )
        if feed is None:
            raise NotFound
        feed.revoked_at = clock.now()
        await self.session.flush()
        await publish(
            self.session,
            CalendarFeedRevoked(
                entity_id=feed.id,
                project_id=feed.project_id,
                user_id=user_id,
                scope=feed.scope,
                include=feed.include,
                changes={"revoked": [False, True]},
            ),
        )

    async def by_token(self, token: str) -> CalendarFeed:
        """The live feed of ``token``; 404 ``calendar_feed_invalid`` for any token that cannot be used."""
        if not token or len(token) > 128:
            raise feed_invalid()
        feed = await self.session.scalar(
            select(CalendarFeed).where(
                CalendarFeed.token_hash == hash_token(token), CalendarFeed.revoked_at.is_(None)
            )
        )
        if feed is None:
            raise feed_invalid()
        return feed
