"""Failed background jobs: kept after SAQ would forget them, listed for administrators, retried."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.integration.jobs.conftest import Team
from tests.support import in_app, read
from workhub.audit.models import AuditRecord
from workhub.jobs import runner
from workhub.jobs.work import JobContext, JobFailedError, Outcome


async def test_a_failed_job_is_listed_for_admins_and_runs_again_on_retry(team: Team) -> None:
    app = team.client.app
    runs: list[str] = []

    async def flaky(ctx: dict[str, Any], *, order: str) -> None:
        runs.append(order)
        if len(runs) == 1:
            raise RuntimeError("boom: the supplier's API is down")

    app.state.registry.jobs["probe.flaky"] = flaky
    await in_app(
        team.client, lambda: app.state.queue.saq.enqueue("probe.flaky", key="probe-1", retries=1, order="A-1")
    )
    await team.work()
    assert runs == ["A-1"]
    admin = await team.api.user("Root", admin=True)

    member = await team.client.get("/api/v1/admin/jobs/failed", headers=team.owner.headers)
    assert member.status_code == 403
    resp = await team.client.get("/api/v1/admin/jobs/failed", headers=admin.headers)
    assert resp.status_code == 200, resp.text
    page = resp.json()
    assert page["total"] == 1 and page["next_cursor"] is None
    (failed,) = page["items"]
    assert (failed["key"], failed["function"], failed["kwargs"], failed["attempts"]) == (
        "probe-1",
        "probe.flaky",
        {"order": "A-1"},
        1,
    )
    assert "boom: the supplier's API is down" in failed["error"]
    assert failed["failed_at"] and failed["started_at"]

    forbidden = await team.client.post("/api/v1/admin/jobs/failed/probe-1/retry", headers=team.owner.headers)
    assert forbidden.status_code == 403
    retried = await team.client.post("/api/v1/admin/jobs/failed/probe-1/retry", headers=admin.headers)
    assert retried.status_code == 202, retried.text
    await team.work()
    assert runs == ["A-1", "A-1"]
    after = await team.client.get("/api/v1/admin/jobs/failed", headers=admin.headers)
    assert after.json() == {"items": [], "total": 0, "next_cursor": None}
    missing = await team.client.post("/api/v1/admin/jobs/failed/probe-1/retry", headers=admin.headers)
    assert missing.status_code == 404

    async def audited(session: Any) -> list[Any]:
        stmt = select(AuditRecord).where(AuditRecord.action == "job.retried")
        return list((await session.scalars(stmt)).all())

    (record,) = await read(team.client, audited)
    assert record.actor_id == admin.id and record.changes["key"] == [None, "probe-1"]


async def test_failed_jobs_page(team: Team) -> None:
    app = team.client.app

    async def broken(ctx: dict[str, Any]) -> None:
        raise RuntimeError("no")

    app.state.registry.jobs["probe.broken"] = broken

    async def enqueue() -> None:
        for n in range(3):
            await app.state.queue.saq.enqueue("probe.broken", key=f"broken-{n}", retries=1)

    await in_app(team.client, enqueue)
    await team.work()
    admin = await team.api.user("Root", admin=True)
    first = (
        await team.client.get("/api/v1/admin/jobs/failed", params={"limit": 2}, headers=admin.headers)
    ).json()
    assert first["total"] == 3 and len(first["items"]) == 2
    rest = await team.client.get(
        "/api/v1/admin/jobs/failed",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=admin.headers,
    )
    keys = [i["key"] for i in first["items"] + rest.json()["items"]]
    assert sorted(keys) == ["broken-0", "broken-1", "broken-2"]


async def test_an_admin_retry_of_a_failed_user_job_runs_it_from_the_start(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    await team.task(title="Отчёт")

    async def refuse(ctx: JobContext) -> Outcome:
        raise JobFailedError("not today")

    monkeypatch.setitem(runner.HANDLERS, "export_tasks_csv", refuse)
    job = await team.start("export_tasks_csv")
    await team.work()
    failed = await team.get(job["id"])
    assert (failed["status"], failed["error"]) == ("failed", "not today")
    monkeypatch.undo()
    admin = await team.api.user("Root", admin=True)
    resp = await team.client.post(f"/api/v1/admin/jobs/failed/{job['id']}/retry", headers=admin.headers)
    assert resp.status_code == 202, resp.text
    assert (await team.get(job["id"]))["status"] == "queued"
    await team.work()
    done = await team.get(job["id"])
    assert done["status"] == "completed" and done["error"] is None
    assert "Отчёт".encode() in await team.result(job["id"])
