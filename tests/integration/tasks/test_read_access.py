"""Who may read a project's task list and a task, decided from the read's own rows (and from
the guard's statement when no row came back): the same answers as every other guarded route."""

from __future__ import annotations

from typing import Any

from tests.integration.tasks.conftest import Board
from tests.support import SignedInUser


async def answer(board: Board, user: SignedInUser, **params: Any) -> tuple[int, Any]:
    resp = await board.client.get(board.tasks_url, params=params, headers=user.headers)
    return resp.status_code, resp.json()


async def test_outsiders_get_404_whether_the_page_has_rows_or_not(board: Board) -> None:
    await board.create(title="Secret plan", priority="high")
    with_rows = await answer(board, board.outsider)
    without_rows = await answer(board, board.outsider, priority="urgent")
    missing = await board.client.get(
        "/api/v1/projects/00000000-0000-7000-8000-000000000000/tasks", headers=board.outsider.headers
    )
    for status, body in (with_rows, without_rows):
        assert status == 404
        assert body["code"] == "not_found"
        assert "Secret plan" not in str(body)
    # Indistinguishable from a project that does not exist.
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


async def test_every_member_reads_pages_with_rows_and_empty_ones(board: Board) -> None:
    await board.create(title="Visible", priority="high")
    for user in (board.owner, board.editor, board.viewer):
        status, body = await answer(board, user)
        assert status == 200, body
        assert [t["title"] for t in body["items"]] == ["Visible"]
        status, body = await answer(board, user, priority="urgent")
        assert status == 200, body
        assert body["items"] == []


async def test_an_administrator_outside_the_project_reads_it(board: Board) -> None:
    await board.create(title="Visible to admins")
    admin = await board.api.user("Admin", admin=True)
    status, body = await answer(board, admin)
    assert status == 200, body
    assert [t["title"] for t in body["items"]] == ["Visible to admins"]
    status, body = await answer(board, admin, priority="urgent")
    assert status == 200, body


async def test_an_archived_project_stays_readable_to_members_only(board: Board) -> None:
    await board.create(title="Archived work")
    resp = await board.client.delete(f"/api/v1/projects/{board.id}", headers=board.owner.headers)
    assert resp.status_code in (200, 204), resp.text
    status, body = await answer(board, board.viewer)
    assert status == 200, body
    assert [t["title"] for t in body["items"]] == ["Archived work"]
    assert (await answer(board, board.outsider))[0] == 404


async def test_a_task_is_read_by_members_and_admins_only(board: Board) -> None:
    task = await board.create(title="Inner detail")
    url = f"/api/v1/tasks/{task['id']}"
    admin = await board.api.user("Admin", admin=True)
    for user in (board.owner, board.editor, board.viewer, admin):
        resp = await board.client.get(url, headers=user.headers)
        assert resp.status_code == 200, resp.text
        assert resp.json()["title"] == "Inner detail"
    resp = await board.client.get(url, headers=board.outsider.headers)
    assert resp.status_code == 404
    assert "Inner detail" not in resp.text


async def test_a_deleted_or_unknown_task_is_404_for_everyone(board: Board) -> None:
    task = await board.create(title="Gone soon")
    resp = await board.client.delete(f"/api/v1/tasks/{task['id']}", headers=board.owner.headers)
    assert resp.status_code == 204, resp.text
    unknown = "/api/v1/tasks/00000000-0000-7000-8000-000000000000"
    for user in (board.owner, board.viewer, board.outsider):
        for url in (f"/api/v1/tasks/{task['id']}", unknown):
            resp = await board.client.get(url, headers=user.headers)
            assert resp.status_code == 404, (user.name, url, resp.text)
            assert resp.json()["code"] == "not_found"
