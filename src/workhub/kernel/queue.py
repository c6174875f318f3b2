"""Background jobs on SAQ (Redis): enqueueing and the worker.

Every job may have a key: enqueuing a key whose job is still queued, running
or waiting for a retry is a no-op, so a relay that re-sends after a crash
does not double the work. Once a job has finished, the same key runs again;
handlers are idempotent for that reason (delivery is at least once). Retries
back off exponentially up to a cap.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from saq import CronJob, Queue, Worker

__all__ = ("QUEUE_NAME", "JobFunction", "JobQueue", "SaqQueue", "build_worker", "stop_worker")

logger = logging.getLogger("workhub.queue")
QUEUE_NAME = "workhub"

JobFunction = Callable[..., Awaitable[Any]]


class JobQueue(Protocol):
    """What the core needs from a queue: keyed, retried enqueues."""

    async def enqueue(self, function: str, *, key: str | None = None, **kwargs: Any) -> None:
        """Schedule ``function`` with ``kwargs``; a ``key`` whose job is pending is ignored."""
        ...


class SaqQueue:
    """:class:`JobQueue` on a SAQ queue."""

    def __init__(self, redis_url: str, *, name: str = QUEUE_NAME) -> None:
        self.saq = Queue.from_url(redis_url, name=name)

    async def enqueue(self, function: str, *, key: str | None = None, **kwargs: Any) -> None:
        """Enqueue with retries (5 attempts, exponential backoff from 1 s, at most 60 s apart)."""
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


class _Worker(Worker):
    """SAQ's worker, knowing which of its slots are running a job (so it can stop promptly)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, before_process=[self._busy], after_process=[self._idle], **kwargs)
        self.busy: set[asyncio.Task[Any]] = set()

    async def _busy(self, ctx: dict[str, Any]) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.busy.add(task)

    async def _idle(self, ctx: dict[str, Any]) -> None:
        self.busy.discard(asyncio.current_task())  # type: ignore[arg-type]


def build_worker(
    queue: SaqQueue,
    functions: dict[str, JobFunction],
    crons: list[tuple[JobFunction, str]],
    *,
    context: dict[str, Any],
    concurrency: int = 10,
    shutdown_grace_period_s: int = 20,
    burst: bool = False,
) -> Worker:
    """A SAQ worker for the registry's jobs; ``context`` is merged into each job's ctx.

    The worker leaves signals to its host (``workhub worker`` stops it on
    SIGTERM, the web server's lifespan in ``workhub dev``): SAQ's own handlers
    would replace the host's, so a Ctrl-C would stop the jobs and leave the
    process running. Stop it with :func:`stop_worker`. With ``burst`` it
    stops by itself once the queue is empty (tests, one-off runs).
    """

    async def startup(ctx: dict[str, Any]) -> None:
        ctx.update(context)

    worker = _Worker(
        queue.saq,
        functions=list(functions.items()),  # type: ignore[arg-type]
        cron_jobs=[CronJob(fn, cron=cron, unique=True) for fn, cron in crons],
        startup=startup,
        concurrency=concurrency,
        # A burst worker stops once nothing is left to do, so nothing needs grace time then.
        shutdown_grace_period_s=0 if burst else shutdown_grace_period_s,
        burst=burst,
        dequeue_timeout=0.5 if burst else 0.0,
    )
    worker.SIGNALS = []
    return worker


async def stop_worker(worker: Worker, *, grace: float | None = None) -> None:
    """Stop ``worker`` as soon as its running jobs are done (at most ``grace`` seconds).

    SAQ's own ``stop`` waits the whole grace period even when idle: its
    upkeep loops sleep up to a minute and idle slots block on Redis. Here
    those are cancelled at once, and only slots running a job are waited for
    (the worker's shutdown grace period by default); a job cut off then is
    retried later. Safe to call twice.
    """
    if grace is not None:
        worker._shutdown_grace_period_s = grace  # type: ignore[assignment]
    busy: set[asyncio.Task[Any]] = getattr(worker, "busy", set())
    # No await until the cancels are done, so no slot can pick up a job in between.
    idle = [task for task in worker.tasks if task not in busy]
    worker.event.set()  # no new slots; a running start() begins SAQ's stop, waiting on every task
    for task in idle:
        task.cancel()
    await worker.stop()
