"""The statistics export on a dataset laid out with the controllable clock."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from tests.integration.jobs.conftest import Team
from workhub.kernel.clock import clock


def at_day(day: float) -> None:
    """Move the clock to ``day`` days after the start of the story (the start is 30 days ago)."""
    target = timedelta(days=-30 + day)
    clock.reset()
    clock.shift(target)


async def test_numbers_per_project_and_assignee_over_a_period(team: Team) -> None:
    at_day(0)
    start = clock.now()
    editor, viewer = str(team.editor.id), str(team.viewer.id)
    t0 = await team.task(title="Old", assignee_id=editor)
    at_day(1)
    t1 = await team.task(
        title="On time", assignee_id=editor, deadline=(start + timedelta(days=5)).isoformat()
    )
    t2 = await team.task(title="Late", assignee_id=editor, deadline=(start + timedelta(days=1.5)).isoformat())
    await team.task(title="Someday", assignee_id=viewer)
    await team.task(title="Forgotten", deadline=(start + timedelta(days=2)).isoformat())
    t5 = await team.task(title="Dropped", assignee_id=viewer)
    await team.outsider_project_task("Not ours")
    at_day(2)
    assert (await patch(team, t1, status="done")).status_code == 200
    at_day(3)
    assert (await patch(team, t2, status="done")).status_code == 200
    at_day(4)
    assert (await patch(team, t0, status="done")).status_code == 200
    assert (await patch(team, t5, status="cancelled")).status_code == 200
    at_day(25)
    await team.task(title="After the period", assignee_id=editor)
    at_day(30)

    job = await team.start(
        "export_stats_csv",
        {
            "from": (start + timedelta(days=0.5)).isoformat(),
            "to": (start + timedelta(days=20)).isoformat(),
        },
    )
    await team.work()
    assert (await team.get(job["id"]))["status"] == "completed"
    content = await team.result(job["id"])
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == [
        "Проект",
        "Исполнитель",
        "Email исполнителя",
        "Создано",
        "Выполнено",
        "Выполнено в срок",
        "Просрочено сейчас",
        "Отменено",
        "Среднее время до выполнения, ч",
        "Медиана времени до выполнения, ч",
    ]
    by_who = {r[1]: r for r in rows[1:]}
    assert {r[0] for r in rows[1:]} == {"OPS"}, "only projects the caller sees"
    assert rows[1][1] == "(весь проект)", "the project's totals come first"
    assert by_who["(весь проект)"][3:] == ["5", "3", "1", "1", "1", "56,0", "48,0"]
    assert by_who["Editor"][2:] == [team.editor.email, "2", "3", "1", "0", "0", "56,0", "48,0"]
    assert by_who["Viewer"][3:] == ["2", "0", "0", "0", "1", "", ""]
    assert by_who["(без исполнителя)"][3:] == ["1", "0", "0", "1", "0", "", ""]


async def test_dates_alone_cover_whole_days_in_the_users_zone(team: Team) -> None:
    job = await team.start("export_stats_csv", {"from": "2026-03-01", "to": "2026-03-31", "language": "en"})
    assert job["params"]["from"] == "2026-03-01T00:00:00+03:00"
    assert job["params"]["to"] == "2026-04-01T00:00:00+03:00"
    await team.work()
    done = await team.get(job["id"])
    assert done["status"] == "completed"
    rows = list(csv.reader(io.StringIO((await team.result(job["id"])).decode("utf-8-sig")), delimiter=","))
    assert rows[0][0] == "Project" and len(rows) == 1


async def patch(team: Team, task: dict[str, Any], **fields: Any) -> Any:
    return await team.client.patch(
        f"/api/v1/tasks/{task['id']}", json={"version": task["version"], **fields}, headers=team.owner.headers
    )
