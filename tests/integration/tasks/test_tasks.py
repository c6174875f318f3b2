"""Creating, reading, changing, deleting and restoring tasks."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from tests.integration.tasks.conftest import Board
from workhub.kernel.clock import clock
from workhub.kernel.events import Outbox


async def test_create_numbers_tasks_per_project_and_shows_the_key(board: Board) -> None:
    first = await board.create(
        title="  Call the supplier ",
        description="**Ask** about prices",
        priority="high",
        labels=["sales", " sales", "calls", "  "],
        assignee_id=str(board.editor.id),
        deadline="2030-05-01T18:00:00+03:00",
    )
    second = await board.create(title="Second")
    assert first["number"] == 1 and first["key"] == "OPS-1"
    assert second["number"] == 2 and second["key"] == "OPS-2"
    assert first["title"] == "Call the supplier"
    assert first["description"] == "**Ask** about prices"
    assert first["status"] == "todo" and first["priority"] == "high"
    assert first["labels"] == ["sales", "calls"]
    assert first["assignee_id"] == str(board.editor.id)
    assert first["creator_id"] == str(board.owner.id)
    assert first["deadline"] == "2030-05-01T15:00:00Z"
    assert first["source"] == "web" and first["source_ref"] is None
    assert first["version"] == 1 and first["overdue"] is False and first["completed_at"] is None

    other = await board.api.project(board.owner, key="HR")
    resp = await board.client.post(
        f"/api/v1/projects/{other['id']}/tasks", json={"title": "Elsewhere"}, headers=board.owner.headers
    )
    assert resp.json()["key"] == "HR-1"

    got = await board.client.get(f"/api/v1/tasks/{first['id']}", headers=board.viewer.headers)
    assert got.status_code == 200
    assert got.json() == first


async def test_editor_creates_and_a_task_created_done_is_completed(board: Board) -> None:
    task = await board.create(by=board.editor, title="Already done", status="done")
    assert task["creator_id"] == str(board.editor.id)
    assert task["completed_at"] is not None


async def test_patch_changes_fields_and_bumps_the_version(board: Board) -> None:
    task = await board.create(labels=["a"], deadline="2030-01-01T00:00:00Z", assignee_id=str(board.editor.id))
    resp = await board.patch(
        task, title="Renamed", labels=["b", "c"], priority="urgent", status="in_progress"
    )
    assert resp.status_code == 200, resp.text
    changed = resp.json()
    assert changed["title"] == "Renamed"
    assert changed["labels"] == ["b", "c"]
    assert changed["priority"] == "urgent" and changed["status"] == "in_progress"
    assert changed["version"] == 2
    assert changed["updated_at"] >= task["updated_at"]
    # Absent fields stay; null clears.
    assert changed["assignee_id"] == str(board.editor.id)
    assert changed["deadline"] == "2030-01-01T00:00:00Z"
    cleared = (await board.patch(changed, assignee_id=None, deadline=None)).json()
    assert cleared["assignee_id"] is None and cleared["deadline"] is None
    assert cleared["title"] == "Renamed"
    assert cleared["version"] == 3


async def test_patch_without_changes_keeps_the_version(board: Board) -> None:
    task = await board.create(title="Same")
    resp = await board.patch(task, title="Same")
    assert resp.status_code == 200
    assert resp.json()["version"] == 1


async def test_stale_version_is_a_conflict_with_the_current_task(board: Board) -> None:
    task = await board.create(title="Original")
    first = await board.patch(task, by=board.editor, title="Editor's title")
    assert first.status_code == 200
    stale = await board.patch(task, title="Owner's title")
    assert stale.status_code == 409
    assert stale.headers["content-type"].startswith("application/problem+json")
    problem = stale.json()
    assert problem["code"] == "version_conflict"
    assert problem["current"]["title"] == "Editor's title"
    assert problem["current"]["version"] == 2
    assert (await board.client.get(f"/api/v1/tasks/{task['id']}", headers=board.owner.headers)).json()[
        "title"
    ] == "Editor's title"


async def test_version_is_required_in_a_patch(board: Board) -> None:
    task = await board.create()
    resp = await board.client.patch(
        f"/api/v1/tasks/{task['id']}", json={"title": "x"}, headers=board.owner.headers
    )
    assert resp.status_code == 422
    assert "version" in [e["field"] for e in resp.json()["errors"]]


async def test_assignee_must_be_a_member(board: Board) -> None:
    resp = await board.client.post(
        board.tasks_url,
        json={"title": "T", "assignee_id": str(board.outsider.id)},
        headers=board.owner.headers,
    )
    assert resp.status_code == 422
    problem = resp.json()
    assert problem["code"] == "assignee_not_member"
    assert [e["field"] for e in problem["errors"]] == ["assignee_id"]

    task = await board.create(assignee_id=str(board.viewer.id))
    assert task["assignee_id"] == str(board.viewer.id)
    resp = await board.patch(task, assignee_id=str(board.outsider.id))
    assert resp.status_code == 422
    assert resp.json()["code"] == "assignee_not_member"
    await board.add_member(board.outsider, "viewer")
    assert (await board.patch(task, assignee_id=str(board.outsider.id))).status_code == 200


async def test_completed_at_is_stamped_and_cleared_with_done(board: Board) -> None:
    task = await board.create()
    done = (await board.patch(task, status="done")).json()
    assert done["completed_at"] is not None
    stamped = datetime.fromisoformat(done["completed_at"])
    assert abs(stamped - clock.now()) < timedelta(minutes=1)
    renamed = (await board.patch(done, title="Still done")).json()
    assert renamed["completed_at"] == done["completed_at"]
    reopened = (await board.patch(renamed, status="in_progress")).json()
    assert reopened["completed_at"] is None
    cancelled = (await board.patch(reopened, status="cancelled")).json()
    assert cancelled["completed_at"] is None


async def test_overdue_at_read_time_and_cleared_by_closing_or_moving(board: Board) -> None:
    past = (clock.now() - timedelta(hours=1)).isoformat()
    soon = (clock.now() + timedelta(hours=1)).isoformat()
    late = await board.create(title="Late", deadline=past)
    assert late["overdue"] is True
    due = await board.create(title="Due soon", deadline=soon)
    assert due["overdue"] is False
    # Time passes: the same task is overdue when read, with no sweep run.
    clock.shift(timedelta(hours=2))
    got = (await board.client.get(f"/api/v1/tasks/{due['id']}", headers=board.owner.headers)).json()
    assert got["overdue"] is True
    done = (await board.patch(late, status="done")).json()
    assert done["overdue"] is False
    moved = (await board.patch(got, deadline=(clock.now() + timedelta(days=1)).isoformat())).json()
    assert moved["overdue"] is False


async def test_delete_hides_the_task_and_an_owner_restores_it(board: Board) -> None:
    task = await board.create(title="Trash me")
    url = f"/api/v1/tasks/{task['id']}"
    resp = await board.client.delete(url, headers=board.editor.headers)
    assert resp.status_code == 204
    assert (await board.client.get(url, headers=board.owner.headers)).status_code == 404
    assert (await board.patch(task, title="x")).status_code == 404
    assert (await board.client.delete(url, headers=board.owner.headers)).status_code == 404
    assert await board.titles() == []
    # Deleted tasks are invisible to everyone but owners restoring them.
    assert (await board.client.post(f"{url}/restore", headers=board.editor.headers)).status_code == 404
    assert (await board.client.post(f"{url}/restore", headers=board.outsider.headers)).status_code == 404
    restored = await board.client.post(f"{url}/restore", headers=board.owner.headers)
    assert restored.status_code == 200, restored.text
    body = restored.json()
    assert body["title"] == "Trash me" and body["key"] == "OPS-1"
    assert body["version"] == 3
    assert await board.titles() == ["Trash me"]
    # Restoring a live task changes nothing.
    again = await board.client.post(f"{url}/restore", headers=board.owner.headers)
    assert again.status_code == 200 and again.json()["version"] == 3
    # Editors may not restore even a live task.
    assert (await board.client.post(f"{url}/restore", headers=board.editor.headers)).status_code == 403


async def test_restore_expires_after_30_days(board: Board) -> None:
    task = await board.create()
    url = f"/api/v1/tasks/{task['id']}"
    assert (await board.client.delete(url, headers=board.owner.headers)).status_code == 204
    clock.shift(timedelta(days=31))
    resp = await board.client.post(f"{url}/restore", headers=board.owner.headers)
    assert resp.status_code == 409
    assert resp.json()["code"] == "restore_expired"


async def test_numbers_are_not_reused_after_deletion(board: Board) -> None:
    task = await board.create()
    await board.client.delete(f"/api/v1/tasks/{task['id']}", headers=board.owner.headers)
    assert (await board.create())["key"] == "OPS-2"


async def test_events_carry_the_version_and_the_task(board: Board) -> None:
    task = await board.create(title="Evented")
    await board.patch(task, status="done")
    await board.client.delete(f"/api/v1/tasks/{task['id']}", headers=board.owner.headers)
    engine = create_async_engine(board.database_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(Outbox.event, Outbox.payload).order_by(Outbox.id))).all()
    finally:
        await engine.dispose()
    events = [(name, payload) for name, payload in rows if name.startswith("task.")]
    assert [name for name, _ in events] == ["task.created", "task.updated", "task.deleted"]
    versions = [payload["version"] for _, payload in events]
    assert versions == [1, 2, 3]
    assert [payload["task"]["version"] for _, payload in events] == versions
    updated = events[1][1]
    assert updated["task"]["status"] == "done" and updated["task"]["key"] == "OPS-1"
    assert updated["changes"]["status"] == ["todo", "done"]
    assert updated["changes"]["completed_at"][0] is None


async def test_moving_a_passed_deadline_ahead_ends_the_lateness_in_the_history(board: Board) -> None:
    task = await board.create(title="Late", deadline=(clock.now() + timedelta(days=1)).isoformat())
    other = await board.create(title="Undated")
    clock.shift(timedelta(days=2))  # no sweep runs: overdue is worked out when read
    late = (await board.client.get(f"/api/v1/tasks/{task['id']}", headers=board.owner.headers)).json()
    assert late["overdue"] is True and late["version"] == 1
    assert await board.titles(status="overdue") == ["Late"]
    moved = await board.patch(late, deadline=(clock.now() + timedelta(days=3)).isoformat())
    assert moved.json()["overdue"] is False
    assert moved.json()["version"] == 2
    assert await board.titles(status="overdue") == []
    assert (await board.history(task["id"]))[-1]["changes"]["overdue"] == [True, False]
    assert other["overdue"] is False


async def test_concurrent_creates_get_distinct_numbers(board: Board) -> None:
    results = await asyncio.gather(*(board.create(title=f"T{n}") for n in range(6)))
    assert sorted(t["number"] for t in results) == [1, 2, 3, 4, 5, 6]


async def test_bad_task_bodies_are_422_naming_the_field(board: Board) -> None:
    task = await board.create()
    bad_creates: list[tuple[dict[str, Any], str]] = [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"title": "T", "status": "overdue"}, "status"),
        ({"title": "T", "priority": "critical"}, "priority"),
        ({"title": "T", "labels": "one"}, "labels"),
        ({"title": "T", "labels": ["x" * 51]}, "labels[0]"),
        ({"title": "T", "assignee_id": "nobody"}, "assignee_id"),
        ({"title": "T", "deadline": "2030-01-01T10:00:00"}, "deadline"),
        ({"title": "T", "deadline": "tomorrow"}, "deadline"),
    ]
    for body, field in bad_creates:
        resp = await board.client.post(board.tasks_url, json=body, headers=board.owner.headers)
        assert resp.status_code == 422, (body, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in resp.json()["errors"]] == [field], body
    for body, field in [({"version": "one"}, "version"), ({"version": 1, "status": "later"}, "status")]:
        resp = await board.client.patch(f"/api/v1/tasks/{task['id']}", json=body, headers=board.owner.headers)
        assert resp.status_code == 422, (body, resp.text)
        assert [e["field"] for e in resp.json()["errors"]] == [field], body
    # Nothing was created by the failed attempts, and no number was used up.
    assert (await board.create())["key"] == "OPS-2"
