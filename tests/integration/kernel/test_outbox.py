"""The transactional outbox: publish is atomic with the change, the relay delivers at least once, no event is lost."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID, uuid4

import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.kernel.conftest import Serve, sign_up
from tests.integration.kernel.probe import DELIVERIES, Probe
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import build_db_config, session_scope
from workhub.kernel.events import DomainEvent, OutboxRelay, publish
from workhub.kernel.queue import JobQueue, build_worker
from workhub.projects.schemas import ProjectCreate
from workhub.projects.services import ProjectService
from workhub.settings import Settings


class ProbeHappened(DomainEvent, frozen=True, kw_only=True, tag="probe.happened"):
    """A test event with nothing but the base fields."""

    entity_type: ClassVar[str] = "probe"


class CountingQueue:
    """The real queue, with every enqueue counted by key (and slowed, so relays overlap)."""

    def __init__(self, inner: JobQueue, *, fail_after: int | None = None) -> None:
        self.inner = inner
        self.keys: Counter[str | None] = Counter()
        self.fail_after = fail_after

    async def enqueue(self, function: str, *, key: str | None = None, **kwargs: Any) -> None:
        self.keys[key] += 1
        await asyncio.sleep(0.002)
        await self.inner.enqueue(function, key=key, **kwargs)
        if self.fail_after is not None and sum(self.keys.values()) >= self.fail_after:
            raise ConnectionError("the relay's process dies here, before its transaction commits")


async def drain(relay: OutboxRelay) -> int:
    moved = 0
    while n := await relay.run_once():
        moved += n
    return moved


async def work_off(app: Litestar) -> None:
    """A real SAQ worker in burst mode: run every queued job, then stop."""
    registry = app.state.registry
    worker = build_worker(app.state.queue, registry.jobs, [], context={"registry": registry}, burst=True)
    await asyncio.wait_for(worker.start(), timeout=60)


async def deliveries(app: Litestar) -> list[str]:
    return [line.decode() for line in await app.state.redis.lrange(DELIVERIES, 0, -1)]


async def scalar(session: AsyncSession, sql: str, **params: Any) -> Any:
    return (await session.execute(text(sql), params)).scalar_one()


async def publish_probes(app: Litestar, count: int) -> list[UUID]:
    ids = [uuid4() for _ in range(count)]
    async with session_scope(app.state.db_config) as session:
        for entity_id in ids:
            await publish(session, ProbeHappened(entity_id=entity_id))
    return ids


async def test_publish_commits_or_rolls_back_with_the_change(serve: Serve) -> None:
    app, client = await serve()
    owner, _ = await sign_up(client)
    owner_id = UUID(owner)
    config = app.state.db_config
    counts = (
        "SELECT (SELECT count(*) FROM project WHERE key = :key)"
        " + 10 * (SELECT count(*) FROM outbox WHERE event = 'project.created' AND payload->>'key' = :key)"
        " + 100 * (SELECT count(*) FROM audit_log WHERE action = 'project.created')"
    )

    async def create_then_fail() -> None:
        async with session_scope(config) as session:
            await ProjectService(session=session).create_project(
                ProjectCreate(key="GONE", name="Rolled back"), owner_id
            )
            assert await scalar(session, counts, key="GONE") == 111  # all three, in this transaction
            raise RuntimeError("abort")

    with acting_as(Actor(kind="user", id=owner_id)):
        with pytest.raises(RuntimeError, match="abort"):
            await create_then_fail()
        async with config.get_session() as session:
            assert await scalar(session, counts, key="GONE") == 0  # none of the three survived

        async with session_scope(config) as session:
            await ProjectService(session=session).create_project(
                ProjectCreate(key="KEPT", name="Committed"), owner_id
            )
        async with config.get_session() as session:
            assert await scalar(session, counts, key="KEPT") == 111


async def test_the_relay_delivers_committed_events_to_subscribers(serve: Serve) -> None:
    app, client = await serve(plugins=[Probe()])
    _, headers = await sign_up(client)
    resp = await client.post("/api/v1/projects", json={"key": "REL", "name": "Relayed"}, headers=headers)
    assert resp.status_code == 201, resp.text
    project_id = resp.json()["id"]
    assert await deliveries(app) == []  # nothing happens before the relay runs
    assert await drain(app.state.relay) >= 1
    await work_off(app)
    delivered = await deliveries(app)
    assert [d.split("|")[:3] for d in delivered] == [["probe.record", "project.created", project_id]]
    async with app.state.db_config.get_session() as session:
        pending = await scalar(session, "SELECT count(*) FROM outbox WHERE dispatched_at IS NULL")
    assert pending == 0


async def test_an_event_committed_by_a_killed_process_is_still_delivered(
    serve: Serve, settings: Settings
) -> None:
    app, client = await serve(plugins=[Probe()])
    owner, _ = await sign_up(client)
    assert settings.database_url and settings.redis_url
    script = Path(__file__).with_name("commit_and_hang.py")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        settings.database_url,
        settings.redis_url,
        owner,
        "KIL",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "WORKHUB_PLUGINS": ""},
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
        assert line, (await proc.stderr.read()).decode() if proc.stderr else "no output"
        project_id = line.decode().strip()
        UUID(project_id)
    finally:
        proc.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(proc.wait(), timeout=10) == -signal.SIGKILL

    async with app.state.db_config.get_session() as session:
        undispatched = await scalar(
            session,
            "SELECT count(*) FROM outbox WHERE event = 'project.created'"
            " AND payload->>'entity_id' = :id AND dispatched_at IS NULL",
            id=project_id,
        )
        audited = await scalar(
            session,
            "SELECT request_id FROM audit_log WHERE action = 'project.created' AND entity_id = :id",
            id=UUID(project_id),
        )
    assert undispatched == 1
    assert audited == "doomed-process"

    await drain(app.state.relay)
    await work_off(app)
    delivered = [d.split("|")[:3] for d in await deliveries(app)]
    assert delivered == [["probe.record", "project.created", project_id]]


async def test_two_relays_at_once_move_each_row_once(serve: Serve, settings: Settings) -> None:
    app, _ = await serve(plugins=[Probe(events=("probe.happened",))])
    ids = await publish_probes(app, 60)
    assert settings.database_url
    configs = [build_db_config(settings.database_url, pool_size=2) for _ in range(2)]
    queue = CountingQueue(app.state.queue)
    relays = [OutboxRelay(config, app.state.registry, queue) for config in configs]
    for relay in relays:
        relay.batch_size = 5
    try:
        moved = await asyncio.gather(*(drain(relay) for relay in relays))
    finally:
        for config in configs:
            await config.get_engine().dispose()
    assert sum(moved) == 60
    assert all(m > 0 for m in moved), f"the relays did not overlap: {moved}"
    assert len(queue.keys) == 60
    assert set(queue.keys.values()) == {1}
    await work_off(app)
    delivered = await deliveries(app)
    assert sorted(UUID(d.split("|")[2]) for d in delivered) == sorted(ids)


async def test_a_relay_that_dies_before_commit_is_repeated_without_double_delivery(serve: Serve) -> None:
    app, _ = await serve(plugins=[Probe(events=("probe.happened",))])
    ids = await publish_probes(app, 5)
    dying = OutboxRelay(app.state.db_config, app.state.registry, CountingQueue(app.state.queue, fail_after=3))
    with pytest.raises(ConnectionError):
        await dying.run_once()
    async with app.state.db_config.get_session() as session:
        assert await scalar(session, "SELECT count(*) FROM outbox WHERE dispatched_at IS NULL") == 5
    # The next relay enqueues all five again; the three still queued keep their single job.
    again = CountingQueue(app.state.queue)
    assert await drain(OutboxRelay(app.state.db_config, app.state.registry, again)) == 5
    assert len(again.keys) == 5
    await work_off(app)
    delivered = await deliveries(app)
    assert len(delivered) == 5
    assert sorted(UUID(d.split("|")[2]) for d in delivered) == sorted(ids)


async def test_enqueueing_a_pending_key_again_is_a_no_op(serve: Serve) -> None:
    app, _ = await serve(plugins=[Probe(events=("probe.happened",))])
    event = ProbeHappened(entity_id=uuid4())
    payload = {"event": event.name, "id": str(event.id), "entity_id": str(event.entity_id)}
    for _ in range(3):
        await app.state.queue.enqueue(
            "workhub.deliver_event",
            key="event:test:probe.record",
            subscriber="probe.record",
            event=event.name,
            payload=payload,
        )
    await work_off(app)
    assert len(await deliveries(app)) == 1
