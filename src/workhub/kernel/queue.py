"""Background jobs on SAQ (Redis): enqueueing and the worker.

Every job has a key, so enqueuing the same work twice is a no-op while the
first is known to Redis; retries back off exponentially up to a cap.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from saq import CronJob, Queue, Worker

__all__ = ("JobFunction", "JobQueue", "SaqQueue", "build_worker")

logger = logging.getLogger("workhub.queue")
QUEUE_NAME = "workhub"

JobFunction = Callable[..., Awaitable[Any]]


class JobQueue(Protocol):
    """What the core needs from a queue: keyed, retried enqueues."""

    async def enqueue(self, function: str, *, key: str | None = None, **kwargs: Any) -> None:
        """Schedule ``function`` with ``kwargs``; a repeated ``key`` is ignored."""
        ...


class SaqQueue:
    """:class:`JobQueue` on a SAQ queue."""

    def __init__(self, redis_url: str, *, name: str = QUEUE_NAME) -> None:
        self.saq = Queue.from_url(redis_url, name=name)

    async def enqueue(self, function: str, *, key: str | None = None, **kwargs: Any) -> None:
        """Enqueue with retries (5 attempts, exponential backoff from 1 s)."""
        options: dict[str, Any] = {"retries": 5, "retry_delay": 1.0, "retry_backoff": 60.0, "timeout": 300}
        if key is not None:
            options["key"] = key
        await self.saq.enqueue(function, **options, **kwargs)

    async def connect(self) -> None:
        """Open the Redis connection."""
        await self.saq.connect()

    async def disconnect(self) -> None:
        """Close the Redis connection."""
        await self.saq.disconnect()


def build_worker(
    queue: SaqQueue,
    functions: dict[str, JobFunction],
    crons: list[tuple[JobFunction, str]],
    *,
    context: dict[str, Any],
    concurrency: int = 10,
    shutdown_grace_period_s: int = 20,
) -> Worker:
    """A SAQ worker for the registry's jobs; ``context`` is merged into each job's ctx."""

    async def startup(ctx: dict[str, Any]) -> None:
        ctx.update(context)

    return Worker(
        queue.saq,
        functions=list(functions.items()),  # type: ignore[arg-type]
        cron_jobs=[CronJob(fn, cron=cron, unique=True) for fn, cron in crons],
        startup=startup,
        concurrency=concurrency,
        shutdown_grace_period_s=shutdown_grace_period_s,
    )
