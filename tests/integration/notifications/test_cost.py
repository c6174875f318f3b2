"""What a notification costs: jobs, relay passes and statements, so the short paths stay short.

A task created for someone who chose a channel for ``task_assigned`` is
told in two notification jobs (the handler of ``task.created``, then the
delivery) after two relay passes, reading their profile once, their
membership once (not the member list) and their channel choices in the
statement that writes the notification; the delivery itself is one
statement (its claim). A new comment reads who its task's thread has
mentioned from one row, never the earlier comments.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.fixtures import ClientFactory
from tests.integration.notifications.channel_plugin import RecordingChannelPlugin
from tests.integration.notifications.conftest import Hub
from tests.support import read
from workhub.kernel.plugins import Registry, Runtime
from workhub.settings import Settings

PREFS = "/api/v1/me/notification-preferences"


@dataclasses.dataclass
class Tally:
    """What the app did while it was watched: jobs enqueued, relay passes, and SQL by subscriber."""

    jobs: list[str] = dataclasses.field(default_factory=list[str])
    passes: int = 0
    statements: dict[str, list[str]] = dataclasses.field(default_factory=dict[str, list[str]])

    def tables(self, subscriber: str, pattern: str) -> int:
        """How many of ``subscriber``'s statements match ``pattern``."""
        return sum(1 for sql in self.statements.get(subscriber, []) if re.search(pattern, sql))


@contextmanager
def watching(hub: Hub) -> Iterator[Tally]:
    """Record every enqueue, relay pass and (SQLAlchemy) statement, each statement by the subscriber running it.

    Jobs run concurrently in the test's worker; each runs in its own asyncio
    task, which is how a statement is traced back to its subscriber.
    """
    app = hub.client.app
    registry: Registry = app.state.registry
    tally = Tally()
    running: dict[asyncio.Task[Any], str] = {}
    queue, relay = app.state.queue, app.state.relay
    engine = app.state.db_config.get_engine().sync_engine
    enqueue, run_once, subscribers = queue.enqueue, relay.run_once, list(registry.subscribers)

    async def record_enqueue(function: str, **kwargs: Any) -> None:
        tally.jobs.append(kwargs.get("subscriber", function))
        await enqueue(function, **kwargs)

    async def record_pass() -> int:
        moved = await run_once()
        tally.passes += bool(moved)
        return moved

    def traced(name: str, handler: Any) -> Any:
        async def run(event: Any, runtime: Runtime) -> None:
            task = asyncio.current_task()
            assert task is not None
            running[task] = name
            try:
                await handler(event, runtime)
            finally:
                running.pop(task, None)

        return run

    def on_statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        try:
            task = asyncio.current_task()
        except RuntimeError:
            return
        if task in running:
            tally.statements.setdefault(running[task], []).append(statement)

    queue.enqueue, relay.run_once = record_enqueue, record_pass
    registry.subscribers[:] = [dataclasses.replace(s, handler=traced(s.name, s.handler)) for s in subscribers]
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        yield tally
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        registry.subscribers[:] = subscribers
        queue.enqueue, relay.run_once = enqueue, run_once


@pytest.fixture
async def pigeon() -> RecordingChannelPlugin:
    return RecordingChannelPlugin("pigeon")


@pytest.fixture
async def plugged(make_client: ClientFactory, settings: Settings, pigeon: RecordingChannelPlugin) -> Hub:
    assert settings.database_url
    client = await make_client(plugins=[pigeon])
    return await Hub.build(client, settings.database_url)


async def test_one_assigned_task_with_one_channel_costs_two_jobs_and_one_profile_read(
    plugged: Hub, pigeon: RecordingChannelPlugin
) -> None:
    hub = plugged
    resp = await hub.client.put(
        PREFS, json={"kinds": [{"kind": "task_assigned", "channels": ["pigeon"]}]}, headers=hub.editor.headers
    )
    assert resp.status_code == 200, resp.text
    await hub.settle()

    with watching(hub) as tally:
        await hub.create(hub.owner, assignee_id=str(hub.editor.id))
        await hub.settle()

    assert len(pigeon.channel.delivered) == 1
    ours = Counter(job for job in tally.jobs if job.startswith("notifications."))
    # One job writes the notification, one delivers it: no fan-out job in between.
    assert ours == {"notifications.on_task_created": 1, "notifications.deliver_to_channel": 1}
    assert tally.passes == 2  # task.created; then notification.created with its delivery

    told = "notifications.on_task_created"
    assert tally.tables(told, r"\bFROM user_account\b") == 1  # the assignee's profile, once
    assert tally.tables(told, r"\bproject_member\b") == 1  # their membership, not the member list
    assert tally.tables(told, r"\bnotification_preference\b") == 1  # in the INSERT itself
    assert tally.tables(told, r"INSERT INTO notification\b") == 1
    assert len(tally.statements[told]) == 4  # the project's name, the membership, the profile, the INSERT

    (claim,) = tally.statements["notifications.deliver_to_channel"]  # nothing read again
    assert "INSERT INTO notification_delivery" in claim


async def test_a_new_comment_reads_who_its_thread_mentioned_not_the_earlier_comments(hub: Hub) -> None:
    task = await hub.create(hub.owner, assignee_id=str(hub.editor.id))
    await hub.comment(task, hub.editor2, "@viewer have a look")
    for n in range(3):
        await hub.comment(task, hub.editor, f"Note {n}")
    await hub.settle()

    with watching(hub) as tally:
        await hub.comment(task, hub.owner2, "Any news?")
        await hub.settle()

    # The creator, the assignee and the one mentioned earlier hear of it; the author does not.
    assert (await hub.kinds(hub.viewer)).count("comment") == 5
    assert (await hub.kinds(hub.owner)).count("comment") == 5
    assert (await hub.kinds(hub.editor)).count("comment") == 2  # not of their own three
    assert await hub.kinds(hub.owner2) == []
    told = "notifications.on_comment_created"
    assert tally.tables(told, r"\bFROM task_comment\b") == 0  # no earlier comment read
    assert tally.tables(told, r"\bnotification_thread\b") == 1  # who the thread mentioned
    assert tally.tables(told, r"\bFROM user_account\b") == 1  # the recipients and the author, once
    assert tally.tables(told, r"\bproject_member\b") == 3  # each recipient's membership, not the list


async def test_a_task_older_than_its_thread_row_finds_its_mentions_once(hub: Hub) -> None:
    task = await hub.create(hub.owner)
    await hub.comment(task, hub.editor2, "@viewer have a look")
    await hub.settle()

    async def forget(session: AsyncSession) -> None:  # as for a task commented on before the row was kept
        await session.execute(text("DELETE FROM notification_thread"))
        await session.commit()

    await read(hub.client, forget)
    with watching(hub) as tally:
        await hub.comment(task, hub.editor, "Any news?")
        await hub.settle()
    assert await hub.kinds(hub.viewer) == ["comment", "comment"]
    assert tally.tables("notifications.on_comment_created", r"\bFROM task_comment\b") == 1

    with watching(hub) as tally:
        await hub.comment(task, hub.editor, "Still here")
        await hub.settle()
    assert await hub.kinds(hub.viewer) == ["comment", "comment", "comment"]
    assert tally.tables("notifications.on_comment_created", r"\bFROM task_comment\b") == 0
