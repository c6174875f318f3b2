"""A test-only plugin for real ``workhub worker`` processes: a job that naps, and a pause inside reminder delivery.

Installed as an entry point (``write_distribution``) and enabled with
``WORKHUB_PLUGINS=workerprobe``. It reports through Redis, which the test
reads: ``probe:nap:started``/``probe:nap:finished`` (``<tag>:<attempt>``
entries), and ``probe:reminder:sending`` (one entry per notification
written inside a reminder delivery transaction). While the Redis key
``probe:reminder:pause`` exists, reminder delivery stops right after writing
its first notification, before its transaction commits: the moment a test
kills the worker.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import msgspec
from redis.asyncio import Redis

from workhub.kernel.plugins import Registry

__all__ = ("NAP_FINISHED", "NAP_STARTED", "REMINDER_PAUSE", "REMINDER_SENDING", "plugin")

NAP_STARTED = "probe:nap:started"
NAP_FINISHED = "probe:nap:finished"
REMINDER_PAUSE = "probe:reminder:pause"
REMINDER_SENDING = "probe:reminder:sending"

_redis: Redis | None = None


def _client() -> Redis:
    global _redis
    if _redis is None:
        _redis = Redis.from_url(os.environ["WORKHUB_REDIS_URL"])
    return _redis


async def nap(ctx: dict[str, Any], *, tag: str, first: float, later: float = 0.0) -> None:
    """Sleep ``first`` seconds on the first attempt and ``later`` on any retry, noting start and end."""
    attempt = ctx["job"].attempts
    await _client().rpush(NAP_STARTED, f"{tag}:{attempt}")  # type: ignore[misc]  # redis-py stubs
    await asyncio.sleep(first if attempt == 1 else later)
    await _client().rpush(NAP_FINISHED, f"{tag}:{attempt}")  # type: ignore[misc]


def _pause_reminder_delivery(registry: Registry) -> None:
    """Wrap the notifier's batch call (reminder delivery's) with a report and an optional pause."""
    notifier = registry.notifier
    assert notifier is not None
    original = notifier.send_many

    async def send_and_maybe_pause(session: Any, requests: Any, profiles: Any = None) -> int:
        result = await original(session, requests, profiles)
        for request in requests:
            await _client().rpush(REMINDER_SENDING, str(request.event_id))  # type: ignore[misc]
        if requests and await _client().exists(REMINDER_PAUSE):
            await asyncio.sleep(3600)  # killed here, mid-transaction
        return result

    notifier.send_many = send_and_maybe_pause  # type: ignore[method-assign]


class WorkerProbe:
    """Registers :func:`nap` and installs the reminder pause."""

    name = "workerprobe"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Add the job; patch reminder delivery (this process only)."""
        registry.add_job(nap)
        _pause_reminder_delivery(registry)


plugin = WorkerProbe()
