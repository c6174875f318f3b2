"""The overdue sweep, with the clock moved instead of waiting: announced once, one event, cleared by moving or closing.

The sweep is a cron job in the worker; here its function runs directly on
the app's loop after ``clock.shift``, which is what the cron tick would do.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.tasks.conftest import Board
from tests.support import in_app, read
from workhub.kernel.clock import clock
from workhub.kernel.events import Outbox
from workhub.tasks.overdue import mark_overdue


async def sweep(board: Board) -> int:
    """One run of the overdue cron job, in the app."""
    return await in_app(board.client, lambda: mark_overdue(board.client.app.state.db_config))


async def overdue_payloads(board: Board, task_id: str) -> list[dict[str, Any]]:
    async def fetch(session: AsyncSession) -> list[dict[str, Any]]:
        stmt = select(Outbox.payload).where(
            Outbox.event == "task.overdue", Outbox.payload["entity_id"].astext == task_id
        )
        return list((await session.scalars(stmt)).all())

    return await read(board.client, fetch)


async def overdue_events(board: Board, task_id: str) -> int:
    async def count(session: AsyncSession) -> int:
        stmt = (
            select(func.count())
            .select_from(Outbox)
            .where(Outbox.event == "task.overdue", Outbox.payload["entity_id"].astext == task_id)
        )
        return int(await session.scalar(stmt) or 0)

    return await read(board.client, count)


async def get(board: Board, task: dict[str, Any]) -> dict[str, Any]:
    resp = await board.client.get(f"/api/v1/tasks/{task['id']}", headers=board.owner.headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


def later(**delta: float) -> str:
    return (clock.now() + timedelta(**delta)).isoformat()


async def test_a_passed_deadline_is_marked_once_with_one_event_by_the_system(board: Board) -> None:
    task = await board.create(title="Ship it", deadline=later(hours=1), assignee_id=str(board.editor.id))
    untouched = await board.create(title="Later", deadline=later(days=3))
    undated = await board.create(title="Someday")
    assert await sweep(board) == 0

    clock.shift(timedelta(hours=2))
    assert await sweep(board) == 1
    marked = await get(board, task)
    # Announcing is the system's business: the task's version is its editors' alone.
    assert marked["overdue"] is True and marked["version"] == task["version"]
    assert (await get(board, untouched))["overdue"] is False
    assert (await get(board, undated))["overdue"] is False
    assert await board.titles(status="overdue") == ["Ship it"]

    # Later runs find nothing new: no second event for the same lateness.
    clock.shift(timedelta(minutes=1))
    assert await sweep(board) == 0
    assert await overdue_events(board, task["id"]) == 1
    history = await board.history(task["id"])
    overdue = [entry for entry in history if entry["action"] == "task.overdue"]
    assert len(overdue) == 1
    assert overdue[0]["actor_kind"] == "system" and overdue[0]["changes"] == {"overdue": [False, True]}
    # The event carries the task as the API shows it, at its version.
    (payload,) = await overdue_payloads(board, task["id"])
    assert payload["version"] == marked["version"]
    assert payload["task"]["overdue"] is True and payload["task"]["key"] == marked["key"]


async def test_moving_the_deadline_ahead_or_closing_clears_the_mark(board: Board) -> None:
    moved = await board.create(title="Moved", deadline=later(minutes=30))
    closed = await board.create(title="Closed", deadline=later(minutes=30))
    still_late = await board.create(title="Still late", deadline=later(minutes=30))
    clock.shift(timedelta(hours=1))
    assert await sweep(board) == 3

    resp = await board.patch(await get(board, moved), deadline=later(days=1))
    assert resp.status_code == 200 and resp.json()["overdue"] is False
    resp = await board.patch(await get(board, closed), status="done")
    assert resp.status_code == 200 and resp.json()["overdue"] is False
    # A deadline moved but still past keeps the mark, so the sweep does not announce it again.
    resp = await board.patch(await get(board, still_late), deadline=later(minutes=-5))
    assert resp.status_code == 200 and resp.json()["overdue"] is True
    assert await sweep(board) == 0
    assert await board.titles(status="overdue") == ["Still late"]
    assert await overdue_events(board, still_late["id"]) == 1

    # The moved deadline passes too: a new lateness, a new mark and event.
    clock.shift(timedelta(days=2))
    assert await sweep(board) == 1
    assert await overdue_events(board, moved["id"]) == 2
    # Reopening a closed task whose deadline passed makes it overdue again.
    resp = await board.patch(await get(board, closed), status="todo")
    assert resp.status_code == 200 and resp.json()["overdue"] is True
    assert await sweep(board) == 1
    assert sorted(await board.titles(status="overdue")) == ["Closed", "Moved", "Still late"]


async def test_closed_and_deleted_tasks_are_left_alone(board: Board) -> None:
    done = await board.create(title="Done", deadline=later(minutes=5), status="done")
    cancelled = await board.create(title="Cancelled", deadline=later(minutes=5), status="cancelled")
    deleted = await board.create(title="Deleted", deadline=later(minutes=5))
    assert (
        await board.client.delete(f"/api/v1/tasks/{deleted['id']}", headers=board.owner.headers)
    ).status_code == 204
    clock.shift(timedelta(hours=1))
    assert await sweep(board) == 0
    assert (await get(board, done))["overdue"] is False
    assert (await get(board, cancelled))["overdue"] is False


async def test_a_backlog_is_marked_in_batches(board: Board) -> None:
    for n in range(7):
        await board.create(title=f"T{n}", deadline=later(minutes=n + 1))
    clock.shift(timedelta(hours=1))
    marked = await in_app(board.client, lambda: mark_overdue(board.client.app.state.db_config, batch=3))
    assert marked == 7
    assert len(await board.titles(status="overdue", limit=50)) == 7


async def test_an_edit_read_before_the_sweep_still_applies_after_it(board: Board) -> None:
    task = await board.create(title="In flight", deadline=later(minutes=30), assignee_id=str(board.editor.id))
    read_before = await get(board, task)  # the user opens the task
    clock.shift(timedelta(hours=1))
    assert await sweep(board) == 1  # the deadline passes and is announced meanwhile
    resp = await board.patch(read_before, title="In flight, renamed")
    assert resp.status_code == 200, resp.text
    assert resp.json()["overdue"] is True and resp.json()["version"] == read_before["version"] + 1
    assert await sweep(board) == 0
    assert await overdue_events(board, task["id"]) == 1


async def archive(board: Board) -> None:
    resp = await board.client.delete(f"/api/v1/projects/{board.id}", headers=board.owner.headers)
    assert resp.status_code == 204, resp.text


async def restore(board: Board) -> None:
    resp = await board.client.post(f"/api/v1/projects/{board.id}/restore", headers=board.owner.headers)
    assert resp.status_code == 200, resp.text


async def test_deadlines_passing_while_the_project_is_archived_are_never_announced(board: Board) -> None:
    lapsed = await board.create(title="Lapsed", deadline=later(hours=1), assignee_id=str(board.editor.id))
    ahead = await board.create(title="Ahead", deadline=later(days=2), assignee_id=str(board.editor.id))
    await archive(board)
    clock.shift(timedelta(hours=2))
    assert await sweep(board) == 0  # archived: no task.overdue
    await restore(board)
    # Restored: the lapsed task shows as overdue (worked out at read time), without a late notice.
    assert (await get(board, lapsed))["overdue"] is True
    assert await board.titles(status="overdue") == ["Lapsed"]
    clock.shift(timedelta(minutes=1))
    assert await sweep(board) == 0
    assert await overdue_events(board, lapsed["id"]) == 0
    # A deadline passing after the restore is announced as usual.
    clock.shift(timedelta(days=2))
    assert await sweep(board) == 1
    assert await overdue_events(board, ahead["id"]) == 1
    # Moving the lapsed task's deadline ahead gives it a fresh notice when that one passes.
    resp = await board.patch(await get(board, lapsed), deadline=later(hours=1))
    assert resp.status_code == 200 and resp.json()["overdue"] is False
    clock.shift(timedelta(hours=2))
    assert await sweep(board) == 1
    assert await overdue_events(board, lapsed["id"]) == 1


async def test_a_deadline_passing_in_the_trash_is_not_announced_on_restore(board: Board) -> None:
    task = await board.create(title="Binned", deadline=later(hours=1))
    url = f"/api/v1/tasks/{task['id']}"
    assert (await board.client.delete(url, headers=board.owner.headers)).status_code == 204
    clock.shift(timedelta(hours=2))
    assert await sweep(board) == 0
    assert (await board.client.post(f"{url}/restore", headers=board.owner.headers)).status_code == 200
    assert await sweep(board) == 0
    assert (await get(board, task))["overdue"] is True
    assert await overdue_events(board, task["id"]) == 0
