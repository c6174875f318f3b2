"""Each user's project list (``GET /api/v1/projects``), kept in Redis until projects change.

A list depends on projects (names, archived) and memberships (which
projects, which role), which change through several services, the CLI and
the demo seed. Rather than track which users each change touches, a change
bumps one generation counter and every list stored under an older
generation is a miss. Project changes are rare next to reads, and a miss
costs one query, so precision buys little.

The counter is bumped three times for a change made through the API: before
the handler runs (so the writer's next read misses even if the third bump
is late), after the response (the commit is done by then, so a list a
concurrent reader stored from the old rows in between is dropped) and by an
inline subscriber of the change's event after the relay (which also covers
changes made outside a request). A reader stores its list under the
generation it saw *before* reading the database, so a bump during its read
makes what it stores a miss.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec

from workhub.projects.schemas import ProjectPage

if TYPE_CHECKING:
    from litestar import Request
    from redis.asyncio import Redis

    from workhub.kernel.plugins import Runtime

__all__ = ("GENERATION_KEY", "TTL", "ProjectListCache", "bump_after_write", "bump_on_event")

GENERATION_KEY = "wh:projects:generation"
TTL = 600
"""Seconds a user's stored lists live at most."""
_decoder = msgspec.json.Decoder(ProjectPage)


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else value


class ProjectListCache:
    """Pages of a user's project list, under ``wh:projects:lists:<user id>`` (one hash per user)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    @staticmethod
    def key(user_id: UUID) -> str:
        """The Redis hash of a user's stored pages."""
        return f"wh:projects:lists:{user_id}"

    async def get(self, user_id: UUID, variant: str) -> tuple[ProjectPage | None, str]:
        """The stored page (None on a miss) and the current generation, in one round trip."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.get(GENERATION_KEY)
        pipe.hget(self.key(user_id), variant)
        current, raw = await pipe.execute()
        generation = _text(current) or "0"
        if raw is None:
            return None, generation
        stored, _, body = _text(raw).partition("|")
        if stored != generation:
            return None, generation
        try:
            return _decoder.decode(body), generation
        except msgspec.DecodeError:
            return None, generation

    async def put(self, user_id: UUID, variant: str, page: ProjectPage, generation: str) -> None:
        """Store a page read under ``generation`` (the one :meth:`get` returned before the read)."""
        key = self.key(user_id)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hset(key, variant, f"{generation}|{msgspec.json.encode(page).decode()}")
        pipe.expire(key, TTL)
        await pipe.execute()

    async def bump(self) -> None:
        """Make every stored list stale."""
        await self.redis.incr(GENERATION_KEY)


async def bump_after_write(request: Request[Any, Any, Any]) -> None:
    """Controller hook (before the handler and after the response) of routes that change lists."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        await ProjectListCache(request.app.state.redis).bump()


async def bump_on_event(event: Any, runtime: Runtime) -> None:
    """Inline subscriber of project and membership events: lists are stale once the change is committed."""
    await ProjectListCache(runtime.redis).bump()
