"""Task lists: every filter and sort, cursor pagination, the cross-project list, bad input."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.integration.tasks.conftest import Board
from workhub.kernel.clock import clock


def at(days: float) -> str:
    return (clock.now() + timedelta(days=days)).isoformat()


@pytest.fixture
async def seeded(board: Board) -> Board:
    """Five tasks with different people, statuses, priorities, labels and deadlines."""
    ed, vw = str(board.editor.id), str(board.viewer.id)
    await board.create(
        title="Alpha invoice", priority="low", labels=["finance"], assignee_id=ed, deadline=at(3)
    )
    await board.create(
        by=board.editor,
        title="Bravo call",
        description="Call the bank about 100% prepayment",
        priority="urgent",
        labels=["sales", "calls"],
        deadline=at(-1),
    )
    await board.create(title="Charlie report", status="done", priority="high", labels=["finance", "reports"])
    await board.create(
        title="Delta review", status="in_progress", priority="normal", assignee_id=vw, deadline=at(10)
    )
    await board.create(
        title="Echo cleanup", status="cancelled", priority="high", labels=["sales"], deadline=at(-5)
    )
    return board


async def test_default_order_is_newest_first(seeded: Board) -> None:
    page = await seeded.list()
    assert [t["key"] for t in page["items"]] == ["OPS-5", "OPS-4", "OPS-3", "OPS-2", "OPS-1"]
    assert page["next_cursor"] is None


def filter_cases() -> list[tuple[dict[str, Any], list[str]]]:
    """Each filter and the titles it leaves, with deadlines relative to the clock's now."""
    return [
        ({"assignee": "none"}, ["Echo cleanup", "Charlie report", "Bravo call"]),
        ({"status": "todo"}, ["Bravo call", "Alpha invoice"]),
        ({"status": "in_progress,done"}, ["Delta review", "Charlie report"]),
        ({"status": "overdue"}, ["Bravo call"]),
        ({"status": "overdue,in_progress"}, ["Delta review", "Bravo call"]),
        ({"status": "cancelled"}, ["Echo cleanup"]),
        ({"priority": "high"}, ["Echo cleanup", "Charlie report"]),
        ({"priority": "low,urgent"}, ["Bravo call", "Alpha invoice"]),
        ({"label": "finance"}, ["Charlie report", "Alpha invoice"]),
        ({"label": ["sales", "calls"]}, ["Bravo call"]),
        ({"label": "sales,calls"}, ["Bravo call"]),
        ({"label": "nothing"}, []),
        ({"deadline_from": at(0)}, ["Delta review", "Alpha invoice"]),
        ({"deadline_to": at(0)}, ["Echo cleanup", "Bravo call"]),
        ({"deadline_from": at(-2), "deadline_to": at(5)}, ["Bravo call", "Alpha invoice"]),
        ({"q": "REPORT"}, ["Charlie report"]),
        ({"q": "100%"}, ["Bravo call"]),
        ({"q": "bank"}, ["Bravo call"]),
        ({"q": "_"}, []),
        ({"priority": "high", "label": "sales"}, ["Echo cleanup"]),
    ]


async def test_filters(seeded: Board) -> None:
    for params, expected in filter_cases():
        assert await seeded.titles(**params) == expected, params


async def test_people_filters_with_me_and_ids(seeded: Board) -> None:
    assert await seeded.titles(by=seeded.editor, assignee="me") == ["Alpha invoice"]
    assert await seeded.titles(assignee=str(seeded.viewer.id)) == ["Delta review"]
    assert await seeded.titles(by=seeded.editor, creator="me") == ["Bravo call"]
    assert await seeded.titles(creator=str(seeded.owner.id)) == [
        "Echo cleanup",
        "Delta review",
        "Charlie report",
        "Alpha invoice",
    ]


async def test_project_filter_on_the_project_list(seeded: Board) -> None:
    other = await seeded.api.project(seeded.owner, key="HR")
    assert await seeded.titles(project=other["id"]) == []
    assert len(await seeded.titles(project=seeded.id)) == 5


SORT_CASES: list[tuple[str, list[str]]] = [
    ("number", ["Alpha invoice", "Bravo call", "Charlie report", "Delta review", "Echo cleanup"]),
    ("-number", ["Echo cleanup", "Delta review", "Charlie report", "Bravo call", "Alpha invoice"]),
    # Without a deadline: last ascending, first descending.
    ("deadline", ["Echo cleanup", "Bravo call", "Alpha invoice", "Delta review", "Charlie report"]),
    ("-deadline", ["Charlie report", "Delta review", "Alpha invoice", "Bravo call", "Echo cleanup"]),
    # low < normal < high < urgent; ties by creation.
    ("priority", ["Alpha invoice", "Delta review", "Charlie report", "Echo cleanup", "Bravo call"]),
    ("-priority", ["Bravo call", "Echo cleanup", "Charlie report", "Delta review", "Alpha invoice"]),
]


async def test_sorts(seeded: Board) -> None:
    for sort, expected in SORT_CASES:
        assert await seeded.titles(sort=sort) == expected, sort


async def test_sort_by_updated(seeded: Board) -> None:
    page = await seeded.list(sort="number")
    charlie = page["items"][2]
    assert (await seeded.patch(charlie, title="Charlie report v2")).status_code == 200
    assert (await seeded.titles(sort="-updated"))[0] == "Charlie report v2"
    assert (await seeded.titles(sort="updated"))[-1] == "Charlie report v2"


async def test_cursor_pages_cover_every_task_once_in_every_sort(board: Board) -> None:
    priorities = ["low", "normal", "high", "urgent"]
    for n in range(13):
        await board.create(
            title=f"T{n:02}",
            priority=priorities[n % 4],
            deadline=at(n % 5) if n % 3 else None,
        )
    for sort in (
        "number",
        "-number",
        "deadline",
        "-deadline",
        "priority",
        "-priority",
        "updated",
        "-updated",
        "position",
        "-position",
    ):
        whole = await board.titles(sort=sort, limit=200)
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
        assert sorted(seen) == [f"T{n:02}" for n in range(13)], sort


async def test_limit_default_and_maximum(board: Board) -> None:
    for n in range(52):
        await board.create(title=f"T{n}")
    page = await board.list()
    assert len(page["items"]) == 50 and page["next_cursor"]
    assert len((await board.list(limit=200))["items"]) == 52
    too_many = await board.client.get(board.tasks_url, params={"limit": 201}, headers=board.owner.headers)
    assert too_many.status_code == 422
    assert [e["field"] for e in too_many.json()["errors"]] == ["limit"]


async def test_cross_project_list_shows_only_my_projects(board: Board) -> None:
    await board.create(title="In OPS", assignee_id=str(board.editor.id))
    mine = await board.api.project(board.editor, key="MINE")
    resp = await board.client.post(
        f"/api/v1/projects/{mine['id']}/tasks", json={"title": "In MINE"}, headers=board.editor.headers
    )
    assert resp.status_code == 201
    stranger = await board.api.user("Stranger")
    theirs = await board.api.project(stranger, key="THEIRS")
    resp = await board.client.post(
        f"/api/v1/projects/{theirs['id']}/tasks", json={"title": "In THEIRS"}, headers=stranger.headers
    )
    assert resp.status_code == 201

    url = "/api/v1/tasks"
    assert sorted(await board.titles(by=board.editor, url=url)) == ["In MINE", "In OPS"]
    assert await board.titles(by=board.viewer, url=url) == ["In OPS"]
    assert await board.titles(by=board.outsider, url=url) == []
    assert await board.titles(by=board.editor, url=url, assignee="me") == ["In OPS"]
    assert await board.titles(by=board.editor, url=url, project=mine["id"]) == ["In MINE"]
    # A project the caller cannot see filters to nothing rather than leaking.
    assert await board.titles(by=board.editor, url=url, project=theirs["id"]) == []
    admin = await board.api.user("Admin", admin=True)
    assert sorted(await board.titles(by=admin, url=url)) == ["In MINE", "In OPS", "In THEIRS"]


async def test_cross_project_list_leaves_archived_projects_out_unless_asked(board: Board) -> None:
    await board.create(title="Old work")
    resp = await board.client.delete(f"/api/v1/projects/{board.id}", headers=board.owner.headers)
    assert resp.status_code in (200, 204), resp.text
    assert await board.titles(url="/api/v1/tasks") == []
    assert await board.titles(url="/api/v1/tasks", project=board.id) == ["Old work"]
    # The archived project's own list is still readable.
    assert await board.titles() == ["Old work"]


async def test_overdue_filter_follows_the_clock(board: Board) -> None:
    from workhub.kernel.clock import clock

    await board.create(title="Tomorrow", deadline=at(1))
    await board.create(title="Done late", status="done", deadline=at(-1))
    assert await board.titles(status="overdue") == []
    clock.shift(timedelta(days=2))
    assert await board.titles(status="overdue") == ["Tomorrow"]
    task = (await board.list(status="overdue"))["items"][0]
    assert task["overdue"] is True


BAD_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"assignee": "someone"}, ["assignee"]),
    ({"creator": "none"}, ["creator"]),
    ({"status": "finished"}, ["status"]),
    ({"priority": "critical"}, ["priority"]),
    ({"sort": "title"}, ["sort"]),
    ({"status": "todo,nope", "priority": "x", "sort": "-x"}, ["status", "priority", "sort"]),
    ({"project": "not-a-uuid"}, ["project"]),
    ({"deadline_from": "yesterday"}, ["deadline_from"]),
    ({"deadline_from": at(2), "deadline_to": at(1)}, ["deadline_to"]),
    ({"limit": "0"}, ["limit"]),
    ({"cursor": "!!!"}, ["cursor"]),
    ({"label": "x" * 51}, ["label"]),
]


async def test_bad_filters_are_422_problems_naming_the_field(board: Board) -> None:
    for params, fields in BAD_FILTERS:
        for url in (board.tasks_url, "/api/v1/tasks"):
            resp = await board.client.get(url, params=params, headers=board.owner.headers)
            assert resp.status_code == 422, (params, resp.text)
            assert resp.headers["content-type"].startswith("application/problem+json")
            assert [e["field"] for e in resp.json()["errors"]] == fields, params


async def test_a_cursor_from_another_sort_is_rejected(board: Board) -> None:
    for n in range(3):
        await board.create(title=f"T{n}")
    cursor = (await board.list(limit=1, sort="number"))["next_cursor"]
    assert cursor
    resp = await board.client.get(
        board.tasks_url, params={"cursor": cursor, "sort": "deadline"}, headers=board.owner.headers
    )
    assert resp.status_code == 422
    assert resp.json()["code"] == "invalid_cursor"


async def test_counts_of_open_and_overdue_tasks_per_project(board: Board) -> None:
    await board.create(title="Open, due later", deadline=at(2))
    await board.create(title="Open, late", deadline=at(-1))
    await board.create(title="In progress, late", status="in_progress", deadline=at(-3))
    await board.create(title="Done late", status="done", deadline=at(-1))
    gone = await board.create(title="Deleted", deadline=at(-1))
    await board.client.delete(f"/api/v1/tasks/{gone['id']}", headers=board.owner.headers)
    other = await board.api.project(board.outsider, key="OUT")
    await board.client.post(
        f"/api/v1/projects/{other['id']}/tasks", json={"title": "Secret"}, headers=board.outsider.headers
    )

    async def counts(by: Any) -> list[dict[str, Any]]:
        resp = await board.client.get("/api/v1/tasks/counts", headers=by.headers)
        assert resp.status_code == 200, resp.text
        return resp.json()["items"]

    assert await counts(board.viewer) == [{"project_id": board.id, "open": 3, "overdue": 2}]
    assert await counts(board.outsider) == [{"project_id": other["id"], "open": 1, "overdue": 0}]
    clock.shift(timedelta(days=3))  # the first task's deadline passes
    assert (await counts(board.editor))[0]["overdue"] == 3


async def test_plain_dates_filter_whole_days_in_the_callers_time_zone(board: Board) -> None:
    """``deadline_from=D`` starts at D's midnight where the caller lives, ``deadline_to=D`` ends at the next."""
    day = (clock.now() + timedelta(days=10)).astimezone(ZoneInfo("Europe/Moscow")).date()
    midnight = datetime.combine(day, time(), tzinfo=ZoneInfo("Europe/Moscow"))  # the users' default zone
    for title, moment in (
        ("Day before, late", midnight - timedelta(minutes=1)),
        ("Midnight", midnight),
        ("Last minute", midnight + timedelta(days=1, minutes=-1)),
        ("Next day", midnight + timedelta(days=1)),
    ):
        await board.create(title=title, deadline=moment.isoformat())
    text = day.isoformat()
    assert await board.titles(deadline_from=text, deadline_to=text, sort="deadline") == [
        "Midnight",
        "Last minute",
    ]
    assert await board.titles(deadline_from=text, sort="deadline") == ["Midnight", "Last minute", "Next day"]
    assert await board.titles(url="/api/v1/tasks", deadline_to=text, sort="deadline") == [
        "Day before, late",
        "Midnight",
        "Last minute",
    ]
    # The same date in UTC is three hours later: Moscow's last minute of the day before now falls in it.
    moved = await board.client.patch("/api/v1/me", json={"timezone": "UTC"}, headers=board.owner.headers)
    assert moved.status_code == 200, moved.text
    assert await board.titles(deadline_from=text, deadline_to=text, sort="deadline") == [
        "Last minute",
        "Next day",
    ]


async def test_a_bad_date_names_the_filter(board: Board) -> None:
    for params in ({"deadline_from": "2026-13-45"}, {"deadline_to": "05.12.2026"}):
        resp = await board.client.get(board.tasks_url, params=params, headers=board.owner.headers)
        assert resp.status_code == 422, (params, resp.text)
        assert [e["field"] for e in resp.json()["errors"]] == list(params)
