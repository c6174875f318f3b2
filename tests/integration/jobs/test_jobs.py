"""User jobs through the API: start, list, read, cancel, access, progress, results and their expiry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from tests.integration.jobs.conftest import Team
from tests.support import in_app, read
from workhub.audit.models import AuditRecord
from workhub.jobs import exporters
from workhub.jobs.access import job_owned_by, resolve_job_access
from workhub.jobs.runner import clean_up
from workhub.jobs.services import JobService
from workhub.jobs.work import JobCancelledError, Progress
from workhub.kernel.clock import clock


def csv_files(root: Path) -> list[Path]:
    """Every result or partial file under the jobs directory."""
    return list(root.rglob("*.csv*"))


async def test_start_list_and_read_a_job(team: Team) -> None:
    job = await team.start("export_tasks_csv", {"status": "todo"})
    assert job["status"] == "queued" and job["progress"] == 0 and job["result_url"] is None
    assert job["params"]["status"] == "todo"
    second = await team.start("export_stats_csv", {"from": "2026-01-01", "to": "2026-01-31"})
    resp = await team.client.get("/api/v1/jobs", params={"limit": 1}, headers=team.owner.headers)
    page = resp.json()
    assert [j["id"] for j in page["items"]] == [second["id"]]
    resp = await team.client.get(
        "/api/v1/jobs", params={"cursor": page["next_cursor"]}, headers=team.owner.headers
    )
    assert [j["id"] for j in resp.json()["items"]] == [job["id"]]
    assert (await team.get(job["id"]))["kind"] == "export_tasks_csv"
    mine = await team.client.get("/api/v1/jobs", headers=team.editor.headers)
    assert mine.json()["items"] == []


async def test_other_users_cannot_see_touch_or_download_a_job(team: Team) -> None:
    await team.task(title="Secret")
    job = await team.start("export_tasks_csv")
    await team.work()
    admin = await team.api.user("Root", admin=True)
    for user in (team.editor, team.outsider, admin):
        for method, suffix in (("GET", ""), ("POST", "/cancel"), ("GET", "/result")):
            resp = await team.client.request(
                method, f"/api/v1/jobs/{job['id']}{suffix}", headers=user.headers
            )
            assert resp.status_code == 404, (user.name, suffix, resp.text)
    assert b"Secret" in await team.result(job["id"])


async def test_only_the_owner_may_join_the_job_room(team: Team) -> None:
    job = await team.start("export_tasks_csv")
    job_id = UUID(job["id"])

    async def check(session: Any) -> tuple[bool, bool, Any, Any]:
        return (
            await job_owned_by(session, job_id, team.owner.id),
            await job_owned_by(session, job_id, team.editor.id),
            await resolve_job_access(session, job_id, team.owner.id),
            await resolve_job_access(session, job_id, team.editor.id),
        )

    mine, theirs, access, none = await read(team.client, check)
    assert mine and not theirs and none is None
    assert access is not None and access.role == "viewer"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"kind": "mine_bitcoin", "params": {}}, "unknown_job_kind", "kind"),
        ({"kind": "export_tasks_csv", "params": {"status": "bogus"}}, "invalid_job_params", "params.status"),
        ({"kind": "export_tasks_csv", "params": {"colour": "red"}}, "invalid_job_params", "params.colour"),
        (
            {"kind": "export_tasks_csv", "params": {"delimiter": "|"}},
            "invalid_job_params",
            "params.delimiter",
        ),
        ({"kind": "export_stats_csv", "params": {"from": "2026-02-01"}}, "invalid_job_params", "params.to"),
        (
            {"kind": "export_stats_csv", "params": {"from": "2026-02-01", "to": "2026-01-01"}},
            "invalid_job_params",
            "params.to",
        ),
        (
            {"kind": "import_tasks_csv", "params": {"project_id": "x", "upload_id": "y"}},
            "invalid_job_params",
            "params.project_id",
        ),
    ],
)
async def test_bad_kinds_and_params_are_422_with_a_code(
    team: Team, body: dict[str, Any], code: str, field: str
) -> None:
    resp = await team.client.post("/api/v1/jobs", json=body, headers=team.owner.headers)
    assert resp.status_code == 422, resp.text
    problem = resp.json()
    assert problem["code"] == code
    assert field in [e["field"] for e in problem["errors"]]
    assert problem["title"] == "Неверные параметры задания" or code == "unknown_job_kind"


async def test_a_queued_job_is_cancelled_and_never_runs(team: Team, jobs_dir: Path) -> None:
    job = await team.start("export_tasks_csv")
    resp = await team.client.post(f"/api/v1/jobs/{job['id']}/cancel", headers=team.owner.headers)
    assert resp.status_code == 200 and resp.json()["status"] == "cancelled"
    await team.work()
    after = await team.get(job["id"])
    assert after["status"] == "cancelled" and after["result_url"] is None
    assert not csv_files(jobs_dir)
    again = await team.client.post(f"/api/v1/jobs/{job['id']}/cancel", headers=team.owner.headers)
    assert again.status_code == 409 and again.json()["code"] == "job_not_cancellable"
    result = await team.client.get(f"/api/v1/jobs/{job['id']}/result", headers=team.owner.headers)
    assert result.status_code == 409 and result.json()["code"] == "result_not_ready"


async def test_a_running_job_stops_at_its_next_step_and_leaves_no_file(
    team: Team, jobs_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(12):
        await team.task(title=f"Task {n}")
    monkeypatch.setattr(exporters, "EXPORT_BATCH", 2)
    monkeypatch.setattr(Progress, "interval", 0.0)
    job = await team.start("export_tasks_csv")
    client = team.client

    async def cancel_midway(event: str, data: Any, room: str) -> None:
        if event == "job.progress" and data["progress"] > 0 and data["status"] == "active":
            team.broadcaster.hooks.clear()
            async with client.app.state.db_config.get_session() as session:
                await JobService(session=session).cancel(UUID(job["id"]), team.owner.id)
                await session.commit()

    team.broadcaster.hooks.append(cancel_midway)
    await team.work()
    after = await team.get(job["id"])
    assert after["status"] == "cancelled"
    assert after["result_url"] is None
    progress = [d["progress"] for e, d, _ in team.broadcaster.emitted if e == "job.progress"]
    assert 0 < max(progress) < 100
    assert not csv_files(jobs_dir), "the partial file was left behind"


async def test_progress_is_persisted_monotonic_and_emitted_to_the_job_room(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(20):
        await team.task(title=f"Task {n}")
    monkeypatch.setattr(exporters, "EXPORT_BATCH", 3)
    monkeypatch.setattr(Progress, "interval", 0.0)
    job = await team.start("export_tasks_csv")
    seen_in_db: list[tuple[int, int]] = []

    async def compare(event: str, data: Any, room: str) -> None:
        if event == "job.progress" and data["status"] == "active":
            async with team.client.app.state.db_config.get_session() as session:
                row = await JobService(session=session).owned(UUID(job["id"]), team.owner.id)
                seen_in_db.append((data["progress"], row.progress))

    team.broadcaster.hooks.append(compare)
    await team.work()
    frames = [(d["progress"], room) for e, d, room in team.broadcaster.emitted if e == "job.progress"]
    assert {room for _, room in frames} == {f"job:{job['id']}"}
    values = [p for p, _ in frames]
    assert values == sorted(values) and len(set(values)) >= 5, values
    assert all(emitted == stored for emitted, stored in seen_in_db), seen_in_db
    done = await team.get(job["id"])
    assert done["status"] == "completed" and done["progress"] == 100
    assert done["started_at"] and done["finished_at"]


async def test_finishing_notifies_the_owner_publishes_job_finished_and_audits(team: Team) -> None:
    await team.task(title="One")
    job = await team.start("export_tasks_csv")
    await team.work()

    async def audited(session: Any) -> list[str]:
        stmt = (
            select(AuditRecord.action)
            .where(AuditRecord.entity_id == UUID(job["id"]))
            .order_by(AuditRecord.id)
        )
        return list((await session.scalars(stmt)).all())

    assert await read(team.client, audited) == ["job.created", "job.finished"]
    resp = await team.client.get("/api/v1/notifications", headers=team.owner.headers)
    assert resp.status_code == 200, resp.text
    (note,) = [n for n in resp.json()["items"] if n["kind"] == "job_finished"]
    assert note["title"] == "Экспорт задач: выполнено"
    assert note["link"] == f"/jobs/{job['id']}"  # the dashboard page of the job
    assert "Выгружена 1 задача" in note["body"]  # the singular form
    # the broadcast of job.finished goes to the job's room and the owner's room
    rooms = [b.rooms for b in team.client.app.state.registry.broadcasts if b.event == "job.finished"]
    done = await team.get(job["id"])
    event = type("E", (), {"entity_id": UUID(job["id"]), "job": type("J", (), {"user_id": team.owner.id})})
    assert list(rooms[0](event)) == [f"job:{done['id']}", f"user:{team.owner.id}"]


async def test_a_result_expires_after_seven_days_and_the_cleanup_deletes_it(
    team: Team, jobs_dir: Path
) -> None:
    await team.task(title="One")
    job = await team.start("export_tasks_csv")
    await team.work()
    done = await team.get(job["id"])
    assert done["result_url"] == f"/api/v1/jobs/{job['id']}/result"
    files = list((jobs_dir / "results").glob("*.csv"))
    assert len(files) == 1
    clock.shift(timedelta(days=6, hours=23))
    assert await team.result(job["id"])
    clock.shift(timedelta(hours=2))
    resp = await team.client.get(f"/api/v1/jobs/{job['id']}/result", headers=team.owner.headers)
    assert resp.status_code == 410 and resp.json()["code"] == "result_expired"
    assert (await team.get(job["id"]))["result_url"] is None
    registry = team.client.app.state.registry
    await in_app(team.client, lambda: clean_up({"registry": registry}))
    assert not files[0].exists()
    resp = await team.client.get(f"/api/v1/jobs/{job['id']}/result", headers=team.owner.headers)
    assert resp.status_code == 410


async def test_a_newer_run_takes_over_and_the_older_one_stops(team: Team, jobs_dir: Path) -> None:
    """Two runs of one job (a duplicate delivery, a run thought dead): the newest owns the row."""
    job = await team.start("export_tasks_csv")
    job_id = UUID(job["id"])
    app = team.client.app

    async def two_runs() -> tuple[int, int, bool, Any]:
        runtime = app.state.registry.runtime
        async with app.state.db_config.get_session() as session:
            first = await JobService(session=session).claim(job_id)
            await session.commit()
        async with app.state.db_config.get_session() as session:
            second = await JobService(session=session).claim(job_id)
            await session.commit()
        assert first is not None and second is not None
        try:
            await Progress(runtime, job_id, first.attempts).set(10, force=True)
            older_stopped = False
        except JobCancelledError:
            older_stopped = True
        await Progress(runtime, job_id, second.attempts).set(20, force=True)
        async with app.state.db_config.get_session() as session:
            late = await JobService(session=session).finish(
                job_id, first.attempts, status="completed", message=None, notifier=runtime.notifier
            )
            await session.commit()
        return first.attempts, second.attempts, older_stopped, late

    first, second, older_stopped, late = await in_app(team.client, two_runs)
    assert (first, second) == (1, 2)
    assert older_stopped, "the older run learns at its next step that it no longer owns the job"
    assert late is None, "nor can it finish the job"
    state = await team.get(job["id"])
    assert (state["status"], state["progress"], state["attempts"]) == ("active", 20, 2)
