"""The board order: ``position`` at creation, in a PATCH (with ``status``), in sorts and cursors."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from tests.integration.tasks.conftest import Board
from tests.support import own_db_config
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import session_scope
from workhub.kernel.errors import ValidationFailed
from workhub.kernel.events import Outbox
from workhub.tasks import schemas
from workhub.tasks.services import TaskService


async def _outbox(board: Board, event: str) -> list[dict[str, Any]]:
    engine = create_async_engine(board.database_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(Outbox.event, Outbox.payload).order_by(Outbox.id))).all()
    finally:
        await engine.dispose()
    return [payload for name, payload in rows if name == event]


async def test_new_tasks_are_placed_newest_first(board: Board) -> None:
    tasks = [await board.create(title=f"T{n}") for n in range(1, 4)]
    assert [t["position"] for t in tasks] == [-1.0, -2.0, -3.0]
    assert await board.titles(sort="position") == ["T3", "T2", "T1"]
    assert await board.titles(sort="-position") == ["T1", "T2", "T3"]
    one = await board.client.get(f"/api/v1/tasks/{tasks[0]['id']}", headers=board.owner.headers)
    assert one.json()["position"] == -1.0
    # The cross-project list carries and sorts by it as well.
    assert await board.titles(url="/api/v1/tasks", sort="position") == ["T3", "T2", "T1"]


async def test_a_drag_is_one_patch_of_status_and_position(board: Board) -> None:
    first, second, third = [await board.create(title=f"T{n}") for n in range(1, 4)]
    done = await board.create(title="Finished", status="done")
    # T1 goes to Done, above "Finished" (position -4): between nothing and it.
    resp = await board.patch(first, by=board.editor, status="done", position=done["position"] - 1)
    assert resp.status_code == 200, resp.text
    moved = resp.json()
    assert moved["status"] == "done" and moved["position"] == -5.0
    assert moved["version"] == first["version"] + 1
    assert moved["completed_at"] is not None
    assert await board.titles(status="done", sort="position") == ["T1", "Finished"]
    # T3 goes between T2 and ... nothing else in To do: below T2.
    resp = await board.patch(third, position=second["position"] + 0.5)
    assert resp.status_code == 200, resp.text
    assert await board.titles(status="todo", sort="position") == ["T2", "T3"]

    history = await board.history(first["id"])
    assert history[-1]["action"] == "task.updated"
    assert history[-1]["changes"]["position"] == [-1.0, -5.0]
    assert history[-1]["changes"]["status"] == ["todo", "done"]
    updates = await _outbox(board, "task.updated")
    assert updates[0]["changes"]["position"] == [-1.0, -5.0]
    assert updates[0]["changes"]["status"] == ["todo", "done"]
    assert updates[0]["task"]["position"] == -5.0 and updates[0]["version"] == moved["version"]


async def test_the_same_position_changes_nothing(board: Board) -> None:
    task = await board.create()
    resp = await board.patch(task, position=task["position"])
    assert resp.status_code == 200
    assert resp.json()["version"] == task["version"]


async def test_a_stale_drag_is_a_conflict_with_the_current_task(board: Board) -> None:
    task = await board.create()
    assert (await board.patch(task, by=board.editor, status="in_progress")).status_code == 200
    resp = await board.patch(task, position=10.0)
    assert resp.status_code == 409
    body = resp.json()
    assert body["code"] == "version_conflict"
    assert body["current"]["status"] == "in_progress" and body["current"]["position"] == -1.0


async def test_a_viewer_cannot_move_a_card(board: Board) -> None:
    task = await board.create()
    resp = await board.patch(task, by=board.viewer, position=3.0)
    assert resp.status_code == 403


BAD_POSITIONS: list[Any] = ["first", True, None, 1e16, -1e16, [1.0]]


@pytest.mark.parametrize("value", BAD_POSITIONS)
async def test_bad_positions_are_422_naming_the_field(board: Board, value: Any) -> None:
    task = await board.create()
    resp = await board.patch(task, position=value)
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in resp.json()["errors"]] == ["position"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "1e999", "-1e999"])
async def test_non_finite_numbers_are_refused_before_the_route(board: Board, literal: str) -> None:
    """JSON has no NaN or infinity: the input guard refuses such a body as malformed, naming the body."""
    task = await board.create()
    resp = await board.client.patch(
        f"/api/v1/tasks/{task['id']}",
        content=f'{{"version": {task["version"]}, "position": {literal}}}',
        headers={**board.owner.headers, "Content-Type": "application/json"},
    )
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "malformed_json"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
async def test_a_non_finite_position_from_python_is_422_naming_the_field(board: Board, value: float) -> None:
    """Code that builds a TaskUpdate itself (imports, plugins) can hold NaN or infinity: the service refuses it."""
    task = await board.create()
    config = own_db_config(board.client)

    async def move() -> None:
        async with session_scope(config) as session:
            with acting_as(Actor.system("test")):
                await TaskService(session=session).update_task(
                    UUID(task["id"]), schemas.TaskUpdate(version=task["version"], position=value)
                )

    try:
        with pytest.raises(ValidationFailed) as raised:
            await move()
    finally:
        await config.get_engine().dispose()
    assert [e.field for e in raised.value.errors or []] == ["position"]
    unchanged = await board.client.get(f"/api/v1/tasks/{task['id']}", headers=board.owner.headers)
    assert unchanged.json()["position"] == -1.0 and unchanged.json()["version"] == 1


async def test_cursor_pages_by_position_cover_every_task_once(board: Board) -> None:
    tasks = [await board.create(title=f"T{n:02}") for n in range(13)]
    # Fractions, ties broken by id, and tasks moved to the top and the bottom.
    for task, position in zip(tasks[:6], [0.5, 0.25, -100.0, 0.5, 1e-9, 12345.678], strict=True):
        assert (await board.patch(task, position=position)).status_code == 200
    for sort in ("position", "-position"):
        whole = await board.titles(sort=sort, limit=200)
        assert sorted(whole) == [f"T{n:02}" for n in range(13)]
        seen: list[str] = []
        cursor: str | None = None
        pages = 0
        while True:
            params: dict[str, Any] = {"sort": sort, "limit": 4}
            if cursor:
                params["cursor"] = cursor
            page = await board.list(**params)
            pages += 1
            seen += [t["title"] for t in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == 4, sort
        assert seen == whole, sort
    ascending = await board.list(sort="position", limit=200)
    positions = [t["position"] for t in ascending["items"]]
    assert positions == sorted(positions)
    assert ascending["items"][0]["title"] == "T02" and ascending["items"][-1]["title"] == "T05"


async def test_position_pages_within_one_column(board: Board) -> None:
    for n in range(5):
        await board.create(title=f"Todo {n}")
        await board.create(title=f"Done {n}", status="done")
    first = await board.list(status="done", sort="position", limit=3)
    assert [t["title"] for t in first["items"]] == ["Done 4", "Done 3", "Done 2"]
    rest = await board.list(status="done", sort="position", limit=3, cursor=first["next_cursor"])
    assert [t["title"] for t in rest["items"]] == ["Done 1", "Done 0"]
    assert rest["next_cursor"] is None


async def test_a_position_cursor_must_hold_a_number(board: Board) -> None:
    from workhub.kernel.pagination import encode_cursor

    task = await board.create()
    for value in ("abc", True, None):
        cursor = encode_cursor("position", value, task["id"])
        resp = await board.client.get(
            board.tasks_url, params={"sort": "position", "cursor": cursor}, headers=board.owner.headers
        )
        assert resp.status_code == 422, value
        assert resp.json()["code"] == "invalid_cursor"
    number_cursor = (await board.list(sort="number", limit=1))["next_cursor"]
    if number_cursor is None:
        await board.create()
        number_cursor = (await board.list(sort="number", limit=1))["next_cursor"]
    resp = await board.client.get(
        board.tasks_url, params={"sort": "position", "cursor": number_cursor}, headers=board.owner.headers
    )
    assert resp.status_code == 422
    assert resp.json()["code"] == "invalid_cursor"
