"""Fixed-window rate limits kept in Redis, shared by every web process."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from workhub.kernel.errors import RateLimited

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ("RateLimiter",)


class RateLimiter:
    """Counts hits per key and window; over the limit raises 429 with ``Retry-After``."""

    def __init__(self, redis: Redis, prefix: str = "wh:rl") -> None:
        self.redis = redis
        self.prefix = prefix

    async def hit(self, key: str, *, limit: int, window: int = 60) -> int:
        """Count one hit; returns how many remain, or raises :class:`RateLimited`."""
        now = int(time.time())
        bucket = now // window
        redis_key = f"{self.prefix}:{key}:{bucket}"
        pipe = self.redis.pipeline(transaction=False)
        pipe.incr(redis_key)
        pipe.expire(redis_key, window + 1)
        count, _ = await pipe.execute()
        reset = window - now % window
        if int(count) > limit:
            raise RateLimited(
                headers={
                    "Retry-After": str(reset),
                    "RateLimit-Limit": str(limit),
                    "RateLimit-Remaining": "0",
                    "RateLimit-Reset": str(reset),
                }
            )
        return limit - int(count)

    async def reset(self, key: str, *, window: int = 60) -> None:
        """Forget the hits of ``key`` in the current window."""
        await self.redis.delete(f"{self.prefix}:{key}:{int(time.time()) // window}")
