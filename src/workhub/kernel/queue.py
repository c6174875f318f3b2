"""Background jobs on SAQ (Redis): enqueueing and the worker.

Every job may have a key: enqueuing a key whose job is still queued, running
or waiting for a retry is a no-op, so a relay that re-sends after a crash
does not double the work. Once a job has finished, the same key runs again;
handlers are idempotent for that reason (delivery is at least once).

Failures: a job gets :data:`ATTEMPTS` attempts; before attempt n+1 it waits a
random time up to ``min(RETRY_DELAY * 2**(n-1), RETRY_CAP)`` seconds
("full jitter": 1, 2, 4, 8 s caps), then it is kept as failed.

Time limits: a job runs at most :data:`TIMEOUT` seconds unless whoever
enqueues it declares its own limit (``enqueue(..., time_limit=...)``; user
jobs declare one per kind): past it the job is cancelled and retried, and
the sweep treats a job running past its own limit as stuck. A long job is
not taken for dead meanwhile, because the heartbeat below goes on for as
long as it runs.

Crashes: a running job's record is touched every ``HEARTBEAT / 3`` seconds
by its worker. A worker killed with SIGKILL stops touching; once a job has
gone :data:`HEARTBEAT` seconds untouched, the sweep of any live worker (every
``sweep_seconds``) takes it back and queues it again, so nothing is lost.
Cron jobs are keyed per function (``cron:<name>``): however many workers
schedule a tick, one job exists for it and one worker runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import msgspec
from redis.exceptions import WatchError
from saq import CronJob, Job, Queue, Status, Worker
from saq.queue.redis import RedisQueue
from saq.utils import now as saq_now

from workhub.kernel.i18n import use_catalog

__all__ = (
    "ATTEMPTS",
    "FAILED_KEEP",
    "HEARTBEAT",
    "QUEUE_NAME",
    "RETRY_CAP",
    "RETRY_DELAY",
    "JobFunction",
    "JobQueue",
    "SaqQueue",
    "build_worker",
    "keep_failure",
    "stop_worker",
)

logger = logging.getLogger("workhub.queue")
QUEUE_NAME = "workhub"
ATTEMPTS = 5
"""Attempts per job, the first included."""
RETRY_DELAY = 1.0
"""Seconds: the upper bound of the wait before the first retry; it doubles per attempt."""
RETRY_CAP = 60.0
"""Seconds: no wait between attempts exceeds this."""
TIMEOUT = 300
"""Seconds a job may run before it is cancelled (and retried), unless it was enqueued with its own limit."""
HEARTBEAT = 30
"""Seconds without a heartbeat after which a running job counts as abandoned."""
FAILED_KEEP = 30 * 24 * 3600
"""Seconds a failed job stays listed for administrators (SAQ itself forgets it after ten minutes)."""

JobFunction = Callable[..., Awaitable[Any]]


class JobQueue(Protocol):
    """What the core needs from a queue: keyed, retried enqueues."""

    async def enqueue(
        self, function: str, *, key: str | None = None, time_limit: int | None = None, **kwargs: Any
    ) -> None:
        """Schedule ``function`` with ``kwargs``; a ``key`` whose job is pending is ignored.

        ``time_limit``: seconds the job may run (default :data:`TIMEOUT`).
        """
        ...


class _RedisQueue(RedisQueue):
    """SAQ's Redis queue with a sweep that never takes back a job a live worker has just taken.

    A worker moves a job into the active list, then marks it active: usually
    milliseconds later, but on a loaded machine it can take seconds. SAQ's
    sweep takes back any job in the active list not marked active, so a
    sweep landing in between runs the job twice (or ends its last attempt as
    aborted). Here an unmarked job is taken back only when the previous
    sweep (``sweep_seconds`` earlier) already found it unmarked: no live
    worker leaves a job unmarked that long, so only a worker that died
    between the two steps loses it. A job marked active is taken back once
    its heartbeat or timeout has run out (its worker died or hung).

    The sweep lock lasts a little less than the sweep interval
    (:attr:`sweep_lock`, set by :func:`make_worker`), not SAQ's minute: with
    a minute's lock, a worker restarted after a crash could not sweep for up
    to a minute after the dead one last did, so its jobs came back a minute
    late whatever ``sweep_seconds`` said.
    """

    sweep_lock: int = 9
    """Seconds one worker's sweep keeps the others from sweeping."""

    @property
    def _unmarked(self) -> str:
        return self.namespace("unmarked")

    async def sweep(self, lock: int | None = None, abort: float = 5.0) -> list[str]:
        """Take back abandoned jobs: retried if they have attempts left, else ended as aborted."""
        lock = self.sweep_lock if lock is None else lock
        if not await self.redis.set(self._sweep, 1, ex=lock, nx=True):
            return []  # another worker swept within the last ``lock`` seconds
        swept: list[str] = []
        unmarked: list[bytes] = []
        for job_id in await self.redis.lrange(self._active, 0, -1):  # type: ignore[misc]  # redis-py stubs
            job = await self._get_job_by_id(job_id)
            if job is None:
                await self._drop_missing(job_id)
                swept.append(job_id.decode())
            elif job.status != Status.ACTIVE:
                unmarked.append(job_id)
            elif job.stuck:
                await self._take_back(job, abort)
                swept.append(job.id)
        seen_before: set[bytes] = set(await self.redis.smembers(self._unmarked))  # type: ignore[misc]
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._unmarked)
            if unmarked:
                pipe.sadd(self._unmarked, *unmarked)
                pipe.expire(self._unmarked, lock * 3)
            await pipe.execute()
        for job_id in unmarked:
            if job_id not in seen_before:
                continue  # first seen unmarked: its worker may just be slow to mark it
            job = await self._get_job_by_id(job_id)
            if job is not None and job.status != Status.ACTIVE:
                await self._take_back(job, abort)
                swept.append(job.id)
        return swept

    async def _drop_missing(self, job_id: bytes) -> None:
        name = job_id.decode()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.lrem(self._active, 0, name)
            pipe.zrem(self._incomplete, name)
            await pipe.execute()
        logger.info("swept missing job %s", job_id)

    async def _take_back(self, job: Job, abort: float) -> None:
        logger.warning("taking back abandoned job %s (attempt %d)", job.key, job.attempts)
        await self.abort(job, error=self.swept_error_message)
        with contextlib.suppress(asyncio.TimeoutError):
            await job.refresh(abort)  # a hung but live worker gets the chance to stop it
        if job.retryable:
            await self.retry(job, error=self.swept_error_message)
        else:
            await self.finish(job, Status.ABORTED, error=self.swept_error_message)


class SaqQueue:
    """:class:`JobQueue` on a SAQ queue."""

    def __init__(self, redis_url: str, *, name: str = QUEUE_NAME, heartbeat: int = HEARTBEAT) -> None:
        self.saq: Queue = _RedisQueue.from_url(redis_url, name=name)
        self.heartbeat = heartbeat

    async def enqueue(
        self, function: str, *, key: str | None = None, time_limit: int | None = None, **kwargs: Any
    ) -> None:
        """Enqueue with retries (:data:`ATTEMPTS`, backoff from :data:`RETRY_DELAY` up to :data:`RETRY_CAP`).

        ``time_limit`` is the job's own limit in seconds (:data:`TIMEOUT` when None).
        """
        options: dict[str, Any] = {
            "retries": ATTEMPTS,
            "retry_delay": RETRY_DELAY,
            "retry_backoff": RETRY_CAP,
            "timeout": TIMEOUT if time_limit is None else time_limit,
            "heartbeat": self.heartbeat,
        }
        if key is not None:
            options["key"] = key
        await self.saq.enqueue(function, **options, **kwargs)

    async def failed(self, *, offset: int = 0, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
        """Failed jobs kept by :func:`keep_failure`, newest first: the total and one page."""
        saq = _redis_queue(self.saq)
        redis, index = saq.redis, saq.namespace("failed")
        await redis.zremrangebyscore(index, 0, saq_now() / 1000 - FAILED_KEEP)
        total = int(await redis.zcard(index))
        keys = [k.decode() for k in await redis.zrevrange(index, offset, offset + limit - 1)]
        records = await redis.mget([f"{index}:{key}" for key in keys]) if keys else []
        return total, [msgspec.json.decode(raw) for raw in records if raw is not None]

    async def retry_failed(self, key: str) -> dict[str, Any] | None:
        """Run a kept failed job again (same function, arguments, key and time limit); None if none is kept."""
        saq = _redis_queue(self.saq)
        redis, index = saq.redis, saq.namespace("failed")
        raw = await redis.get(f"{index}:{key}")
        if raw is None:
            return None
        record: dict[str, Any] = msgspec.json.decode(raw)
        await self.enqueue(
            record["function"], key=key, time_limit=record.get("timeout"), **(record.get("kwargs") or {})
        )
        await redis.zrem(index, key)
        await redis.delete(f"{index}:{key}")
        return record

    async def connect(self) -> None:
        """Open the Redis connection."""
        await self.saq.connect()

    async def disconnect(self) -> None:
        """Close the Redis connection."""
        await self.saq.disconnect()


class _Worker(Worker):
    """SAQ's worker, knowing which of its slots are running a job (so it can stop promptly).

    It also beats the heart of every job it runs (SAQ leaves that to the job
    itself): without it, a job with a ``heartbeat`` would be swept as
    abandoned while it is still running.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(
            *args, before_process=[self._busy], after_process=[self._idle, keep_failure], **kwargs
        )
        self.busy: set[asyncio.Task[Any]] = set()
        self.beat: asyncio.Task[None] | None = None
        self._touched: dict[str, int] = {}

    async def upkeep(self) -> list[asyncio.Task[None]]:
        """SAQ's upkeep loops plus the heartbeat loop."""
        self.beat = asyncio.create_task(self._beat())
        return [*await super().upkeep(), self.beat]

    async def _beat(self) -> None:
        # Beats on while stopping, for the jobs finishing in the grace period.
        while not self.event.is_set() or self.job_task_contexts:
            current = saq_now()
            for job in list(self.job_task_contexts):
                if not job.heartbeat:
                    continue
                last = self._touched.get(job.id, job.started)
                if current - last >= job.heartbeat * 1000 // 3:
                    try:
                        await self._touch(job)
                    except Exception:
                        logger.warning("heartbeat of %s failed", job.id, exc_info=True)
                    self._touched[job.id] = current
            for job_id in set(self._touched) - {job.id for job in self.job_task_contexts}:
                del self._touched[job_id]
            await asyncio.sleep(1)

    async def _touch(self, job: Job) -> None:
        """Stamp the stored job as alive, unless it has moved on (finished, swept, retried).

        WATCH makes it a compare-and-set: a finish written between the read
        and the write cancels the write instead of being overwritten.
        """
        queue = self.queue
        if not isinstance(queue, RedisQueue):
            return
        async with queue.redis.pipeline(transaction=True) as pipe:
            with contextlib.suppress(WatchError):
                await pipe.watch(job.id)
                stored = queue.deserialize(await pipe.get(job.id))
                if stored is None or stored.status != Status.ACTIVE or stored.attempts != job.attempts:
                    return
                stored.touched = saq_now()
                pipe.multi()
                pipe.set(job.id, queue.serialize(stored), keepttl=True)
                await pipe.execute()

    async def _busy(self, ctx: dict[str, Any]) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.busy.add(task)

    async def _idle(self, ctx: dict[str, Any]) -> None:
        self.busy.discard(asyncio.current_task())  # type: ignore[arg-type]


def _redis_queue(queue: Queue) -> RedisQueue:
    if not isinstance(queue, RedisQueue):
        raise TypeError("failed jobs are kept for Redis queues only")
    return queue


async def keep_failure(ctx: dict[str, Any]) -> None:
    """After-process hook: keep a job that failed for good for :data:`FAILED_KEEP` seconds.

    Administrators list and retry these (``GET /api/v1/admin/jobs/failed``).
    """
    job: Job | None = ctx.get("job")
    if job is None or job.status != Status.FAILED or not isinstance(job.queue, RedisQueue):
        return
    queue = job.queue
    index = queue.namespace("failed")
    record = {
        "key": job.key,
        "function": job.function,
        "kwargs": job.kwargs or {},
        "timeout": job.timeout,
        "error": job.error,
        "attempts": job.attempts,
        "queued": job.queued,
        "started": job.started,
        "failed": job.completed or saq_now(),
    }
    async with queue.redis.pipeline(transaction=True) as pipe:
        pipe.set(f"{index}:{job.key}", msgspec.json.encode(record), ex=FAILED_KEEP)
        pipe.zadd(index, {job.key: record["failed"] / 1000})
        await pipe.execute()


def _by_job_name(function: JobFunction, functions: dict[str, JobFunction]) -> JobFunction:
    """``function`` under its registered job name (``tasks.sweep_overdue``).

    SAQ names a cron job, and keys its ticks, by the function's ``__qualname__``:
    two plugins' crons both called ``cleanup`` would share a key and one
    would replace the other. The registered name is unique.
    """
    name = next((n for n, f in functions.items() if f is function), None)
    if name is None:
        return function

    async def run(ctx: dict[str, Any], **kwargs: Any) -> Any:
        return await function(ctx, **kwargs)

    run.__name__ = run.__qualname__ = name
    return run


def build_worker(
    queue: SaqQueue,
    functions: dict[str, JobFunction],
    crons: list[tuple[JobFunction, str]],
    *,
    context: dict[str, Any],
    concurrency: int = 10,
    shutdown_grace_period_s: int = 20,
    sweep_seconds: int = 10,
    burst: bool = False,
) -> Worker:
    """A SAQ worker for the registry's jobs; ``context`` is merged into each job's ctx.

    The worker leaves signals to its host (``workhub worker`` stops it on
    SIGTERM, the web server's lifespan in ``workhub dev``): SAQ's own handlers
    would replace the host's, so a Ctrl-C would stop the jobs and leave the
    process running. Stop it with :func:`stop_worker`. With ``burst`` it
    stops by itself once the queue is empty (tests, one-off runs). Every
    ``sweep_seconds`` one of the live workers takes back jobs whose worker
    died (no heartbeat for ``HEARTBEAT`` seconds) and queues them again.
    """

    async def startup(ctx: dict[str, Any]) -> None:
        ctx.update(context)
        if "registry" in context:  # its jobs translate with the registry's texts
            use_catalog(context["registry"].messages)

    if isinstance(queue.saq, _RedisQueue):
        queue.saq.sweep_lock = max(1, sweep_seconds - 1)
    worker = _Worker(
        queue.saq,
        functions=list(functions.items()),  # type: ignore[arg-type]
        cron_jobs=[
            CronJob(
                _by_job_name(fn, functions),
                cron=cron,
                unique=True,
                timeout=TIMEOUT,
                heartbeat=queue.heartbeat,
                retries=1,
            )
            for fn, cron in crons
        ],
        startup=startup,
        concurrency=concurrency,
        # A burst worker stops once nothing is left to do, so nothing needs grace time then.
        shutdown_grace_period_s=0 if burst else shutdown_grace_period_s,
        burst=burst,
        dequeue_timeout=0.5 if burst else 0.0,
        timers={"sweep": sweep_seconds},
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
    beat = getattr(worker, "beat", None)
    # No await until the cancels are done, so no slot can pick up a job in between. The
    # heartbeat goes on while jobs are finishing (else another worker would take them back).
    idle = [task for task in worker.tasks if task not in busy and not (busy and task is beat)]
    worker.event.set()  # no new slots; a running start() begins SAQ's stop, waiting on every task
    for task in idle:
        task.cancel()
    await worker.stop()
