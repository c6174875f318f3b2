"""Who may do what with tasks: viewers read, outsiders see nothing, archived projects are read-only."""

from __future__ import annotations

from typing import Any

from tests.integration.tasks.conftest import Board
from tests.support import SignedInUser


async def _attempts(board: Board, user: SignedInUser, task: dict[str, Any]) -> dict[str, int]:
    """The status of every task route for ``user``."""
    h = user.headers
    c = board.client
    url = f"/api/v1/tasks/{task['id']}"
    return {
        "list": (await c.get(board.tasks_url, headers=h)).status_code,
        "create": (await c.post(board.tasks_url, json={"title": "x"}, headers=h)).status_code,
        "get": (await c.get(url, headers=h)).status_code,
        "patch": (await c.patch(url, json={"version": task["version"], "title": "y"}, headers=h)).status_code,
        "comments": (await c.get(f"{url}/comments", headers=h)).status_code,
        "comment": (await c.post(f"{url}/comments", json={"body": "hi"}, headers=h)).status_code,
        "history": (await c.get(f"{url}/history", headers=h)).status_code,
        "restore": (await c.post(f"{url}/restore", headers=h)).status_code,
        "delete": (await c.delete(url, headers=h)).status_code,
    }


async def test_viewers_read_but_cannot_write(board: Board) -> None:
    task = await board.create()
    assert await _attempts(board, board.viewer, task) == {
        "list": 200,
        "create": 403,
        "get": 200,
        "patch": 403,
        "comments": 200,
        "comment": 403,
        "history": 200,
        "restore": 403,
        "delete": 403,
    }


async def test_outsiders_get_404_for_everything(board: Board) -> None:
    task = await board.create()
    attempts = await _attempts(board, board.outsider, task)
    assert set(attempts.values()) == {404}, attempts
    # And the cross-project list does not show the task either.
    assert await board.titles(by=board.outsider, url="/api/v1/tasks") == []


async def test_editors_work_with_tasks_but_do_not_restore(board: Board) -> None:
    task = await board.create()
    assert await _attempts(board, board.editor, task) == {
        "list": 200,
        "create": 201,
        "get": 200,
        "patch": 200,
        "comments": 200,
        "comment": 201,
        "history": 200,
        "restore": 403,
        "delete": 204,
    }


async def test_admins_outside_the_project_read_only(board: Board) -> None:
    admin = await board.api.user("Admin", admin=True)
    task = await board.create()
    attempts = await _attempts(board, admin, task)
    assert attempts == {
        "list": 200,
        "create": 403,
        "get": 200,
        "patch": 403,
        "comments": 200,
        "comment": 403,
        "history": 200,
        "restore": 403,
        "delete": 403,
    }


async def test_unknown_ids_are_404_and_bad_ids_are_422(board: Board) -> None:
    ghost = "01a20000-0000-7000-8000-000000000000"
    h = board.owner.headers
    assert (await board.client.get(f"/api/v1/tasks/{ghost}", headers=h)).status_code == 404
    assert (await board.client.get(f"/api/v1/projects/{ghost}/tasks", headers=h)).status_code == 404
    assert (
        await board.client.patch(f"/api/v1/comments/{ghost}", json={"body": "x"}, headers=h)
    ).status_code == 404
    resp = await board.client.get("/api/v1/tasks/not-a-uuid", headers=h)
    assert resp.status_code in (404, 422)
    assert resp.headers["content-type"].startswith("application/problem+json")


async def test_tasks_of_an_archived_project_are_read_only(board: Board) -> None:
    task = await board.create()
    resp = await board.client.delete(f"/api/v1/projects/{board.id}", headers=board.owner.headers)
    assert resp.status_code in (200, 204), resp.text
    url = f"/api/v1/tasks/{task['id']}"
    assert (await board.client.get(url, headers=board.owner.headers)).status_code == 200
    changed = await board.patch(task, title="Changed")
    assert changed.status_code == 409
    assert changed.json()["code"] == "project_archived"
    created = await board.client.post(board.tasks_url, json={"title": "x"}, headers=board.owner.headers)
    assert created.status_code == 409


async def test_requests_without_a_token_are_401(board: Board) -> None:
    task = await board.create()
    assert (await board.client.get(f"/api/v1/tasks/{task['id']}")).status_code == 401
    assert (await board.client.get("/api/v1/tasks")).status_code == 401
