"""What a digest says: the user's lists, the owner's projects, in the user's language; nothing when there is nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.digest.conftest import Desk, set_clock


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


DAY1 = utc(2026, 11, 25, 6, 1)
"""09:01 in Moscow on 25 November 2026."""


async def test_lists_overdue_due_today_due_this_week_and_newly_assigned(desk: Desk) -> None:
    me = await desk.person("Me", timezone="Europe/Moscow")
    boss = await desk.person("Boss", timezone="Asia/Tokyo")
    project = await desk.project(boss, "OPS", me)
    set_clock(DAY1 - timedelta(days=2))  # assigned two days before the digest: not "newly assigned"
    await desk.task(project, boss, title="Late", assignee_id=me.id, deadline=utc(2026, 11, 24, 12))
    await desk.task(project, boss, title="Today", assignee_id=me.id, deadline=utc(2026, 11, 25, 18))
    await desk.task(project, boss, title="Friday", assignee_id=me.id, deadline=utc(2026, 11, 27, 9))
    await desk.task(project, boss, title="Far away", assignee_id=me.id, deadline=utc(2026, 12, 20, 9))
    await desk.task(project, boss, title="Someday", assignee_id=me.id)
    await desk.task(project, boss, title="Not mine", assignee_id=boss.id, deadline=utc(2026, 11, 25, 18))
    done = await desk.task(project, boss, title="Done already", assignee_id=me.id, deadline=utc(2026, 11, 24))
    await desk.patch(done, boss, status="done")

    set_clock(DAY1)
    await desk.run()
    [digest] = await desk.digests(me)
    titles = {
        name: [i["title"] for i in digest.data[name]["items"]]
        for name in ("overdue", "due_today", "due_soon", "assigned")
    }
    assert titles == {
        "overdue": ["Late"],
        "due_today": ["Today"],
        "due_soon": ["Friday"],
        # Assigned within the last day and not in a list above; the first digest looks back one day.
        "assigned": [],
    }
    assert digest.data["owned_projects"] == []
    assert digest.title == "Your daily digest for Nov 25, 2026"
    assert digest.body.splitlines()[:2] == ["1 overdue task", "• OPS-1 Late — Nov 24, 15:00"]
    assert "1 task due in the next 7 days" in digest.body
    assert (
        "Not mine" not in digest.body and "Far away" not in digest.body and "Done already" not in digest.body
    )
    assert digest.link == "/tasks?assignee=me"


async def test_newly_assigned_means_since_the_last_digest(desk: Desk) -> None:
    me = await desk.person("Me", timezone="Europe/Moscow")
    boss = await desk.person("Boss", timezone="Asia/Tokyo")
    project = await desk.project(boss, "NEW", me)
    set_clock(DAY1 - timedelta(days=3))
    await desk.task(project, boss, title="Old news", assignee_id=me.id)
    set_clock(DAY1)
    await desk.task(project, boss, title="Due today", assignee_id=me.id, deadline=utc(2026, 11, 25, 18))
    await desk.run()
    assert len(await desk.digests(me)) == 1

    set_clock(DAY1 + timedelta(hours=5))
    fresh = await desk.task(project, boss, title="Fresh", assignee_id=boss.id)
    await desk.patch(fresh, boss, assignee_id=str(me.id))  # handed over after the first digest

    set_clock(DAY1 + timedelta(days=1))
    await desk.run()
    _, second = await desk.digests(me)
    assert [i["title"] for i in second.data["assigned"]["items"]] == ["Fresh"]
    assert "1 new task for you\n• NEW-3 Fresh — no deadline" in second.body


async def test_owners_get_their_projects_completions_and_overdue_counts(desk: Desk) -> None:
    owner = await desk.person("Owner", timezone="Europe/Moscow")
    worker = await desk.person("Worker", timezone="Europe/Moscow")
    ops = await desk.project(owner, "OPS", worker)
    late = await desk.task(ops, owner, title="Late", assignee_id=worker.id, deadline=utc(2026, 11, 24, 12))
    soon = await desk.task(ops, owner, title="Soon", assignee_id=worker.id, deadline=utc(2026, 11, 25, 18))
    set_clock(DAY1)
    await desk.run()
    [first] = await desk.digests(owner)
    assert first.data["owned_projects"] == [{"project_id": ops, "key": "OPS", "completed": 0, "overdue": 1}]
    assert "Your projects\n• OPS: 0 tasks done since the last digest, 1 overdue" in first.body
    [mine] = await desk.digests(worker)
    assert mine.data["owned_projects"] == []  # an editor is no owner
    assert "Your projects" not in mine.body

    set_clock(DAY1 + timedelta(hours=3))
    await desk.patch(soon, worker, status="done")
    await desk.patch(late, worker, status="in_progress")
    set_clock(DAY1 + timedelta(days=1))
    await desk.run()
    _, second = await desk.digests(owner)
    assert second.data["owned_projects"] == [{"project_id": ops, "key": "OPS", "completed": 1, "overdue": 1}]


async def test_nothing_to_report_sends_nothing_and_settles_the_day(desk: Desk) -> None:
    idle = await desk.person("Idle", timezone="Europe/Moscow")
    boss = await desk.person("Boss", timezone="Asia/Tokyo")
    project = await desk.project(boss, "IDL", idle)
    set_clock(DAY1)
    await desk.run()
    assert await desk.digests(idle) == []
    assert await desk.days(idle) == [("2026-11-25", False)]

    # Work that arrives later that day waits for tomorrow's digest.
    await desk.task(project, boss, title="Later", assignee_id=idle.id, deadline=utc(2026, 11, 26, 18))
    set_clock(DAY1 + timedelta(hours=2))
    await desk.run()
    assert await desk.digests(idle) == []
    set_clock(DAY1 + timedelta(days=1))
    await desk.run()
    [digest] = await desk.digests(idle)
    assert [i["title"] for i in digest.data["due_today"]["items"]] == ["Later"]


async def test_rendered_in_each_users_language(desk: Desk) -> None:
    ivan = await desk.person("Ivan", timezone="Europe/Moscow", locale="ru")
    jane = await desk.person("Jane", timezone="Europe/Moscow", locale="en")
    project = await desk.project(ivan, "LNG", jane)
    for user in (ivan, jane):
        await desk.task(project, ivan, title="Отчёт", assignee_id=user.id, deadline=utc(2026, 11, 25, 15))
    set_clock(DAY1)
    await desk.run()
    [ru] = await desk.digests(ivan)
    [en] = await desk.digests(jane)
    assert ru.title == "Ваша сводка на 25.11.2026"
    assert ru.body.startswith("1 задача со сроком сегодня\n• LNG-1 Отчёт — 18:00")
    assert en.title == "Your daily digest for Nov 25, 2026"
    assert en.body.startswith("1 task due today\n• LNG-2 Отчёт — 18:00")


async def test_an_archived_projects_tasks_stay_out_of_digests_until_it_is_restored(desk: Desk) -> None:
    me = await desk.person("Me", timezone="Europe/Moscow")
    boss = await desk.person("Boss", timezone="Europe/Moscow")
    shelved = await desk.project(boss, "ARC", me)
    active = await desk.project(boss, "ACT", me)
    set_clock(DAY1 - timedelta(days=2))
    await desk.task(shelved, boss, title="Shelved late", assignee_id=me.id, deadline=utc(2026, 11, 24, 12))
    await desk.task(shelved, boss, title="Shelved today", assignee_id=me.id, deadline=utc(2026, 11, 25, 18))
    await desk.task(active, boss, title="Active today", assignee_id=me.id, deadline=utc(2026, 11, 25, 18))
    await desk.task(active, boss, title="Active late", assignee_id=boss.id, deadline=utc(2026, 11, 24, 12))
    resp = await desk.client.delete(f"/api/v1/projects/{shelved}", headers=boss.headers)
    assert resp.status_code == 204, resp.text

    set_clock(DAY1)
    await desk.run()
    [mine] = await desk.digests(me)
    assert mine.data["overdue"]["count"] == 0
    assert [i["title"] for i in mine.data["due_today"]["items"]] == ["Active today"]
    [owner] = await desk.digests(boss)  # the owner's project summary leaves the archived one out too
    assert [p["key"] for p in owner.data["owned_projects"]] == ["ACT"]
    assert "ARC" not in mine.body + owner.body

    # Restored: its tasks are back, the one whose deadline passed meanwhile as overdue.
    resp = await desk.client.post(f"/api/v1/projects/{shelved}/restore", headers=boss.headers)
    assert resp.status_code == 200, resp.text
    set_clock(DAY1 + timedelta(days=1))
    await desk.run()
    _, second = await desk.digests(me)
    assert sorted(i["title"] for i in second.data["overdue"]["items"]) == [
        "Active today",
        "Shelved late",
        "Shelved today",
    ]
