"""The SAQ worker: keyed jobs, prompt stop, running jobs finish before it stops."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from workhub.kernel.queue import SaqQueue, build_worker, stop_worker
from workhub.settings import Settings


@pytest.fixture
async def queue(settings: Settings) -> AsyncIterator[SaqQueue]:
    assert settings.redis_url
    q = SaqQueue(settings.redis_url, name="workhub-test")
    await q.connect()
    yield q
    await q.disconnect()


async def test_an_idle_worker_stops_at_once(queue: SaqQueue) -> None:
    worker = build_worker(queue, {}, [], context={}, shutdown_grace_period_s=20)
    running = asyncio.create_task(worker.start())
    await asyncio.sleep(0.3)
    started = time.monotonic()
    await stop_worker(worker)
    await asyncio.wait_for(running, timeout=5)
    assert time.monotonic() - started < 2.5


async def test_a_running_job_finishes_before_the_worker_stops(queue: SaqQueue, redis: Redis) -> None:
    async def slow(ctx: dict[str, Any], *, tag: str) -> None:
        await redis.set("probe:slow:started", tag)
        await asyncio.sleep(1)
        await redis.set("probe:slow:finished", tag)

    worker = build_worker(queue, {"probe.slow": slow}, [], context={}, shutdown_grace_period_s=20)
    running = asyncio.create_task(worker.start())
    await queue.enqueue("probe.slow", key="slow-1", tag="one")
    for _ in range(100):
        if await redis.get("probe:slow:started"):
            break
        await asyncio.sleep(0.05)
    assert await redis.get("probe:slow:finished") is None
    await stop_worker(worker)
    assert await redis.get("probe:slow:finished") == b"one"
    await asyncio.wait_for(running, timeout=5)


async def test_a_job_longer_than_the_grace_period_is_cut_off(queue: SaqQueue, redis: Redis) -> None:
    async def endless(ctx: dict[str, Any]) -> None:
        await redis.set("probe:endless:started", 1)
        await asyncio.sleep(3600)

    worker = build_worker(queue, {"probe.endless": endless}, [], context={})
    running = asyncio.create_task(worker.start())
    await queue.enqueue("probe.endless", key="endless-1")
    for _ in range(100):
        if await redis.get("probe:endless:started"):
            break
        await asyncio.sleep(0.05)
    started = time.monotonic()
    await stop_worker(worker, grace=0.5)
    await asyncio.wait_for(running, timeout=5)
    assert time.monotonic() - started < 4


async def test_a_burst_worker_runs_what_is_queued_and_stops(queue: SaqQueue, redis: Redis) -> None:
    async def note(ctx: dict[str, Any], *, n: int) -> None:
        await redis.rpush("probe:notes", n)  # type: ignore[misc]  # redis-py stubs

    for n in range(5):
        await queue.enqueue("probe.note", key=f"note-{n}", n=n)
    await queue.enqueue("probe.note", key="note-0", n=99)  # still pending: ignored
    worker = build_worker(queue, {"probe.note": note}, [], context={}, burst=True)
    await asyncio.wait_for(worker.start(), timeout=20)
    notes = await redis.lrange("probe:notes", 0, -1)  # type: ignore[misc]  # redis-py stubs
    assert sorted(int(x) for x in notes) == [0, 1, 2, 3, 4]
