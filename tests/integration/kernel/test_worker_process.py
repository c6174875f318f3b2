"""`workhub worker` as a real process: SIGTERM hands back what it could not finish, SIGKILL loses nothing.

The probe plugin's ``nap`` job sleeps long on its first attempt and briefly
on a retry, and notes each start and finish in Redis.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from redis.asyncio import Redis
from saq import Status

from tests.integration.kernel.worker_probe import NAP_FINISHED, NAP_STARTED
from tests.integration.kernel.worker_process import WorkerProcess
from workhub.kernel.queue import SaqQueue
from workhub.settings import Settings

GRACE = 2


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    assert settings.redis_url
    client = Redis.from_url(settings.redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
async def worker(settings: Settings, tmp_path: Path) -> AsyncIterator[WorkerProcess]:
    process = WorkerProcess(settings, tmp_path, WORKHUB_WORKER_GRACE_SECONDS=str(GRACE))
    yield process
    if process.proc is not None and process.proc.returncode is None:
        await process.kill()


async def eventually(
    check: Callable[[], Awaitable[bool]], what: str, worker: WorkerProcess, within: float
) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"{what} did not happen within {within}s; worker log:\n{worker.log()[-4000:]}")


async def notes(redis: Redis, key: str) -> list[str]:
    return await redis.lrange(key, 0, -1)  # type: ignore[misc]  # redis-py stubs


async def test_sigterm_lets_running_jobs_finish_and_requeues_what_the_grace_period_cut_off(
    settings: Settings, worker: WorkerProcess, redis: Redis
) -> None:
    assert settings.redis_url
    queue = SaqQueue(settings.redis_url)
    await queue.connect()
    try:
        await worker.start()
        await queue.enqueue("workerprobe.nap", key="short", tag="short", first=1.0)
        await queue.enqueue("workerprobe.nap", key="long", tag="long", first=120.0)

        async def both_started() -> bool:
            return {"short:1", "long:1"} <= set(await notes(redis, NAP_STARTED))

        await eventually(both_started, "both jobs starting", worker, 60)
        signalled = time.monotonic()
        assert await worker.stop() == 0, worker.log()
        assert time.monotonic() - signalled < GRACE + 5
        # The short job finished inside the grace period; the long one was cut off and queued again.
        assert await notes(redis, NAP_FINISHED) == ["short:1"]
        long_job = await queue.saq.job("long")
        assert long_job is not None and long_job.status == Status.QUEUED

        await worker.start()

        async def long_done() -> bool:
            return "long:2" in await notes(redis, NAP_FINISHED)

        await eventually(long_done, "the cut-off job running again", worker, 30)
        assert await notes(redis, NAP_FINISHED) == ["short:1", "long:2"]
        assert await worker.stop() == 0
    finally:
        await queue.disconnect()


async def test_sigkill_mid_job_loses_nothing_the_job_runs_again_after_restart(
    settings: Settings, worker: WorkerProcess, redis: Redis
) -> None:
    assert settings.redis_url
    queue = SaqQueue(settings.redis_url, heartbeat=2)  # abandoned after 2 s without a heartbeat
    await queue.connect()
    try:
        await worker.start()
        await queue.enqueue("workerprobe.nap", key="doomed", tag="doomed", first=120.0)

        async def started() -> bool:
            return "doomed:1" in await notes(redis, NAP_STARTED)

        await eventually(started, "the job starting", worker, 60)
        await worker.kill()
        job = await queue.saq.job("doomed")
        assert job is not None and job.status == Status.ACTIVE  # nobody handed it back

        await worker.start()

        async def finished() -> bool:
            return "doomed:2" in await notes(redis, NAP_FINISHED)

        await eventually(finished, "the abandoned job running again", worker, 40)
        job = await queue.saq.job("doomed")
        assert job is not None and job.status == Status.COMPLETE

        # A job running longer than its heartbeat timeout is kept alive by the worker, not swept.
        await queue.enqueue("workerprobe.nap", key="steady", tag="steady", first=6.0)

        async def steady_done() -> bool:
            return "steady:1" in await notes(redis, NAP_FINISHED)

        await eventually(steady_done, "the long job finishing", worker, 40)
        assert [n for n in await notes(redis, NAP_STARTED) if n.startswith("steady")] == ["steady:1"]
        assert await worker.stop() == 0
    finally:
        await queue.disconnect()
