"""Comments on tasks, and the task history that records them with every change."""

from __future__ import annotations

from typing import Any

from tests.integration.tasks.conftest import Board
from tests.support import SignedInUser


async def _comment(board: Board, task: dict[str, Any], by: SignedInUser, body: str) -> dict[str, Any]:
    resp = await board.client.post(
        f"/api/v1/tasks/{task['id']}/comments", json={"body": body}, headers=by.headers
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def test_comments_are_listed_oldest_first_in_pages(board: Board) -> None:
    task = await board.create()
    for n in range(5):
        await _comment(board, task, board.editor if n % 2 else board.owner, f"Comment {n}")
    url = f"/api/v1/tasks/{task['id']}/comments"
    first = (await board.client.get(url, params={"limit": 3}, headers=board.viewer.headers)).json()
    assert [c["body"] for c in first["items"]] == ["Comment 0", "Comment 1", "Comment 2"]
    assert first["items"][1]["author_id"] == str(board.editor.id)
    assert first["items"][0]["task_id"] == task["id"]
    assert first["items"][0]["edited_at"] is None
    second = (
        await board.client.get(
            url, params={"limit": 3, "cursor": first["next_cursor"]}, headers=board.viewer.headers
        )
    ).json()
    assert [c["body"] for c in second["items"]] == ["Comment 3", "Comment 4"]
    assert second["next_cursor"] is None


async def test_only_the_author_edits_a_comment(board: Board) -> None:
    task = await board.create()
    comment = await _comment(board, task, board.editor, "First draft")
    url = f"/api/v1/comments/{comment['id']}"
    by_owner = await board.client.patch(url, json={"body": "Owner rewrite"}, headers=board.owner.headers)
    assert by_owner.status_code == 403
    assert by_owner.json()["code"] == "not_comment_author"
    by_viewer = await board.client.patch(url, json={"body": "Viewer rewrite"}, headers=board.viewer.headers)
    assert by_viewer.status_code == 403
    by_outsider = await board.client.patch(url, json={"body": "x"}, headers=board.outsider.headers)
    assert by_outsider.status_code == 404
    edited = await board.client.patch(url, json={"body": "Final text"}, headers=board.editor.headers)
    assert edited.status_code == 200
    assert edited.json()["body"] == "Final text"
    assert edited.json()["edited_at"] is not None


async def test_authors_and_owners_delete_comments(board: Board) -> None:
    task = await board.create()
    other_editor = await board.api.user("SecondEditor")
    await board.add_member(other_editor, "editor")
    mine = await _comment(board, task, board.editor, "Mine")
    theirs = await _comment(board, task, other_editor, "Theirs")
    # Another editor may not delete it; the owner may delete anyone's.
    resp = await board.client.delete(f"/api/v1/comments/{theirs['id']}", headers=board.editor.headers)
    assert resp.status_code == 403
    resp = await board.client.delete(f"/api/v1/comments/{mine['id']}", headers=board.editor.headers)
    assert resp.status_code == 204
    resp = await board.client.delete(f"/api/v1/comments/{theirs['id']}", headers=board.owner.headers)
    assert resp.status_code == 204
    listing = await board.client.get(f"/api/v1/tasks/{task['id']}/comments", headers=board.owner.headers)
    assert listing.json()["items"] == []
    again = await board.client.delete(f"/api/v1/comments/{mine['id']}", headers=board.editor.headers)
    assert again.status_code == 404


async def test_comments_of_a_deleted_task_are_gone(board: Board) -> None:
    task = await board.create()
    comment = await _comment(board, task, board.owner, "Note")
    await board.client.delete(f"/api/v1/tasks/{task['id']}", headers=board.owner.headers)
    h = board.owner.headers
    assert (await board.client.get(f"/api/v1/tasks/{task['id']}/comments", headers=h)).status_code == 404
    assert (
        await board.client.patch(f"/api/v1/comments/{comment['id']}", json={"body": "x"}, headers=h)
    ).status_code == 404


async def test_a_comment_needs_a_body(board: Board) -> None:
    task = await board.create()
    for body in ({"body": ""}, {}, {"body": "x" * 20_001}):
        resp = await board.client.post(
            f"/api/v1/tasks/{task['id']}/comments", json=body, headers=board.owner.headers
        )
        assert resp.status_code == 422, body
        assert [e["field"] for e in resp.json()["errors"]] == ["body"]


async def test_history_shows_creation_changes_and_comments(board: Board) -> None:
    task = await board.create(title="Plan", priority="low")
    changed = (await board.patch(task, by=board.editor, title="Plan v2", priority="high")).json()
    comment = await _comment(board, task, board.editor, "Looks good")
    edit = await board.client.patch(
        f"/api/v1/comments/{comment['id']}", json={"body": "Looks great"}, headers=board.editor.headers
    )
    assert edit.status_code == 200
    await board.client.delete(f"/api/v1/comments/{comment['id']}", headers=board.owner.headers)
    await board.patch(changed, status="done")
    await board.client.delete(f"/api/v1/tasks/{task['id']}", headers=board.owner.headers)
    await board.client.post(f"/api/v1/tasks/{task['id']}/restore", headers=board.owner.headers)

    history = await board.history(task["id"], by=board.viewer)
    assert [h["action"] for h in history] == [
        "task.created",
        "task.updated",
        "comment.created",
        "comment.updated",
        "comment.deleted",
        "task.updated",
        "task.deleted",
        "task.restored",
    ]
    assert all(h["entity_type"] == "task" and h["entity_id"] == task["id"] for h in history)
    created, updated, commented, edited, removed, done = history[:6]
    assert created["actor_id"] == str(board.owner.id)
    assert created["changes"]["title"] == [None, "Plan"]
    assert updated["actor_id"] == str(board.editor.id)
    assert updated["changes"] == {"title": ["Plan", "Plan v2"], "priority": ["low", "high"]}
    assert commented["changes"]["comment_id"] == [None, comment["id"]]
    assert commented["changes"]["body"] == [None, "Looks good"]
    assert edited["changes"]["body"] == ["Looks good", "Looks great"]
    assert removed["actor_id"] == str(board.owner.id)
    assert removed["changes"]["comment_id"] == [comment["id"], None]
    assert done["changes"]["status"] == ["todo", "done"]
    assert done["changes"]["completed_at"][0] is None
    # The outsider cannot read it.
    resp = await board.client.get(f"/api/v1/tasks/{task['id']}/history", headers=board.outsider.headers)
    assert resp.status_code == 404
