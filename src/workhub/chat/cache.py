"""The channel list of each project, kept in Redis and dropped whenever a channel changes.

The cache holds a project's live channels (private ones with their member
lists) and is shared by every reader; what differs per reader (which private
channels they see, their unread counts) is worked out per request on top of
it. A change drops the entry twice: at once, inside the writing transaction,
so the writer's next read misses it; and again after the commit, because a
reader that ran between the first drop and the commit may have stored the
list as it was before the change.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from sqlalchemy import event

from workhub.chat.schemas import Channel

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("TTL", "ChannelCache")

logger = logging.getLogger("workhub.chat")
TTL = 600
"""Seconds an entry lives at most, a bound on staleness should a drop ever be lost."""
_PENDING = "chat_cache_drop"
_decoder = msgspec.json.Decoder(list[Channel])
_background: set[asyncio.Task[Any]] = set()


class ChannelCache:
    """Live channels of a project in Redis (``wh:chat:channels:<project id>``)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    @staticmethod
    def key(project_id: UUID) -> str:
        """The Redis key of a project's channel list."""
        return f"wh:chat:channels:{project_id}"

    async def get(self, project_id: UUID) -> list[Channel] | None:
        """The cached channels, or None on a miss (or an unreadable entry)."""
        raw = await self.redis.get(self.key(project_id))
        if raw is None:
            return None
        try:
            return _decoder.decode(raw)
        except msgspec.DecodeError:
            return None

    async def put(self, project_id: UUID, channels: list[Channel]) -> None:
        """Remember the channels of a project."""
        await self.redis.set(self.key(project_id), msgspec.json.encode(channels), ex=TTL)

    async def forget(self, session: AsyncSession, project_id: UUID) -> None:
        """Drop the project's entry now, and again once ``session`` commits."""
        key = self.key(project_id)
        await self.redis.delete(key)
        pending: set[str] | None = session.info.get(_PENDING)
        if pending is None:
            pending = session.info[_PENDING] = set()
            event.listen(session.sync_session, "after_commit", self._after_commit, once=True)
        pending.add(key)

    def _after_commit(self, sync_session: Any) -> None:
        """Schedule the second drop (commit runs on the event loop's thread, inside a greenlet)."""
        keys = sync_session.info.pop(_PENDING, None)
        if not keys:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # pragma: no cover - a synchronous commit outside the loop
            return
        task = loop.create_task(self._drop(list(keys)))
        _background.add(task)
        task.add_done_callback(_background.discard)

    async def _drop(self, keys: list[str]) -> None:
        try:
            await self.redis.delete(*keys)
        except Exception:  # the TTL bounds what a lost drop can cost
            logger.warning("could not drop cached channel lists %s", keys, exc_info=True)
