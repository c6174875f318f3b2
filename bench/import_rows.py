"""Benchmark the CSV import: ``python -m bench.import_rows [--rows 100000] [--seed 42] [--keep]``.

A fresh embedded PostgreSQL and Redis in a temporary directory, migrations,
a small generated dataset (:mod:`bench.data`: 30 users, 10 projects, no
tasks), then a CSV file of ``--rows`` rows written where ``POST
/api/v1/jobs/uploads`` puts an upload: titles, descriptions, statuses and
priorities by their Russian names, deadlines as ``01.05.2026 18:00``, the
project's members as assignees by email, labels. A real ``workhub worker``
process starts and settles; its peak memory so far is reset, as in
:mod:`bench.export`. Then an ``import_tasks_csv`` job is started the way the
API starts one and the worker runs it: every row checked, then every task
created in one transaction. Reported: the time from the job's creation to
its completion, rows a second, the progress figures seen while it ran
(polled every 200 ms), the tasks in the project afterwards, and the worker's
resident memory (sampled every 50 ms, and its exact peak, ``VmHWM``). The
JSON summary goes to ``bench/results/import-<rows>.json``. See
``docs/performance.md``. The import refuses files of more than 100,000 rows,
and so does this benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import random
import secrets
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from bench import procfs
from bench.data import Shape, generate, load
from bench.export import ROOT, TARGET_RSS_MIB, WARM_UP, WORKHUB, _job_state, _mib, _peak_rss, _Sampler

__all__ = ("main",)

MAX_ROWS = 100_000
"""The import's own limit (``workhub.jobs.importer.MAX_ROWS``)."""
_TITLES = (
    "Позвонить клиенту",
    "Подготовить отчёт",
    "Согласовать договор",
    "Fix the login page",
    "Review the PR",
)
_STATUSES = ("К выполнению", "В работе", "Готово", "todo", "in_progress")
_PRIORITIES = ("Низкий", "Обычный", "Высокий", "urgent", "normal")
_LABELS = ("продажи", "звонки", "backend", "docs", "finance")


def write_file(path: Path, rows: int, emails: list[str], seed: int) -> int:
    """A CSV as Russian Excel saves one (UTF-8 with a BOM, ``;``); returns its size in bytes."""
    rng = random.Random(seed)
    start = datetime(2027, 1, 1)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        out.writerow(["Название", "Описание", "Статус", "Приоритет", "Срок", "Email исполнителя", "Метки"])
        for n in range(rows):
            deadline = start + timedelta(hours=rng.randrange(24 * 365))
            out.writerow(
                [
                    f"{rng.choice(_TITLES)} №{n + 1}",
                    "Подробности в письме; ответить до пятницы." if rng.random() < 0.5 else "",
                    rng.choice(_STATUSES),
                    rng.choice(_PRIORITIES),
                    deadline.strftime("%d.%m.%Y %H:%M") if rng.random() < 0.7 else "",
                    rng.choice(emails) if rng.random() < 0.8 else "",
                    ", ".join(rng.sample(_LABELS, rng.randrange(3))),
                ]
            )
    return path.stat().st_size


async def _owner_and_members(database_url: str, project_id: UUID) -> tuple[UUID, list[str]]:
    import asyncpg

    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        rows = await conn.fetch(
            "SELECT u.id, u.email, m.role FROM project_member m JOIN user_account u ON u.id = m.user_id"
            " WHERE m.project_id = $1 ORDER BY m.role = 'owner' DESC, u.email",
            project_id,
        )
        return rows[0]["id"], [row["email"] for row in rows]
    finally:
        await conn.close()


async def _count_tasks(database_url: str, project_id: UUID) -> int:
    import asyncpg

    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM task WHERE project_id = $1", project_id))
    finally:
        await conn.close()


async def _start_job(database_url: str, user_id: UUID, params: dict[str, Any]) -> UUID:
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
                job = await JobService(session=session).start(user_id, "import_tasks_csv", params)
        return job.id
    finally:
        await config.get_engine().dispose()


def run(rows: int, seed: int, tmp: Path) -> dict[str, Any]:
    """One project, one file, one import; returns the measurements."""
    from workhub.jobs.files import upload_path
    from workhub.kernel.db import new_id
    from workhub.kernel.embedded import start_postgres, start_redis, stop_server
    from workhub.migrate import upgrade
    from workhub.settings import Settings

    handles: list[Any] = []
    worker: subprocess.Popen[bytes] | None = None
    try:
        pg, database_url = start_postgres(tmp / "pg", database="bench_import")
        handles.append(pg)
        redis, redis_url = start_redis(tmp / "redis")
        handles.append(redis)
        upgrade(database_url)
        data = generate(Shape(tasks=0, projects=10, users=30), seed)
        asyncio.run(load(database_url, data))
        project = max(data.info, key=lambda info: len(info.members))
        owner, emails = asyncio.run(_owner_and_members(database_url, project.id))
        jobs_dir = tmp / "jobs"
        upload_id = new_id()
        upload = upload_path(Settings(jobs_dir=str(jobs_dir)), owner, upload_id)
        upload.parent.mkdir(parents=True, exist_ok=True)
        size = write_file(upload, rows, emails, seed)
        print(f"{rows:,} rows written ({_mib(size)} MiB), project {project.key}", flush=True)
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
        time.sleep(WARM_UP)
        idle = procfs.rss_bytes([worker.pid])
        peak_before = _peak_rss(worker.pid)
        Path(f"/proc/{worker.pid}/clear_refs").write_text("5")
        sampler = _Sampler(worker.pid)
        sampler.start()
        started = time.monotonic()
        params = {"project_id": str(project.id), "upload_id": str(upload_id)}
        job_id = asyncio.run(_start_job(database_url, owner, params))
        state: dict[str, Any] = {}
        progress: list[int] = []
        while time.monotonic() - started < 3600:
            state = asyncio.run(_job_state(database_url, job_id))
            if state.get("progress") is not None and (not progress or progress[-1] != state["progress"]):
                progress.append(int(state["progress"]))
            if state.get("status") in ("completed", "failed", "cancelled"):
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        sampler.stop.set()
        sampler.join()
        peak = _peak_rss(worker.pid)
        if state.get("status") != "completed":
            raise RuntimeError(
                f"the import did not complete: {state}\n{(tmp / 'worker.log').read_text()[-3000:]}"
            )
        imported = asyncio.run(_count_tasks(database_url, project.id))
        database_seconds = (state["finished_at"] - state["created_at"]).total_seconds()
        return {
            "rows": rows,
            "file_mib": _mib(size),
            "tasks_imported": imported,
            "seconds_wall": round(elapsed, 2),
            "seconds_created_to_finished": round(database_seconds, 2),
            "rows_per_second": round(rows / database_seconds) if database_seconds else None,
            "progress_seen": progress,
            "worker_rss_idle_mib": _mib(idle),
            "worker_rss_sampled_max_mib": _mib(sampler.highest),
            "worker_rss_peak_start_up_mib": _mib(peak_before),
            "worker_rss_peak_import_mib": _mib(peak),
            "target_rss_mib": TARGET_RSS_MIB,
            "import_meets_target": _mib(peak) < TARGET_RSS_MIB,
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
    """Run the import benchmark; returns the exit code (1 when the memory target is missed)."""
    parser = argparse.ArgumentParser(description="Benchmark the CSV import of tasks.")
    parser.add_argument("--rows", type=int, default=MAX_ROWS, help=f"at most {MAX_ROWS:,}")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    options = parser.parse_args(argv)
    if not 0 < options.rows <= MAX_ROWS:
        parser.error(f"--rows must be between 1 and {MAX_ROWS:,}")
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp/runtime-0")
    tmp = Path(tempfile.mkdtemp(prefix="workhub-bench-import-"))
    try:
        result = run(options.rows, options.seed, tmp)
    finally:
        if not options.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    summary = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": procfs.machine(),
        "result": result,
    }
    out = ROOT / "bench" / "results" / f"import-{options.rows}.json"
    out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if result["import_meets_target"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
