"""Benchmark the CSV export: ``python -m bench.export [--tasks 100000] [--seed 42] [--keep]``.

A fresh embedded PostgreSQL and Redis in a temporary directory, migrations,
the generated dataset (:mod:`bench.data`), one user made an administrator
(so they see every task), then a real ``workhub worker`` process. Once the
worker has settled, its resident memory and its start-up peak (``VmHWM``)
are read and the peak is reset (``/proc/<pid>/clear_refs``). Then an
``export_tasks_csv`` job is started the way the API starts one (a ``job``
row and its ``job.created`` event) and the worker's relay and runner take it
from there. Reported: the time from the job's creation to its completion,
the file's size and rows, and the worker's resident memory during the export
(sampled every 50 ms, and its exact peak, ``VmHWM``). The JSON summary goes
to ``bench/results/export-<tasks>.json``. See ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from bench import procfs
from bench.data import Shape, generate, load

__all__ = ("main",)

ROOT = Path(__file__).resolve().parents[1]
WORKHUB = Path(sys.executable).with_name("workhub")
TARGET_RSS_MIB = 150.0
WARM_UP = 15.0
"""Seconds the worker gets to start and settle before the export."""


def _mib(value: float) -> float:
    return round(value / 2**20, 1)


def _peak_rss(pid: int) -> int:
    """``VmHWM``: the most resident memory the process ever had, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


async def _make_admin(database_url: str, user_id: UUID) -> None:
    import asyncpg

    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute("UPDATE user_account SET role = 'admin' WHERE id = $1", user_id)
    finally:
        await conn.close()


async def _start_job(database_url: str, user_id: UUID) -> UUID:
    """What ``POST /api/v1/jobs`` does: the row and its ``job.created`` event, committed together."""
    from workhub.jobs.services import JobService
    from workhub.kernel.context import Actor, acting_as
    from workhub.kernel.db import session_scope
    from workhub.process import build_registry, process_db_config
    from workhub.settings import Settings

    settings = Settings(env="dev", database_url=database_url, redis_url="redis://unused", plugins="")
    config = process_db_config(settings, build_registry(settings), pool_size=1)
    try:
        with acting_as(Actor(kind="user", id=user_id)):
            async with session_scope(config) as session:
                job = await JobService(session=session).start(user_id, "export_tasks_csv", {"delimiter": ","})
        return job.id
    finally:
        await config.get_engine().dispose()


async def _job_state(database_url: str, job_id: UUID) -> dict[str, Any]:
    import asyncpg

    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        row = await conn.fetchrow(
            "SELECT status, progress, error, result_path, result_size, created_at, finished_at FROM job WHERE id = $1",
            job_id,
        )
        return dict(row) if row else {}
    finally:
        await conn.close()


class _Sampler(threading.Thread):
    """Reads the worker's resident memory every 50 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.highest = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.highest = max(self.highest, procfs.rss_bytes([self.pid]))
            time.sleep(0.05)


def run(tasks: int, seed: int, tmp: Path) -> dict[str, Any]:
    """One dataset, one export; returns the measurements."""
    from workhub.kernel.embedded import start_postgres, start_redis, stop_server
    from workhub.migrate import upgrade

    handles: list[Any] = []
    worker: subprocess.Popen[bytes] | None = None
    try:
        pg, database_url = start_postgres(tmp / "pg", database="bench_export")
        handles.append(pg)
        redis, redis_url = start_redis(tmp / "redis")
        handles.append(redis)
        upgrade(database_url)
        data = generate(Shape.for_tasks(tasks), seed)
        loaded = asyncio.run(load(database_url, data))
        print(f"{tasks:,} tasks generated and loaded in {loaded:.1f}s", flush=True)
        admin = data.users[0][0]
        asyncio.run(_make_admin(database_url, admin))
        jobs_dir = tmp / "jobs"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
            "WORKHUB_ENV": "prod",
            "WORKHUB_SECRET_KEY": secrets.token_urlsafe(48),
            "WORKHUB_DATABASE_URL": database_url,
            "WORKHUB_REDIS_URL": redis_url,
            "WORKHUB_JOBS_DIR": str(jobs_dir),
            "WORKHUB_PLUGINS": "",
        }
        log = (tmp / "worker.log").open("wb")
        worker = subprocess.Popen([str(WORKHUB), "worker"], env=env, stdout=log, stderr=log)
        time.sleep(WARM_UP)  # started, connected, its start-up cron ticks done: idle
        idle = procfs.rss_bytes([worker.pid])
        peak_before = _peak_rss(worker.pid)
        # Reset the high-water mark, so VmHWM afterwards is the peak of the export alone.
        Path(f"/proc/{worker.pid}/clear_refs").write_text("5")
        sampler = _Sampler(worker.pid)
        sampler.start()
        started = time.monotonic()
        job_id = asyncio.run(_start_job(database_url, admin))
        state: dict[str, Any] = {}
        while time.monotonic() - started < 900:
            state = asyncio.run(_job_state(database_url, job_id))
            if state.get("status") in ("completed", "failed", "cancelled"):
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        sampler.stop.set()
        sampler.join()
        peak = _peak_rss(worker.pid)
        if state.get("status") != "completed":
            raise RuntimeError(
                f"the export did not complete: {state}\n{(tmp / 'worker.log').read_text()[-3000:]}"
            )
        path = Path(str(state["result_path"]))
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = sum(1 for _ in csv.reader(handle)) - 1
        database_seconds = (state["finished_at"] - state["created_at"]).total_seconds()
        return {
            "tasks_generated": tasks,
            "rows_exported": rows,
            "file_mib": _mib(int(state["result_size"])),
            "seconds_wall": round(elapsed, 2),
            "seconds_created_to_finished": round(database_seconds, 2),
            "rows_per_second": round(rows / database_seconds) if database_seconds else None,
            "worker_rss_idle_mib": _mib(idle),
            "worker_rss_sampled_max_mib": _mib(sampler.highest),
            "worker_rss_peak_start_up_mib": _mib(peak_before),
            "worker_rss_peak_export_mib": _mib(peak),
            "target_rss_mib": TARGET_RSS_MIB,
            "export_meets_target": _mib(peak) < TARGET_RSS_MIB,
        }
    finally:
        if worker is not None:
            worker.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.wait(timeout=30)
            if worker.poll() is None:
                worker.kill()
        for handle in reversed(handles):
            with contextlib.suppress(Exception):
                stop_server(handle)


def main(argv: list[str] | None = None) -> int:
    """Run the export benchmark; returns the exit code (1 when the memory target is missed)."""
    parser = argparse.ArgumentParser(description="Benchmark the CSV export of tasks.")
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    options = parser.parse_args(argv)
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp/runtime-0")
    tmp = Path(tempfile.mkdtemp(prefix="workhub-bench-export-"))
    try:
        result = run(options.tasks, options.seed, tmp)
    finally:
        if not options.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    summary = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": procfs.machine(),
        "result": result,
    }
    out = ROOT / "bench" / "results" / f"export-{options.tasks}.json"
    out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if result["export_meets_target"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
