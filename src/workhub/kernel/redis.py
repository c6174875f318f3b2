"""The shared async Redis client."""

from __future__ import annotations

from redis.asyncio import Redis

__all__ = ("create_redis",)


def create_redis(url: str) -> Redis:
    """A client for ``url`` that returns ``bytes`` (callers decode what they need)."""
    return Redis.from_url(url, health_check_interval=30, socket_keepalive=True)
