"""A ``workhub worker`` killed with SIGKILL during an export: after a restart the job completes, whole.

The worker is a real process with the ``slowexport`` test plugin installed
(exports crawl: two tasks and a quarter of a second per step), so the test
can kill it half-way through. The job is enqueued with a two-second
heartbeat, so the restarted worker takes the abandoned job back quickly
(in production the heartbeat is 30 s).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.integration.jobs.conftest import Team
from tests.integration.kernel.conftest import write_distribution
from tests.support import server_env
from workhub.jobs.runner import RUN_JOB
from workhub.kernel.queue import SaqQueue
from workhub.settings import Settings

REPO = Path(__file__).resolve().parents[3]
WORKHUB = Path(sys.executable).with_name("workhub")
TASKS = 40


class Worker:
    """``workhub worker`` with the slow-export plugin, restartable; output goes to a log file."""

    def __init__(self, settings: Settings, tmp_path: Path, jobs_dir: Path) -> None:
        assert settings.database_url and settings.redis_url
        site = write_distribution(
            tmp_path / "site",
            {"slowexport": "tests.integration.jobs.slow_export:plugin"},
            name="workhub-slow",
        )
        self.env = server_env(
            settings,
            PYTHONPATH=os.pathsep.join([str(site), str(REPO)]),
            WORKHUB_PLUGINS="slowexport",
            WORKHUB_DATA_DIR=str(tmp_path / "data"),
            WORKHUB_JOBS_DIR=str(jobs_dir),
            WORKHUB_DB_POOL_SIZE="3",
            WORKHUB_WORKER_SWEEP_SECONDS="1",
        )
        self.log_path = tmp_path / "worker.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                str(WORKHUB), "worker", env=self.env, stdout=log, stderr=log
            )

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        return await asyncio.wait_for(self.proc.wait(), timeout=30)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""


@pytest.fixture
async def worker(settings: Settings, tmp_path: Path, jobs_dir: Path) -> AsyncIterator[Worker]:
    process = Worker(settings, tmp_path, jobs_dir)
    yield process
    if process.proc is not None and process.proc.returncode is None:
        await process.stop(signal.SIGKILL)


async def eventually(check: Callable[[], Awaitable[bool]], what: str, worker: Worker, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"{what} did not happen within {within}s; worker log:\n{worker.log()}")


async def test_an_export_killed_half_way_completes_after_a_restart_with_a_whole_file(
    team: Team, worker: Worker, settings: Settings, jobs_dir: Path
) -> None:
    for n in range(1, TASKS + 1):
        await team.task(title=f"Задача {n}")
    job = await team.start("export_tasks_csv", {"sort": "number"})
    assert settings.redis_url
    queue = SaqQueue(settings.redis_url, heartbeat=2)
    await queue.connect()
    try:
        # What the job.created subscriber does, with a short heartbeat (its own enqueue is then a no-op).
        await queue.enqueue(RUN_JOB, key=job["id"], job_id=job["id"])
    finally:
        await queue.disconnect()
    state: dict[str, Any] = {}

    async def progressed(at_least: int) -> bool:
        state.update(await team.get(job["id"]))
        return state["status"] == "active" and state["progress"] >= at_least

    await worker.start()
    await eventually(lambda: progressed(20), "the export getting under way", worker, 60)
    await worker.stop(signal.SIGKILL)
    killed = await team.get(job["id"])
    assert killed["status"] == "active" and 20 <= killed["progress"] < 100
    assert killed["result_url"] is None
    assert not list((jobs_dir / "results").glob("*.csv")), "no half file may appear as a result"

    await worker.start()

    async def completed() -> bool:
        return (await team.get(job["id"]))["status"] == "completed"

    await eventually(completed, "the export completing after the restart", worker, 90)
    rows = list(
        csv.reader(io.StringIO((await team.result(job["id"])).decode("utf-8-sig"), newline=""), delimiter=";")
    )
    assert rows[0][0] == "Номер"
    assert [r[0] for r in rows[1:]] == [f"OPS-{n}" for n in range(1, TASKS + 1)]
    assert [r[1] for r in rows[1:]] == [f"Задача {n}" for n in range(1, TASKS + 1)]
    assert not list((jobs_dir / "results").glob("*.part")), "the temporary file was renamed into place"
    assert (await team.get(job["id"]))["progress"] == 100
    assert await worker.stop() == 0, worker.log()
