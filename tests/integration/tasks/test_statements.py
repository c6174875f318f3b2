"""The busiest task routes send as few statements as they can.

A project's task list and a single task are one statement each: the rows
bring the caller's role, and the guard decides from it. Other guarded
reads are two: the guard's access query and the read itself.

Every statement the app sends is recorded twice over: SQLAlchemy's cursor
events see ORM/Core statements, and an asyncpg query logger on each pooled
connection sees the plain-SQL reads and every ``BEGIN``/``COMMIT``. asyncpg
calls its loggers soon after a statement, on the app's loop, so the recorder
lets that loop settle before it is read or cleared.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from tests.integration.tasks.conftest import Board


class Statements:
    """Statements sent to PostgreSQL by the app since the last :meth:`clear`."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def settle(self) -> None:
        """Let pending query-logger calls of the request just answered arrive."""
        await asyncio.sleep(0.1)

    async def clear(self) -> None:
        await self.settle()
        self.sent.clear()

    async def read(self) -> list[str]:
        await self.settle()
        return list(self.sent)

    def record(self, text: str) -> None:
        self.sent.append(" ".join(text.split()))


@pytest.fixture
def statements(board: Board) -> Iterator[Statements]:
    """Record what the board's app sends to the database."""
    recorder = Statements()
    engine = board.client.app.state.db_config.get_engine().sync_engine
    logged: set[int] = set()

    def on_query(query: Any) -> None:
        recorder.record(query.query)

    def on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        driver = dbapi_connection.driver_connection
        if id(driver) not in logged:
            logged.add(id(driver))
            driver.add_query_logger(on_query)

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        recorder.record(statement)

    event.listen(engine, "checkout", on_checkout)
    event.listen(engine, "before_cursor_execute", on_execute)
    yield recorder
    event.remove(engine, "checkout", on_checkout)
    event.remove(engine, "before_cursor_execute", on_execute)


async def _sent_by(board: Board, statements: Statements, url: str, **params: Any) -> list[str]:
    """The statements one GET of ``url`` sends (after a first GET warmed the connection up)."""
    for _ in range(2):
        await statements.clear()
        resp = await board.client.get(url, params=params, headers=board.editor.headers)
        assert resp.status_code == 200, resp.text
    return await statements.read()


async def test_listing_fifty_tasks_of_a_project_is_one_statement(
    board: Board, statements: Statements
) -> None:
    for n in range(55):
        await board.create(title=f"Task {n}")
    sent = await _sent_by(board, statements, board.tasks_url, limit=50)
    # The page with the caller's role: no guard query, no BEGIN/COMMIT, no per-row lookups.
    assert len(sent) == 1, sent
    assert sent[0].upper().startswith("SELECT"), sent
    page = (await board.list(by=board.editor, limit=50))["items"]
    assert len(page) == 50
    assert page[0]["key"] == "OPS-55"


async def test_an_empty_page_asks_the_guard_statement(board: Board, statements: Statements) -> None:
    await board.create(title="Only one", priority="low")
    sent = await _sent_by(board, statements, board.tasks_url, priority="urgent")
    # No row came back to carry the role, so the guard's own access query decides.
    assert len(sent) == 2, sent
    assert all(s.upper().startswith("SELECT") for s in sent), sent


async def test_reading_one_task_is_one_statement(board: Board, statements: Statements) -> None:
    task = await board.create()
    sent = await _sent_by(board, statements, f"/api/v1/tasks/{task['id']}")
    # The task with the caller's role: the guard decides from it.
    assert len(sent) == 1, sent
    assert sent[0].upper().startswith("SELECT"), sent


async def test_listing_tasks_across_my_projects_is_one_statement(
    board: Board, statements: Statements
) -> None:
    for n in range(3):
        await board.create(title=f"Task {n}")
    sent = await _sent_by(board, statements, "/api/v1/tasks", limit=50)
    assert len(sent) == 1, sent
    assert sent[0].upper().startswith("SELECT"), sent


async def test_a_change_reads_the_task_and_its_key_in_one_statement(
    board: Board, statements: Statements
) -> None:
    task = await board.create()
    await statements.clear()
    resp = await board.patch(task, title="Renamed")
    assert resp.status_code == 200, resp.text
    assert resp.json()["key"] == "OPS-1"
    selects = [s for s in await statements.read() if s.upper().startswith("SELECT")]
    # The guard's access query, and the task locked together with its project key.
    assert len(selects) == 2, selects
    (locked,) = [s for s in selects if "FOR UPDATE" in s.upper()]
    assert "project_key" in locked, locked


async def test_creating_a_task_sends_its_writes_in_one_transaction(
    board: Board, statements: Statements
) -> None:
    await board.create(title="Warm-up")
    await statements.clear()
    task = await board.create(title="Counted")
    assert task["key"] == "OPS-2"
    sent = [s.upper() for s in await statements.read()]
    # The guard's access query, then the number, the row, the event and its audit record.
    assert [s.split()[0] for s in sent] == [
        "SELECT",
        "BEGIN;",
        "UPDATE",
        "INSERT",
        "INSERT",
        "INSERT",
        "COMMIT;",
    ], sent
    assert [s.split()[2] for s in sent[3:6]] == ["TASK", "OUTBOX", "AUDIT_LOG"], sent
