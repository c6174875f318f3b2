"""Importing tasks from CSV: row-by-row checks, the report of rejected rows, all or nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.integration.jobs.conftest import Team
from tests.support import in_app
from workhub.jobs import importer
from workhub.jobs.runner import TIME_LIMITS
from workhub.jobs.work import Progress
from workhub.kernel.queue import TIMEOUT
from workhub.tasks.imports import TaskImporter

BOM = b"\xef\xbb\xbf"


def csv_bytes(rows: list[list[str]], delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (BOM if encoding == "utf-8" else b"") + out.getvalue().encode(encoding)


async def tasks_of(team: Team, project_id: str | None = None) -> list[dict[str, Any]]:
    resp = await team.client.get(
        f"/api/v1/projects/{project_id or team.project_id}/tasks",
        params={"sort": "number", "limit": 200},
        headers=team.owner.headers,
    )
    assert resp.status_code == 200, resp.text
    return list(resp.json()["items"])


def report(content: bytes, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=delimiter))


async def run_import(team: Team, content: bytes, **params: Any) -> dict[str, Any]:
    upload = await team.upload(content)
    job = await team.start("import_tasks_csv", {"project_id": team.project_id, "upload_id": upload, **params})
    await team.work()
    return dict(await team.get(job["id"]))


async def test_a_valid_file_becomes_tasks_through_the_tasks_service(team: Team) -> None:
    content = csv_bytes(
        [
            ["Название", "Описание", "Статус", "Приоритет", "Срок", "Email исполнителя", "Метки", "Что-то ещё"],
            ["Позвонить клиенту", "Обсудить договор", "В работе", "Высокий", "01.05.2026 18:00", team.editor.email, "продажи, звонки", "x"],
            ["Отправить счёт", "", "todo", "urgent", "2026-05-02", "", "", ""],
            ["", "", "", "", "", "", "", ""],
        ]
    )  # fmt: skip
    job = await run_import(team, content)
    assert job["status"] == "completed", job
    assert job["message"] == "Импортированы 2 задачи, отклонено 0 строк."  # plural forms of both counts
    first, second = await tasks_of(team)
    assert (first["key"], first["title"], first["status"], first["priority"]) == (
        "OPS-1",
        "Позвонить клиенту",
        "in_progress",
        "high",
    )
    assert first["assignee_id"] == str(team.editor.id) and first["labels"] == ["продажи", "звонки"]
    assert first["deadline"].startswith("2026-05-01T15:00:00"), (
        "a time without a zone is in the user's (Moscow)"
    )
    assert first["source"] == "import" and first["creator_id"] == str(team.owner.id)
    assert second["deadline"].startswith("2026-05-02T20:59:00"), "a date alone is due at the end of the day"
    assert second["status"] == "todo" and second["priority"] == "urgent"
    assert report(await team.result(job["id"])) == [["Строка", "Столбец", "Значение", "Причина"]]
    history = await team.client.get(f"/api/v1/tasks/{first['id']}/history", headers=team.owner.headers)
    (created,) = [h for h in history.json()["items"] if h["action"] == "task.created"]
    assert (created["actor_kind"], created["actor_id"]) == ("user", str(team.owner.id))


BAD_ROWS = [
    ["title", "status", "deadline", "assignee"],
    ["Fine", "done", "2026-05-01T10:00:00+00:00", ""],
    ["", "todo", "", ""],
    ["Strange status", "finished", "", ""],
    ["Bad date", "", "31/12/2026", ""],
    ["Stranger", "", "", "nobody@example.com"],
]


async def test_one_rejected_row_rejects_the_file_and_the_report_says_why(team: Team) -> None:
    job = await run_import(team, csv_bytes(BAD_ROWS, delimiter=","), language="en")
    assert job["status"] == "failed"
    assert job["error"] == "4 rows were rejected, so nothing was imported; see the report."
    assert await tasks_of(team) == []
    assert job["result_url"], "the report can be downloaded"
    rows = report(await team.result(job["id"]), ",")
    assert rows == [
        ["Row", "Column", "Value", "Reason"],
        ["3", "Title", "", "A title is required"],
        ["4", "Status", "finished", "Unknown status (use To do, In progress, Done or Cancelled)"],
        ["5", "Deadline", "31/12/2026", "Not a date (use 2026-05-01 18:00 or 01.05.2026 18:00)"],
        ["6", "Assignee", "nobody@example.com", "No project member has this email"],
    ]


async def test_skip_invalid_imports_the_valid_rows_and_reports_the_rest(team: Team) -> None:
    job = await run_import(team, csv_bytes(BAD_ROWS, delimiter=","), skip_invalid=True)
    assert job["status"] == "completed"
    assert [t["title"] for t in await tasks_of(team)] == ["Fine"]
    assert len(report(await team.result(job["id"]))) == 5


async def test_a_failure_half_way_leaves_nothing_imported(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [["title"], *[[f"Task {n}"] for n in range(6)]]
    original = TaskImporter.create
    calls, broken = 0, True

    async def crash_after_three(self: TaskImporter, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if broken and calls % 4 == 0:
            raise RuntimeError("the database went away")
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(TaskImporter, "create", crash_after_three)
    job = await run_import(team, csv_bytes(rows))
    assert calls >= 4
    assert await tasks_of(team) == [], "tasks created before the crash were rolled back"
    assert (
        job["status"] == "queued" and job["message"] == "Что-то пошло не так; задание будет запущено снова."
    )
    broken = False
    for _ in range(15):  # the queue retries it after a short backoff, and it imports everything
        job = await team.get(job["id"])
        if job["status"] != "queued":
            break
        await team.work()
    assert job["status"] == "completed"
    assert [t["title"] for t in await tasks_of(team)] == [f"Task {n}" for n in range(6)]


async def test_an_export_imports_back_into_another_project(team: Team) -> None:
    await team.task(title="Счёт «Ромашке»", priority="high", labels=["финансы"], status="in_progress")
    await team.task(
        title="=SUM(A1:A2)", assignee_id=str(team.editor.id), deadline="2026-06-01T09:00:00+00:00"
    )
    export = await team.start("export_tasks_csv", {"sort": "number"})
    await team.work()
    content = await team.result(export["id"])
    other = await team.api.project(team.owner, key="NEW", name="Новый")
    await team.add_member(team.editor, "viewer", str(other["id"]))
    upload = await team.upload(content)
    job = await team.start("import_tasks_csv", {"project_id": other["id"], "upload_id": upload})
    await team.work()
    assert (await team.get(job["id"]))["status"] == "completed"
    before = await tasks_of(team)
    after = await tasks_of(team, str(other["id"]))
    fields = ("title", "status", "priority", "labels", "assignee_id", "deadline")
    assert [{f: t[f] for f in fields} for t in after] == [{f: t[f] for f in fields} for t in before]


async def test_windows_1251_files_with_commas_and_english_headers_are_read(team: Team) -> None:
    content = csv_bytes(
        [["Title", "Priority"], ["Сверить накладные", "Low"]], delimiter=",", encoding="cp1251"
    )
    job = await run_import(team, content)
    assert job["status"] == "completed", job
    (task,) = await tasks_of(team)
    assert (task["title"], task["priority"]) == ("Сверить накладные", "low")


async def test_a_file_without_a_title_column_fails_with_a_message(team: Team) -> None:
    job = await run_import(team, csv_bytes([["Описание"], ["что-то"]]))
    assert job["status"] == "failed" and job["error"] == "В файле нет столбца «Название»."
    assert job["result_url"] is None


async def test_who_may_import_where(team: Team) -> None:
    upload = await team.upload(csv_bytes([["title"], ["A"]]), by=team.viewer)
    for user, status in ((team.viewer, 403), (team.outsider, 404)):
        resp = await team.client.post(
            "/api/v1/jobs",
            json={"kind": "import_tasks_csv", "params": {"project_id": team.project_id, "upload_id": upload}},
            headers=user.headers,
        )
        assert resp.status_code == status, resp.text
    resp = await team.client.post(
        "/api/v1/jobs",
        json={"kind": "import_tasks_csv", "params": {"project_id": team.project_id, "upload_id": upload}},
        headers=team.editor.headers,
    )
    assert resp.status_code == 422 and resp.json()["code"] == "upload_not_found", "someone else's upload"
    empty = await team.client.post("/api/v1/jobs/uploads", content=b"", headers=team.owner.headers)
    assert empty.status_code == 422 and empty.json()["code"] == "empty_upload"


async def test_an_import_is_queued_with_its_kinds_time_limit(team: Team) -> None:
    job = await run_import(team, csv_bytes([["title"], ["A"]]))
    assert job["status"] == "completed", job
    app = team.client.app
    ran = await in_app(team.client, lambda: app.state.queue.saq.job(job["id"]))
    assert ran is not None and ran.timeout == TIME_LIMITS["import_tasks_csv"] == 3600 > TIMEOUT


async def test_a_file_may_have_a_hundred_thousand_rows_and_its_progress_moves_live(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit itself is checked on a small scale (bench/import_rows.py runs the 100,000 rows)."""
    assert importer.MAX_ROWS == 100_000
    monkeypatch.setattr(importer, "MAX_ROWS", 300)
    monkeypatch.setattr(Progress, "interval", 0.0)
    rows = [["title", "priority"]] + [[f"Задача {n}", "high" if n % 2 else "low"] for n in range(300)]
    job = await run_import(team, csv_bytes(rows))
    assert job["status"] == "completed", job
    assert job["message"] == "Импортировано 300 задач, отклонено 0 строк."
    pushed = [
        d["progress"]
        for e, d, _ in team.broadcaster.emitted
        if e == "job.progress" and d["status"] == "active"
    ]
    assert len(pushed) > 10 and pushed == sorted(pushed) and pushed[-1] > 90, "progress moves while it works"
    too_many = await run_import(team, csv_bytes([*rows, ["Ещё одна", "low"]]))
    assert (too_many["status"], too_many["error"]) == ("failed", "В файле больше 300 строк.")


async def test_an_upload_larger_than_ten_megabytes_is_accepted(team: Team) -> None:
    content = csv_bytes([["title", "description"]] + [[f"T{n}", "x" * 1000] for n in range(11_000)])
    assert len(content) > 10 * 2**20
    upload = await team.client.post(
        "/api/v1/jobs/uploads", content=content, headers={**team.owner.headers, "Content-Type": "text/csv"}
    )
    assert upload.status_code == 201, upload.text
    assert upload.json()["size"] == len(content)
