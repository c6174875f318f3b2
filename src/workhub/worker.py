"""The worker process: SAQ jobs and cron, plus an outbox relay."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from workhub.kernel import events
from workhub.kernel.heap import freeze_startup_objects
from workhub.kernel.plugins import Runtime
from workhub.kernel.queue import SaqQueue, build_worker, stop_worker
from workhub.kernel.redis import create_redis
from workhub.kernel.sockets import redis_broadcaster
from workhub.process import build_registry, process_db_config
from workhub.settings import Settings

__all__ = ("run_worker",)

logger = logging.getLogger("workhub.worker")


async def run_worker(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM; running jobs get a grace period to finish.

    On the signal the worker takes no new job; a job still running after
    ``worker_grace_seconds`` is cancelled and put back in the queue, so it
    runs again once a worker is up. After SIGKILL the heartbeat sweep of the
    next live worker does the same (see :mod:`workhub.kernel.queue`).
    """
    assert settings.database_url and settings.redis_url
    registry = build_registry(settings)
    db = process_db_config(settings, registry)
    redis = create_redis(settings.redis_url)
    queue = SaqQueue(settings.redis_url)
    await queue.connect()
    runtime = Runtime(settings=settings, db=db, redis=redis, queue=queue)
    broadcaster = redis_broadcaster(settings.redis_url)  # write-only: emits reach every web process
    runtime.broadcaster = broadcaster
    registry.bind(runtime)
    worker = build_worker(
        queue,
        registry.jobs,
        registry.crons,
        context={"registry": registry},
        shutdown_grace_period_s=settings.worker_grace_seconds,
        sweep_seconds=settings.worker_sweep_seconds,
    )
    relay = events.OutboxRelay(db, registry, queue)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = [
        asyncio.create_task(worker.start()),
        asyncio.create_task(relay.run_forever(gather=settings.relay_gather_ms / 1000)),
    ]
    if settings.env != "test":  # as in create_app
        freeze_startup_objects()
    logger.info("worker started with %d job functions", len(registry.jobs))
    await stop.wait()
    logger.info("stopping: finishing running jobs")
    await stop_worker(worker)
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    await queue.disconnect()
    await broadcaster.aclose()
    await redis.aclose()
    await db.get_engine().dispose()
