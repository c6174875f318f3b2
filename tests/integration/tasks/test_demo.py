"""The demo tasks that ``make run`` seeds on the first start."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.tasks.conftest import Board
from tests.support import own_db_config
from workhub.kernel.clock import clock
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import session_scope
from workhub.tasks.demo import DEMO_TASKS, seed_tasks


async def test_seed_makes_a_lived_in_project(board: Board) -> None:
    lead, manager = board.owner, board.outsider
    config = own_db_config(board.client)
    try:
        async with session_scope(config) as session:
            with acting_as(Actor.system("demo")):
                await seed_tasks(session, board.project_id, lead.id, manager.id)
    finally:
        await config.get_engine().dispose()

    # The manager joined as an editor and sees every task.
    page = await board.list(by=manager, limit=200)
    tasks = page["items"]
    assert len(tasks) == len(DEMO_TASKS) >= 25
    assert (await board.patch(tasks[0], by=manager, title=tasks[0]["title"] + "!")).status_code == 200
    assert all(any("а" <= ch <= "я" for ch in t["title"].lower()) for t in tasks)
    assert {t["status"] for t in tasks} == {"todo", "in_progress", "done", "cancelled"}
    assert {t["priority"] for t in tasks} == {"low", "normal", "high", "urgent"}
    assert {t["assignee_id"] for t in tasks} >= {str(lead.id), str(manager.id)}
    assert all(t["creator_id"] == str(lead.id) for t in tasks)
    overdue = await board.titles(by=manager, status="overdue", limit=200)
    assert len(overdue) >= 3
    now = clock.now()
    week = await board.titles(
        by=manager,
        deadline_from=now.isoformat(),
        deadline_to=(now + timedelta(days=7)).isoformat(),
        limit=200,
    )
    assert len(week) >= 5
    # Created through the service, so each task has its history.
    history = await board.history(tasks[-1]["id"], by=manager)
    assert history[0]["action"] == "task.created"
    assert history[0]["actor_name"] == "demo"
