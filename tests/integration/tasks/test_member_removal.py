"""A member who leaves or is removed stops being an assignee: open tasks, reminders, the owners' notice.

All of it happens in the transaction of the removal (a transaction listener
of the tasks module), so the tests look right after the REST call, before
any subscriber has run; reminders are then delivered with a moved clock.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.projects.conftest import Sessions, wait_for_a_lock_wait
from tests.integration.tasks.conftest import Board
from tests.support import Deliver, SignedInUser, in_app, own_db_config, read
from workhub.kernel.clock import clock
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.errors import ValidationFailed
from workhub.kernel.events import Outbox
from workhub.notifications.models import Notification
from workhub.projects.services import MemberService
from workhub.tasks import schemas
from workhub.tasks.reminders import deliver_due_reminders
from workhub.tasks.services import TaskService


def at(moment: datetime) -> str:
    return moment.isoformat()


async def remove(board: Board, user: SignedInUser, project_id: str | None = None) -> None:
    resp = await board.client.delete(
        f"/api/v1/projects/{project_id or board.id}/members/{user.id}", headers=board.owner.headers
    )
    assert resp.status_code == 204, resp.text


async def get(board: Board, task: dict[str, Any]) -> dict[str, Any]:
    resp = await board.client.get(f"/api/v1/tasks/{task['id']}", headers=board.owner.headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def notes(board: Board, user_id: UUID, kind: str) -> list[Notification]:
    async def fetch(session: AsyncSession) -> list[Notification]:
        stmt = select(Notification).where(Notification.user_id == user_id, Notification.kind == kind)
        return list((await session.scalars(stmt.order_by(Notification.id))).all())

    return await read(board.client, fetch)


async def published(board: Board, task_id: str) -> list[dict[str, Any]]:
    """The ``task.updated`` events of the task in the outbox (what live boards and subscribers get)."""

    async def fetch(session: AsyncSession) -> list[dict[str, Any]]:
        stmt = select(Outbox.payload).where(
            Outbox.event == "task.updated", Outbox.payload["entity_id"].astext == task_id
        )
        return list((await session.scalars(stmt.order_by(Outbox.id))).all())

    return await read(board.client, fetch)


async def test_removal_unassigns_open_tasks_there_audited_published_and_owners_told_once(
    board: Board,
) -> None:
    editor = str(board.editor.id)
    todo = await board.create(title="Write the plan", assignee_id=editor)
    started = await board.create(title="Call the bank", assignee_id=editor, status="in_progress")
    done = await board.create(title="Old report", assignee_id=editor, status="done")
    cancelled = await board.create(title="Dropped idea", assignee_id=editor, status="cancelled")
    viewers = await board.create(title="Not theirs", assignee_id=str(board.viewer.id))
    late = at(clock.now() - timedelta(hours=1))
    overdue = await board.create(title="Review the budget", assignee_id=editor, deadline=late)
    assert overdue["overdue"] is True
    other = await board.api.project(board.owner, key="SIDE", name="Side")
    await board.add_member(board.editor, "editor", project_id=other["id"])
    resp = await board.client.post(
        f"/api/v1/projects/{other['id']}/tasks",
        json={"title": "In another project", "assignee_id": editor},
        headers=board.owner.headers,
    )
    assert resp.status_code == 201, resp.text
    side = resp.json()
    await remove(board, board.editor)

    for task in (todo, started, overdue):
        now = await get(board, task)
        assert now["assignee_id"] is None and now["version"] == task["version"] + 1
        last = (await board.history(task["id"]))[-1]
        assert last["action"] == "task.updated"
        assert last["changes"] == {"assignee_id": [editor, None]}
        assert last["actor_id"] == str(board.owner.id)
        (event,) = await published(board, task["id"])
        assert event["changes"] == {"assignee_id": [editor, None]}
        assert event["task"]["assignee_id"] is None and event["version"] == now["version"]
    # Done and cancelled tasks keep who did them; other people's tasks and other projects are untouched.
    for task in (done, cancelled, viewers):
        assert await get(board, task) == task
    got = await board.client.get(f"/api/v1/tasks/{side['id']}", headers=board.owner.headers)
    assert got.json() == side

    (note,) = await notes(board, board.owner.id, "tasks_unassigned")
    assert note.title == "Operations: 3 tasks lost their assignee"
    assert note.body == (
        "Editor is no longer a member of the project. These tasks need a new assignee:\n"
        "• OPS-1 Write the plan\n• OPS-2 Call the bank\n• OPS-6 Review the budget"
    )
    assert note.link == f"/projects/{board.id}"
    assert note.data["task_ids"] == [todo["id"], started["id"], overdue["id"]]
    assert note.data["member_id"] == editor and note.data["left"] is False
    assert await notes(board, board.editor.id, "tasks_unassigned") == []


async def test_leaving_unassigns_with_the_member_as_actor_and_every_owner_is_told_in_their_language(
    board: Board,
) -> None:
    olga = await board.api.user("Olga", locale="ru")
    await board.add_member(olga, "owner")
    task = await board.create(title="Отчёт", assignee_id=str(board.editor.id))
    resp = await board.client.post(f"/api/v1/projects/{board.id}/leave", headers=board.editor.headers)
    assert resp.status_code == 204, resp.text

    assert (await get(board, task))["assignee_id"] is None
    last = (await board.history(task["id"]))[-1]
    assert last["changes"] == {"assignee_id": [str(board.editor.id), None]}
    assert last["actor_id"] == str(board.editor.id)
    (english,) = await notes(board, board.owner.id, "tasks_unassigned")
    assert english.title == "Operations: 1 task lost its assignee"
    (russian,) = await notes(board, olga.id, "tasks_unassigned")
    assert russian.title == "«Operations»: 1 задача осталась без исполнителя"
    assert russian.body == (
        "Editor больше не участник проекта. Этим задачам нужен новый исполнитель:\n• OPS-1 Отчёт"
    )
    assert russian.data["left"] is True


async def test_russian_plural_forms_and_a_long_list_is_cut(board: Board) -> None:
    olga = await board.api.user("Olga", locale="ru")
    await board.add_member(olga, "owner")
    for n in range(22):
        await board.create(title=f"T{n}", assignee_id=str(board.editor.id))
    await remove(board, board.editor)
    (russian,) = await notes(board, olga.id, "tasks_unassigned")
    assert russian.title == "«Operations»: 22 задачи остались без исполнителя"
    assert russian.body.endswith("• OPS-20 T19\n…и ещё 2")
    assert russian.body.count("•") == 20
    assert len(russian.data["task_ids"]) == 22


async def test_a_member_without_open_tasks_leaves_no_notice(board: Board) -> None:
    await board.create(title="Done", assignee_id=str(board.editor.id), status="done")
    await remove(board, board.editor)
    assert await notes(board, board.owner.id, "tasks_unassigned") == []


async def test_no_reminder_reaches_a_removed_member(board: Board, deliver: Deliver) -> None:
    deadline = (clock.now() + timedelta(days=3)).replace(microsecond=0)
    task = await board.create(title="Report", deadline=at(deadline), assignee_id=str(board.editor.id))
    resp = await board.client.post(
        f"/api/v1/tasks/{task['id']}/reminders", json={"offset_minutes": 30}, headers=board.owner.headers
    )
    assert resp.status_code == 201, resp.text
    await deliver()
    before = await board.client.get(f"/api/v1/tasks/{task['id']}/reminders", headers=board.owner.headers)
    assert {r["user_id"] for r in before.json()} == {str(board.editor.id)}  # planned and added ones

    await remove(board, board.editor)
    after = await board.client.get(f"/api/v1/tasks/{task['id']}/reminders", headers=board.owner.headers)
    # The planned ones are gone; the one added on the task waits for the next assignee.
    assert [(r["origin"], r["user_id"], r["remind_at"]) for r in after.json()] == [("task", None, None)]

    await deliver()
    db, notifier = board.client.app.state.db_config, board.client.app.state.registry.runtime.notifier
    clock.shift(timedelta(days=3))
    await in_app(board.client, lambda: deliver_due_reminders(db, notifier, window=timedelta(days=4)))
    assert await notes(board, board.editor.id, "reminder") == []


async def test_a_task_restored_from_the_trash_drops_an_assignee_who_left(board: Board) -> None:
    task = await board.create(title="Trashed", assignee_id=str(board.editor.id))
    resp = await board.client.delete(f"/api/v1/tasks/{task['id']}", headers=board.owner.headers)
    assert resp.status_code == 204, resp.text
    await remove(board, board.editor)
    resp = await board.client.post(f"/api/v1/tasks/{task['id']}/restore", headers=board.owner.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["assignee_id"] is None
    last = (await board.history(task["id"]))[-1]
    assert last["action"] == "task.restored"
    assert last["changes"]["assignee_id"] == [str(board.editor.id), None]


@pytest.fixture
async def sessions(board: Board) -> Any:
    config = own_db_config(board.client, pool_size=5)
    yield config.create_session_maker()
    await config.get_engine().dispose()


async def test_an_assignment_racing_a_removal_never_leaves_a_task_with_a_former_member(
    board: Board, sessions: Sessions
) -> None:
    """Assigning holds the membership: the removal waits, then unassigns; once removed, assigning is refused."""
    task = await board.create(title="Contested")
    project_id, editor = board.project_id, board.editor.id
    async with sessions() as one, sessions() as two:
        with acting_as(Actor(kind="user", id=board.owner.id)):
            await TaskService(session=one).update_task(
                UUID(task["id"]), schemas.TaskUpdate(version=task["version"], assignee_id=editor)
            )
            racing = asyncio.create_task(MemberService(session=two).remove_member(project_id, editor))
        assert await wait_for_a_lock_wait(sessions), "the removal did not wait for the assignment"
        await one.commit()
        await racing
        await two.commit()
    assert (await get(board, task))["assignee_id"] is None

    # Removed first: the assignment is refused, as for anyone who is not a member.
    again = await get(board, task)
    async with sessions() as session:
        with acting_as(Actor(kind="user", id=board.owner.id)), pytest.raises(ValidationFailed) as refused:
            await TaskService(session=session).update_task(
                UUID(task["id"]), schemas.TaskUpdate(version=again["version"], assignee_id=editor)
            )
    assert refused.value.code == "assignee_not_member"
