"""The CSV exports: what Excel needs (BOM, separator, headers in the user's language), access, filters."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.integration.jobs.conftest import Team
from workhub.kernel.clock import clock


def parse(content: bytes, delimiter: str) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel would garble Cyrillic"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=delimiter))


async def export(team: Team, params: dict[str, Any] | None = None, by: Any = None) -> bytes:
    job = await team.start("export_tasks_csv", params, by=by)
    await team.work()
    done = await team.get(job["id"], by=by)
    assert done["status"] == "completed", done
    return await team.result(job["id"], by=by)


async def test_russian_users_get_semicolons_russian_headers_and_cyrillic_intact(team: Team) -> None:
    await team.task(
        title="Подготовить отчёт «Квартал»; срочно",
        description="Строка 1\nСтрока 2, с запятой",
        priority="urgent",
        labels=["финансы", "отчёты"],
        assignee_id=str(team.editor.id),
        deadline="2026-05-01T15:00:00+00:00",
    )
    rows = parse(await export(team), ";")
    header, (row,) = rows[0], rows[1:]
    assert header[:5] == ["Номер", "Название", "Статус", "Просрочена", "Приоритет"]
    cells = dict(zip(header, row, strict=True))
    assert cells["Номер"] == "OPS-1"
    assert cells["Название"] == "Подготовить отчёт «Квартал»; срочно"
    assert cells["Описание"] == "Строка 1\nСтрока 2, с запятой"
    assert cells["Статус"] == "К выполнению" and cells["Приоритет"] == "Срочный"
    assert cells["Метки"] == "финансы, отчёты"
    assert cells["Исполнитель"] == "Editor" and cells["Email исполнителя"] == team.editor.email
    assert cells["Автор"] == "Owner"
    assert cells["Срок"] == "2026-05-01 18:00", "times are in the user's zone (Moscow)"


async def test_language_and_separator_can_be_chosen(team: Team) -> None:
    await team.task(title="Report", status="done")
    rows = parse(await export(team, {"language": "en", "delimiter": ","}), ",")
    assert rows[0][:4] == ["Key", "Title", "Status", "Overdue"]
    assert rows[1][2:4] == ["Done", "no"]


async def test_cells_that_look_like_formulas_are_neutralised(team: Team) -> None:
    await team.task(title='=HYPERLINK("http://evil")')
    rows = parse(await export(team), ";")
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


async def test_the_export_has_exactly_what_the_list_shows_with_the_same_filters(team: Team) -> None:
    await team.task(title="Open one")
    await team.task(title="Finished one", status="done")
    await team.task(title="Urgent finished", status="done", priority="urgent")
    await team.outsider_project_task("Not yours")
    params = {"status": "done", "sort": "number"}
    listed = await team.client.get("/api/v1/tasks", params=params, headers=team.owner.headers)
    titles = [t["title"] for t in listed.json()["items"]]
    rows = parse(await export(team, params), ";")
    assert [r[1] for r in rows[1:]] == titles == ["Finished one", "Urgent finished"]
    everything = parse(await export(team, {"sort": "number"}), ";")
    assert [r[1] for r in everything[1:]] == ["Open one", "Finished one", "Urgent finished"]
    viewer = parse(await export(team, {"priority": "urgent"}, by=team.viewer), ",")
    assert [r[1] for r in viewer[1:]] == ["Urgent finished"]


async def test_administrators_export_every_project(team: Team) -> None:
    await team.task(title="Ours")
    await team.outsider_project_task("Theirs")
    admin = await team.api.user("Root", admin=True)
    rows = parse(await export(team, {"sort": "number"}, by=admin), ",")
    assert sorted(r[1] for r in rows[1:]) == ["Ours", "Theirs"]


async def test_exporting_a_project_one_cannot_see_is_404(team: Team) -> None:
    other = await team.outsider_project()
    resp = await team.client.post(
        "/api/v1/jobs",
        json={"kind": "export_tasks_csv", "params": {"project": other}},
        headers=team.owner.headers,
    )
    assert resp.status_code == 404


async def test_deadline_filters_take_plain_dates_as_days_in_the_users_time_zone(team: Team) -> None:
    moscow = ZoneInfo("Europe/Moscow")  # the users' default zone
    day = (clock.now() + timedelta(days=10)).astimezone(moscow).date()
    midnight = datetime.combine(day, time(), tzinfo=moscow)
    await team.task(title="Day before", deadline=(midnight - timedelta(minutes=1)).isoformat())
    await team.task(title="On the day", deadline=(midnight + timedelta(hours=18)).isoformat())
    await team.task(title="Day after", deadline=(midnight + timedelta(days=1)).isoformat())
    params = {"deadline_from": day.isoformat(), "deadline_to": day.isoformat(), "sort": "deadline"}
    rows = parse(await export(team, params), ";")
    assert [r[1] for r in rows[1:]] == ["On the day"]
    bad = await team.client.post(
        "/api/v1/jobs",
        json={"kind": "export_tasks_csv", "params": {"deadline_to": "31.12.2026"}},
        headers=team.owner.headers,
    )
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["params.deadline_to"]
