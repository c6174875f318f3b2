"""GET /api/v1/calendar: the caller's tasks with deadlines in a range, filtered like the task list."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.integration.tasks.conftest import Board
from workhub.kernel.clock import clock


def zulu(moment: datetime) -> str:
    """A UTC time as the API writes it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def window() -> tuple[datetime, datetime]:
    """A 31-day range that starts at midnight UTC some weeks after the clock's now (always in the future)."""
    start = (clock.now() + timedelta(days=40)).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=31)


def in_window(days: float, hour: int = 12) -> str:
    """A deadline ``days`` into the window, at ``hour`` UTC."""
    return zulu(window()[0] + timedelta(days=days, hours=hour))


def window_params() -> dict[str, str]:
    start, end = window()
    return {"from": zulu(start), "to": zulu(end)}


async def _calendar(board: Board, by: Any = None, **params: Any) -> list[dict[str, Any]]:
    resp = await board.client.get(
        "/api/v1/calendar", params={**window_params(), **params}, headers=(by or board.owner).headers
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["truncated"] is False
    return body["items"]


async def test_tasks_with_deadlines_in_the_range_earliest_first(board: Board) -> None:
    start, end = window()
    late = start + timedelta(days=27, hours=7)  # 10:00 in Moscow
    await board.create(title="Late", deadline=(late + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S+03:00"))
    await board.create(title="Early", deadline=in_window(1, hour=9))
    await board.create(title="Before", deadline=zulu(start - timedelta(minutes=1)))
    await board.create(title="At the end", deadline=zulu(end))  # the end is exclusive
    await board.create(title="No deadline")
    gone = await board.create(title="Deleted", deadline=in_window(9))
    await board.client.delete(f"/api/v1/tasks/{gone['id']}", headers=board.owner.headers)

    items = await _calendar(board)
    assert [i["title"] for i in items] == ["Early", "Late"]
    first = items[0]
    assert set(first) == {
        "id", "key", "title", "deadline", "status", "overdue", "priority", "assignee_id", "project_id", "project_key",
    }  # fmt: skip
    assert (first["key"], first["project_key"], first["project_id"]) == ("OPS-2", "OPS", board.id)
    assert first["deadline"] == in_window(1, hour=9)
    assert first["overdue"] is False
    # A zone-less time is UTC.
    naive = await _calendar(
        board,
        **{
            "from": late.strftime("%Y-%m-%dT%H:%M:%S"),
            "to": (late + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S"),
        },
    )
    assert [i["title"] for i in naive] == ["Late"]


async def test_filters_work_as_in_the_task_list(board: Board) -> None:
    deadline = in_window(14)
    await board.create(
        title="Editor's urgent fix",
        deadline=deadline,
        assignee_id=str(board.editor.id),
        priority="urgent",
        labels=["bug"],
    )
    await board.create(
        title="Owner's plan", deadline=deadline, assignee_id=str(board.owner.id), labels=["plan"]
    )
    done = await board.create(title="Shipped", deadline=deadline, assignee_id=str(board.editor.id))
    await board.patch(done, status="done")

    async def titles(**params: Any) -> set[str]:
        return {i["title"] for i in await _calendar(board, board.editor, **params)}

    assert await titles() == {"Editor's urgent fix", "Owner's plan", "Shipped"}
    assert await titles(assignee="me") == {"Editor's urgent fix", "Shipped"}
    assert await titles(assignee=str(board.owner.id)) == {"Owner's plan"}
    assert await titles(status="done") == {"Shipped"}
    assert await titles(status="todo,in_progress") == {"Editor's urgent fix", "Owner's plan"}
    assert await titles(label="bug") == {"Editor's urgent fix"}
    assert await titles(priority="urgent") == {"Editor's urgent fix"}
    assert await titles(q="PLAN") == {"Owner's plan"}
    assert await titles(project=board.id) == {"Editor's urgent fix", "Owner's plan", "Shipped"}
    bad = await board.client.get(
        "/api/v1/calendar", params={**window_params(), "status": "sleeping"}, headers=board.editor.headers
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "status"


async def test_overdue_tasks_are_marked(board: Board) -> None:
    await board.create(title="Missed", deadline="2020-01-10T10:00:00Z")
    items = await _calendar(board, **{"from": "2020-01-01T00:00:00Z", "to": "2020-02-01T00:00:00Z"})
    assert [(i["title"], i["overdue"], i["status"]) for i in items] == [("Missed", True, "todo")]
    overdue_only = await _calendar(
        board, status="overdue", **{"from": "2020-01-01T00:00:00Z", "to": "2020-02-01T00:00:00Z"}
    )
    assert [i["title"] for i in overdue_only] == ["Missed"]


async def test_only_tasks_of_the_callers_projects(board: Board) -> None:
    await board.create(title="OPS work", deadline=in_window(14))
    other = await board.api.project(board.outsider, key="OUT")
    resp = await board.client.post(
        f"/api/v1/projects/{other['id']}/tasks",
        json={"title": "Outsider's secret", "deadline": in_window(14)},
        headers=board.outsider.headers,
    )
    assert resp.status_code == 201
    assert [i["title"] for i in await _calendar(board, board.viewer)] == ["OPS work"]
    assert [i["title"] for i in await _calendar(board, board.outsider)] == ["Outsider's secret"]
    # Naming a foreign project shows nothing rather than its tasks.
    assert await _calendar(board, board.viewer, project=other["id"]) == []


async def test_the_range_is_required_and_bounded(board: Board) -> None:
    url, headers = "/api/v1/calendar", board.owner.headers
    for params in (
        {},
        {"from": "2026-12-01T00:00:00Z"},
        {"from": "2026-12-01T00:00:00Z", "to": "2026-11-01T00:00:00Z"},
        {"from": "2026-01-01T00:00:00Z", "to": "2027-01-03T00:00:00Z"},  # 367 days
        {"from": "yesterday", "to": "2027-01-03T00:00:00Z"},
    ):
        resp = await board.client.get(url, params=params, headers=headers)
        assert resp.status_code == 422, (params, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")
    year = await board.client.get(
        url, params={"from": "2026-01-01T00:00:00Z", "to": "2027-01-02T00:00:00Z"}, headers=headers
    )
    assert year.status_code == 200  # 366 days
    assert (await board.client.get(url, params=window_params())).status_code == 401


async def test_plain_dates_are_whole_days_in_the_callers_time_zone(board: Board) -> None:
    moscow = ZoneInfo("Europe/Moscow")  # the users' default zone
    first = (window()[0] + timedelta(days=1)).astimezone(moscow).date()
    midnight = datetime.combine(first, time(), tzinfo=moscow)
    await board.create(title="Before", deadline=(midnight - timedelta(minutes=1)).isoformat())
    await board.create(title="First", deadline=midnight.isoformat())
    await board.create(title="Last", deadline=(midnight + timedelta(days=2, minutes=-1)).isoformat())
    await board.create(title="After", deadline=(midnight + timedelta(days=2)).isoformat())
    days = {"from": first.isoformat(), "to": (first + timedelta(days=1)).isoformat()}  # `to` includes its day
    assert [i["title"] for i in await _calendar(board, **days)] == ["First", "Last"]
    one_day = {"from": first.isoformat(), "to": first.isoformat()}
    assert [i["title"] for i in await _calendar(board, **one_day)] == ["First"]


async def test_a_bad_range_names_the_parameters_the_caller_sent(board: Board) -> None:
    for params, fields in (
        ({"from": "yesterday", "to": "2027-01-03"}, ["from"]),
        ({"from": "2027-01-01", "to": "soon"}, ["to"]),
        ({"to": "2027-01-03"}, ["from"]),
        ({"from": "2027-01-03"}, ["to"]),
        ({"from": "2027-01-03", "to": "2027-01-01"}, ["to"]),
    ):
        resp = await board.client.get("/api/v1/calendar", params=params, headers=board.owner.headers)
        assert resp.status_code == 422, (params, resp.text)
        errors = resp.json()["errors"]
        assert [e["field"] for e in errors] == fields, (params, errors)
        assert not any(word in e["message"] for e in errors for word in ("start", "end")), errors
