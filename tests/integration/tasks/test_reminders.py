"""Reminders with a moved clock: planned and replanned, delivered once, skipped after an outage, the routes.

Planning runs in subscribers (``deliver`` relays the events and runs their
jobs, as the worker would); delivery is the cron job's function run directly
on the app's loop after ``clock.shift``.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.tasks.conftest import Board
from tests.support import Deliver, in_app, read
from workhub.kernel.clock import clock
from workhub.notifications.models import Notification
from workhub.tasks.models import TaskReminder
from workhub.tasks.overdue import mark_overdue
from workhub.tasks.reminders import deliver_due_reminders

WINDOW = timedelta(minutes=15)


def at(moment: datetime) -> str:
    return moment.isoformat()


async def run_delivery(board: Board, *, batch: int = 200) -> int:
    """One run of the reminder cron job, in the app."""
    db, notifier = board.client.app.state.db_config, board.client.app.state.registry.runtime.notifier
    return await in_app(board.client, lambda: deliver_due_reminders(db, notifier, window=WINDOW, batch=batch))


async def reminders(board: Board, task: dict[str, Any], by: Any = None) -> list[dict[str, Any]]:
    resp = await board.client.get(
        f"/api/v1/tasks/{task['id']}/reminders", headers=(by or board.owner).headers
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def planned(items: list[dict[str, Any]]) -> list[tuple[str | None, int, datetime]]:
    """(user, offset, time) of the planned reminders, soonest first."""
    found = [
        (r["user_id"], r["offset_minutes"], datetime.fromisoformat(r["remind_at"]))
        for r in items
        if r["origin"] == "user"
    ]
    return sorted(found, key=lambda r: r[2])


async def notifications(board: Board, user_id: UUID) -> list[Notification]:
    async def fetch(session: AsyncSession) -> list[Notification]:
        stmt = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        return list((await session.scalars(stmt)).all())

    return await read(board.client, fetch)


async def reminder_notes(board: Board, user_id: UUID) -> list[Notification]:
    return [n for n in await notifications(board, user_id) if n.kind == "reminder"]


async def test_planned_from_the_assignees_offsets_and_replanned_on_every_change(
    board: Board, deliver: Deliver
) -> None:
    deadline = (clock.now() + timedelta(days=3)).replace(microsecond=0)
    task = await board.create(title="Report", deadline=at(deadline))
    await deliver()
    assert await reminders(board, task) == []  # nobody to remind yet

    editor = str(board.editor.id)
    task = (await board.patch(task, assignee_id=editor)).json()
    await deliver()
    assert planned(await reminders(board, task)) == [
        (editor, 60 * 24, deadline - timedelta(days=1)),
        (editor, 60, deadline - timedelta(hours=1)),
    ]

    # The deadline moves: the reminders follow it.
    moved = deadline + timedelta(days=2)
    task = (await board.patch(task, deadline=at(moved))).json()
    await deliver()
    assert planned(await reminders(board, task)) == [
        (editor, 60 * 24, moved - timedelta(days=1)),
        (editor, 60, moved - timedelta(hours=1)),
    ]

    # Another assignee: the reminders are theirs, with their offsets.
    resp = await board.client.patch(
        "/api/v1/me", json={"reminder_offsets": [180]}, headers=board.owner.headers
    )
    assert resp.status_code == 200, resp.text
    task = (await board.patch(task, assignee_id=str(board.owner.id))).json()
    await deliver()
    assert planned(await reminders(board, task)) == [(str(board.owner.id), 180, moved - timedelta(hours=3))]

    # The assignee changes their offsets: their open tasks are replanned.
    resp = await board.client.patch(
        "/api/v1/me", json={"reminder_offsets": [30, 120]}, headers=board.owner.headers
    )
    assert resp.status_code == 200, resp.text
    await deliver()
    assert planned(await reminders(board, task)) == [
        (str(board.owner.id), 120, moved - timedelta(hours=2)),
        (str(board.owner.id), 30, moved - timedelta(minutes=30)),
    ]

    # Closed: nothing left to remind of.
    task = (await board.patch(task, status="done")).json()
    await deliver()
    assert planned(await reminders(board, task)) == []


async def test_a_due_reminder_is_delivered_once_in_the_users_language_and_time_zone(
    board: Board, deliver: Deliver
) -> None:
    ivan = await board.api.user("Ivan", locale="ru")
    await board.add_member(ivan, "editor")
    deadline = datetime.fromisoformat("2030-03-10T15:00:00+00:00")
    clock.shift(deadline - timedelta(days=5) - clock.now())
    task = await board.create(title="Отчёт", deadline=at(deadline), assignee_id=str(ivan.id))
    await deliver()

    assert await run_delivery(board) == 0
    clock.shift(deadline - timedelta(days=1) + timedelta(seconds=30) - clock.now())
    assert await run_delivery(board) == 1
    notes = await reminder_notes(board, ivan.id)
    assert len(notes) == 1
    assert notes[0].title == "Напоминание: OPS-1 Отчёт"
    assert notes[0].body == "Срок: 10.03.2030 18:00 (Europe/Moscow)."
    assert notes[0].link == f"/tasks/{task['id']}"

    # Later runs send nothing again; the one-hour reminder comes at its time.
    clock.shift(timedelta(minutes=5))
    assert await run_delivery(board) == 0
    clock.shift(deadline - timedelta(minutes=59) - clock.now())
    assert await run_delivery(board) == 1
    assert len(await reminder_notes(board, ivan.id)) == 2
    sent = [r for r in await reminders(board, task) if r["sent_at"]]
    assert len(sent) == 2 and all(r["skipped_at"] is None for r in sent)


async def test_after_a_long_outage_reminders_are_skipped_but_the_overdue_notice_comes(
    board: Board, deliver: Deliver
) -> None:
    deadline = (clock.now() + timedelta(days=2)).replace(microsecond=0)
    task = await board.create(title="Missed", deadline=at(deadline), assignee_id=str(board.editor.id))
    await deliver()
    # The workers were down from before the first reminder until after the deadline.
    clock.shift(timedelta(days=2, hours=2))
    assert await run_delivery(board) == 2
    assert await reminder_notes(board, board.editor.id) == []
    assert all(r["skipped_at"] and not r["sent_at"] for r in await reminders(board, task))
    assert await in_app(board.client, lambda: mark_overdue(board.client.app.state.db_config)) == 1
    got = await board.client.get(f"/api/v1/tasks/{task['id']}", headers=board.owner.headers)
    assert got.json()["overdue"] is True


async def test_a_reminder_a_little_late_still_goes_out(board: Board, deliver: Deliver) -> None:
    deadline = (clock.now() + timedelta(days=2)).replace(microsecond=0)
    await board.create(title="Soon", deadline=at(deadline), assignee_id=str(board.editor.id))
    await deliver()
    clock.shift(timedelta(days=1, minutes=10))  # the one-day reminder is 10 minutes late
    assert await run_delivery(board) == 1
    assert len(await reminder_notes(board, board.editor.id)) == 1


async def test_two_pickers_at_once_deliver_each_reminder_exactly_once(board: Board, deliver: Deliver) -> None:
    deadline = (clock.now() + timedelta(days=2)).replace(microsecond=0)
    for n in range(25):
        await board.create(title=f"T{n}", deadline=at(deadline), assignee_id=str(board.editor.id))
    await deliver()
    clock.shift(timedelta(days=1, minutes=1))
    db, notifier = board.client.app.state.db_config, board.client.app.state.registry.runtime.notifier

    async def two_workers() -> list[int]:
        return list(
            await asyncio.gather(
                deliver_due_reminders(db, notifier, window=WINDOW, batch=4),
                deliver_due_reminders(db, notifier, window=WINDOW, batch=4),
            )
        )

    handled = await in_app(board.client, two_workers)
    assert sum(handled) == 25
    notes = await reminder_notes(board, board.editor.id)
    assert len(notes) == 25
    assert len({n.event_id for n in notes}) == 25

    async def unsent_due(session: AsyncSession) -> int:
        stmt = (
            select(func.count())
            .select_from(TaskReminder)
            .where(TaskReminder.sent_at.is_(None), TaskReminder.remind_at <= clock.now())
        )
        return int(await session.scalar(stmt) or 0)

    assert await read(board.client, unsent_due) == 0


async def test_a_reminder_planned_before_a_change_is_not_sent_for_the_old_state(
    board: Board, deliver: Deliver
) -> None:
    deadline = (clock.now() + timedelta(days=2)).replace(microsecond=0)
    task = await board.create(title="Moved", deadline=at(deadline), assignee_id=str(board.editor.id))
    await deliver()
    # The deadline moves a week on, and the reminder is due before the replan job has run.
    await board.patch(task, deadline=at(deadline + timedelta(days=7)))
    clock.shift(timedelta(days=1, minutes=1))
    await run_delivery(board)
    assert await reminder_notes(board, board.editor.id) == []
    items = await reminders(board, task)
    assert {datetime.fromisoformat(r["remind_at"]) for r in items} == {
        deadline + timedelta(days=6),
        deadline + timedelta(days=7) - timedelta(hours=1),
    }


async def test_a_change_that_keeps_the_deadline_keeps_a_due_reminder(board: Board, deliver: Deliver) -> None:
    deadline = (clock.now() + timedelta(days=2)).replace(microsecond=0)
    task = await board.create(title="Started", deadline=at(deadline), assignee_id=str(board.editor.id))
    await deliver()
    # The one-day reminder falls due; before the cron runs, the task moves to in progress.
    clock.shift(timedelta(days=1, seconds=10))
    await board.patch(task, status="in_progress")
    await deliver()  # the replan runs first
    assert await run_delivery(board) == 1
    assert len(await reminder_notes(board, board.editor.id)) == 1


async def test_task_reminders_through_the_api(board: Board, deliver: Deliver) -> None:
    deadline = (clock.now() + timedelta(days=2)).replace(microsecond=0)
    task = await board.create(title="Custom", deadline=at(deadline), assignee_id=str(board.editor.id))
    url = f"/api/v1/tasks/{task['id']}/reminders"
    moment = (clock.now() + timedelta(hours=5)).replace(microsecond=0)
    resp = await board.client.post(url, json={"at": at(moment)}, headers=board.editor.headers)
    assert resp.status_code == 201, resp.text
    absolute = resp.json()
    assert absolute["origin"] == "task" and absolute["kind"] == "absolute"
    assert datetime.fromisoformat(absolute["remind_at"]) == moment
    assert absolute["user_id"] == str(board.editor.id)
    resp = await board.client.post(url, json={"offset_minutes": 10}, headers=board.owner.headers)
    assert resp.status_code == 201, resp.text
    offset = resp.json()
    assert datetime.fromisoformat(offset["remind_at"]) == deadline - timedelta(minutes=10)

    # Bad input is a 422 with a code; viewers may read but not add; outsiders see nothing.
    for body, code in (
        ({}, "reminder_invalid"),
        ({"at": at(moment), "offset_minutes": 5}, "reminder_invalid"),
        ({"at": at(clock.now() - timedelta(minutes=1))}, "reminder_in_past"),
        ({"offset_minutes": -1}, None),
    ):
        resp = await board.client.post(url, json=body, headers=board.owner.headers)
        assert resp.status_code in (400, 422), resp.text
        if code:
            assert resp.json()["code"] == code
    assert (
        await board.client.post(url, json={"offset_minutes": 5}, headers=board.viewer.headers)
    ).status_code == 403
    assert (await board.client.get(url, headers=board.outsider.headers)).status_code == 404
    await deliver()
    listed = await reminders(board, task, by=board.viewer)
    assert [r["origin"] for r in listed].count("user") == 2
    assert {r["id"] for r in listed} >= {absolute["id"], offset["id"]}

    # The custom reminder goes out at its time, once.
    clock.shift(timedelta(hours=5, seconds=30))
    assert await run_delivery(board) == 1
    assert [n.event_id for n in await reminder_notes(board, board.editor.id)] == [UUID(absolute["id"])]

    # Removing: custom ones go; planned ones follow the assignee's settings.
    resp = await board.client.delete(f"{url}/{offset['id']}", headers=board.editor.headers)
    assert resp.status_code == 204
    planned_id = next(r["id"] for r in listed if r["origin"] == "user")
    resp = await board.client.delete(f"{url}/{planned_id}", headers=board.editor.headers)
    assert resp.status_code == 409 and resp.json()["code"] == "reminder_planned"
    history = [entry["action"] for entry in await board.history(task["id"])]
    assert history.count("task.reminder_added") == 2 and history.count("task.reminder_removed") == 1


async def test_an_archived_projects_reminders_are_skipped_and_not_sent_on_restore(
    board: Board, deliver: Deliver
) -> None:
    deadline = (clock.now() + timedelta(days=2)).replace(microsecond=0)
    task = await board.create(title="Shelved", deadline=at(deadline), assignee_id=str(board.editor.id))
    await deliver()
    resp = await board.client.delete(f"/api/v1/projects/{board.id}", headers=board.owner.headers)
    assert resp.status_code == 204, resp.text
    # The one-day reminder falls due while the project is archived: it is passed over.
    clock.shift(timedelta(days=1, minutes=1))
    assert await run_delivery(board) == 1
    assert await reminder_notes(board, board.editor.id) == []
    resp = await board.client.post(f"/api/v1/projects/{board.id}/restore", headers=board.owner.headers)
    assert resp.status_code == 200, resp.text
    # Restored: the passed reminder stays unsent; the one still ahead goes out at its time.
    assert await run_delivery(board) == 0
    assert await reminder_notes(board, board.editor.id) == []
    clock.shift(deadline - timedelta(minutes=59) - clock.now())
    assert await run_delivery(board) == 1
    notes = await reminder_notes(board, board.editor.id)
    assert len(notes) == 1 and notes[0].data["deadline"] == deadline.isoformat()
    handled = {r["offset_minutes"]: (r["sent_at"], r["skipped_at"]) for r in await reminders(board, task)}
    assert handled[60 * 24][0] is None and handled[60 * 24][1] is not None
    assert handled[60][0] is not None and handled[60][1] is None
