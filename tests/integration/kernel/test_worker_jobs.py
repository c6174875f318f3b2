"""Retries with capped exponential backoff, failed jobs kept, and cron ticks that run once across workers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis
from saq import Status

from workhub.kernel import queue as queue_module
from workhub.kernel.queue import (
    ATTEMPTS,
    RETRY_CAP,
    RETRY_DELAY,
    JobFunction,
    SaqQueue,
    build_worker,
    stop_worker,
)
from workhub.settings import Settings


@pytest.fixture
async def queue(settings: Settings) -> AsyncIterator[SaqQueue]:
    assert settings.redis_url
    q = SaqQueue(settings.redis_url, name="workhub-jobs-test")
    await q.connect()
    yield q
    await q.disconnect()


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    assert settings.redis_url
    client = Redis.from_url(settings.redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def wait_status(queue: SaqQueue, key: str, status: Status, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        job = await queue.saq.job(key)
        if job is not None and job.status == status:
            return
        await asyncio.sleep(0.05)
    job = await queue.saq.job(key)
    pytest.fail(f"job {key} is {job.status if job else None}, not {status}")


async def test_jobs_get_five_attempts_with_backoff_doubling_up_to_a_cap(queue: SaqQueue) -> None:
    await queue.enqueue("probe.anything", key="options")
    job = await queue.saq.job("options")
    assert job is not None
    assert (
        (job.retries, job.retry_delay, job.retry_backoff)
        == (ATTEMPTS, RETRY_DELAY, RETRY_CAP)
        == (5, 1.0, 60.0)
    )
    assert job.heartbeat == 30 and job.timeout == 300
    for attempts in range(1, 12):
        job.attempts = attempts
        bound = min(RETRY_CAP, RETRY_DELAY * 2 ** (attempts - 1))
        delays = [job.next_retry_delay() for _ in range(200)]
        assert all(0 <= d <= bound for d in delays)
        assert max(delays) > bound / 2  # jittered over the whole range, not stuck at the bottom


async def test_a_flaky_job_succeeds_on_a_retry(queue: SaqQueue, redis: Redis) -> None:
    async def flaky(ctx: dict[str, Any]) -> None:
        await redis.rpush("probe:flaky", ctx["job"].attempts)  # type: ignore[misc]  # redis-py stubs
        if ctx["job"].attempts < 3:
            raise RuntimeError("not yet")

    worker = build_worker(queue, {"probe.flaky": flaky}, [], context={})
    running = asyncio.create_task(worker.start())
    try:
        await queue.enqueue("probe.flaky", key="flaky")
        await wait_status(queue, "flaky", Status.COMPLETE, within=15)  # waits of at most 1 s, then 2 s
        assert await redis.lrange("probe:flaky", 0, -1) == ["1", "2", "3"]  # type: ignore[misc]
    finally:
        await stop_worker(worker)
        await running


async def test_a_job_that_keeps_failing_is_kept_as_failed_with_its_error(
    queue: SaqQueue, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue_module, "RETRY_DELAY", 0.05)  # the same schedule, compressed

    async def broken(ctx: dict[str, Any]) -> None:
        await redis.incr("probe:broken")
        raise ValueError("the remote end is down")

    worker = build_worker(queue, {"probe.broken": broken}, [], context={})
    running = asyncio.create_task(worker.start())
    try:
        await queue.enqueue("probe.broken", key="broken")
        await wait_status(queue, "broken", Status.FAILED, within=15)
        assert await redis.get("probe:broken") == str(ATTEMPTS)
        job = await queue.saq.job("broken")
        assert job is not None and "the remote end is down" in (job.error or "")
    finally:
        await stop_worker(worker)
        await running


async def test_a_cron_tick_runs_once_however_many_workers_schedule_it(queue: SaqQueue, redis: Redis) -> None:
    async def tick(ctx: dict[str, Any]) -> None:
        await redis.rpush("probe:ticks", ctx["job"].scheduled)  # type: ignore[misc]  # redis-py stubs

    crons: list[tuple[JobFunction, str]] = [(tick, "* * * * * *")]  # every second (croniter's sixth field)
    workers = [build_worker(queue, {}, crons, context={}) for _ in range(3)]
    running = [asyncio.create_task(w.start()) for w in workers]
    await asyncio.sleep(5.5)
    for w in workers:
        await stop_worker(w)
    await asyncio.gather(*running)
    ticks = await redis.lrange("probe:ticks", 0, -1)  # type: ignore[misc]
    assert len(ticks) >= 3
    assert len(ticks) == len(set(ticks)), f"a tick ran twice: {ticks}"


async def test_crons_of_two_plugins_with_the_same_function_name_both_run(
    queue: SaqQueue, redis: Redis
) -> None:
    def make(tag: str) -> JobFunction:
        async def cleanup(ctx: dict[str, Any]) -> None:
            await redis.rpush("probe:cleanup", tag)  # type: ignore[misc]  # redis-py stubs

        return cleanup

    first, second = make("first"), make("second")  # one __qualname__, two registered names
    crons: list[tuple[JobFunction, str]] = [(first, "* * * * * *"), (second, "* * * * * *")]
    worker = build_worker(queue, {"one.cleanup": first, "two.cleanup": second}, crons, context={})
    running = asyncio.create_task(worker.start())
    await asyncio.sleep(3.5)
    await stop_worker(worker)
    await running
    assert set(await redis.lrange("probe:cleanup", 0, -1)) == {"first", "second"}  # type: ignore[misc]


async def _sweep_now(queue: SaqQueue) -> list[str]:
    """One sweep, as the next worker's timer would run it (the previous one's lock lifted)."""
    await queue.saq.redis.delete(queue.saq.namespace("sweep"))  # type: ignore[attr-defined]
    return await queue.saq.sweep(lock=10, abort=0.1)


async def test_a_job_taken_but_not_yet_marked_is_swept_only_when_two_sweeps_find_it_so(
    queue: SaqQueue,
) -> None:
    """A worker slow to mark a dequeued job (a loaded machine) keeps it; one that died loses it to the next sweep."""
    saq: Any = queue.saq
    for key in ("slow", "dead"):
        await queue.enqueue("probe.anything", key=key)
        job_id = saq.job_id(key)
        # What a worker's dequeue does first: the job moves to the active list, still marked queued.
        await saq.redis.lmove(saq.namespace("queued"), saq.namespace("active"), "RIGHT", "LEFT")
        assert job_id.encode() in await saq.redis.lrange(saq.namespace("active"), 0, -1)
    assert await _sweep_now(queue) == []  # the first sweep only notes them

    slow = await saq.job("slow")
    assert slow is not None
    started = int(time.time() * 1000)
    # The slow worker got round to marking it.
    await slow.update(status=Status.ACTIVE, started=started, touched=started)
    swept = await _sweep_now(queue)
    assert swept == [saq.job_id("dead")]
    dead = await saq.job("dead")
    assert dead is not None and dead.status == Status.QUEUED  # retried: it has attempts left
    assert (await saq.job("slow")).status == Status.ACTIVE


async def test_each_job_runs_within_its_own_time_limit_and_heartbeats_keep_a_long_one(
    settings: Settings, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old default, the limits and the heartbeat scaled down from minutes to seconds."""
    monkeypatch.setattr(queue_module, "TIMEOUT", 1)
    monkeypatch.setattr(queue_module, "RETRY_DELAY", 0.05)
    assert settings.redis_url
    queue = SaqQueue(settings.redis_url, name="workhub-limits-test", heartbeat=2)
    await queue.connect()

    async def nap(ctx: dict[str, Any], *, seconds: float) -> None:
        await redis.rpush(f"probe:nap:{ctx['job'].key}", "started")  # type: ignore[misc]  # redis-py stubs
        await asyncio.sleep(seconds)
        await redis.rpush(f"probe:nap:{ctx['job'].key}", "finished")  # type: ignore[misc]

    worker = build_worker(queue, {"probe.nap": nap}, [], context={}, sweep_seconds=1)
    running = asyncio.create_task(worker.start())
    try:
        await queue.enqueue("probe.nap", key="short", time_limit=1, seconds=30)
        await queue.enqueue("probe.nap", key="long", time_limit=20, seconds=5)
        await queue.enqueue("probe.nap", key="default", seconds=30)
        # Five seconds: past the old default, the short limit and two heartbeat periods, with a sweep
        # every second; the long job is neither cut off nor taken back and runs once.
        await wait_status(queue, "long", Status.COMPLETE, within=12)
        assert await redis.lrange("probe:nap:long", 0, -1) == ["started", "finished"]  # type: ignore[misc]
        for key in ("short", "default"):
            # Stopped at 1 s on every attempt: by the worker's timeout (failed), or, when the sweep
            # finds it past its limit first, taken back (aborted); it never gets to finish.
            deadline = time.monotonic() + 20
            job = await queue.saq.job(key)
            while job is not None and job.status not in (Status.FAILED, Status.ABORTED):
                assert time.monotonic() < deadline, f"{key} is still {job.status}"
                await asyncio.sleep(0.1)
                job = await queue.saq.job(key)
            assert job is not None and job.timeout == 1
            assert "finished" not in await redis.lrange(f"probe:nap:{key}", 0, -1)  # type: ignore[misc]
        long = await queue.saq.job("long")
        assert long is not None and long.timeout == 20 and long.attempts == 1
    finally:
        await stop_worker(worker)
        await running
        await queue.disconnect()


async def test_a_retried_failed_job_keeps_its_time_limit(
    queue: SaqQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue_module, "RETRY_DELAY", 0.05)

    async def broken(ctx: dict[str, Any]) -> None:
        raise ValueError("no")

    worker = build_worker(queue, {"probe.broken": broken}, [], context={})
    running = asyncio.create_task(worker.start())
    try:
        await queue.enqueue("probe.broken", key="limited", time_limit=1234)
        await wait_status(queue, "limited", Status.FAILED, within=15)
        # The failure is kept by an after-process hook, a moment after the job's status says failed.
        for _ in range(150):
            if (await queue.failed())[0]:
                break
            await asyncio.sleep(0.1)
    finally:
        await stop_worker(worker)
        await running
    assert await queue.retry_failed("limited") is not None
    job = await queue.saq.job("limited")
    assert job is not None and job.status == Status.QUEUED and job.timeout == 1234
