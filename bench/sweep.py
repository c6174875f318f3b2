"""Overdue sweep and reminder pick-up on a big table: ``python -m bench.sweep [--tasks 1000000] [--due 1000]``.

A fresh embedded PostgreSQL (sized by :data:`POSTGRES_CONFIG`) gets the
migrations and :mod:`bench.data`'s tasks (COPY), plus reminders planned the
way the module plans them (two per open, assigned task with a deadline;
those before the anchor already sent). The database is then made to look
like one that has been running (vacuumed, checkpointed, the swept tables in
shared buffers). For a few rounds, "now" is moved to the moment the next
``--due`` tasks (reminders) fall due and one run of the production function
is timed: :func:`~workhub.tasks.overdue.mark_overdue` (one statement takes
the due rows of ``task_overdue_notice``, marks them noticed and returns their
tasks; one ``task.overdue`` event with its outbox and audit rows per task) and
:func:`~workhub.tasks.reminders.deliver_due_reminders` (one statement takes
the due reminders with ``FOR UPDATE SKIP LOCKED`` and marks them sent, then a
notification per reminder). A run when nothing is due shows the fixed cost.
``EXPLAIN (ANALYZE, BUFFERS)`` of each statement (in a rolled-back
transaction) shows the index it uses. Results go to
``bench/results/sweep-<tasks>.json`` and a summary to stdout; see
``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bench.data import ANCHOR, Shape, generate, load

__all__ = ("main",)

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_MS = 200.0
POSTGRES_CONFIG = {"shared_buffers": "1GB", "wal_buffers": "16MB"}
"""A server sized for a million tasks (the defaults, 128 MB and 4 MB, are for a laptop demo)."""

_OPEN_DUE = (
    "SELECT deadline FROM task_overdue_notice WHERE noticed_at IS NULL ORDER BY deadline OFFSET $1 LIMIT 1"
)
_REMINDER_DUE = (
    "SELECT remind_at FROM task_reminder WHERE sent_at IS NULL AND skipped_at IS NULL"
    " AND remind_at IS NOT NULL ORDER BY remind_at OFFSET $1 LIMIT 1"
)
_PLAN_REMINDERS = """
INSERT INTO task_reminder (id, task_id, user_id, origin, kind, offset_minutes, remind_at, sent_at,
                           created_at, updated_at)
SELECT gen_random_uuid(), t.id, t.assignee_id, 'user', 'offset', o.minutes,
       t.deadline - make_interval(mins => o.minutes),
       CASE WHEN t.deadline - make_interval(mins => o.minutes) < $1
            THEN t.deadline - make_interval(mins => o.minutes) END,
       t.created_at, t.created_at
FROM task AS t CROSS JOIN (VALUES (1440), (60)) AS o(minutes)
WHERE t.deleted_at IS NULL AND t.assignee_id IS NOT NULL AND t.deadline IS NOT NULL
  AND (t.status IN ('todo', 'in_progress') OR t.deadline < $1)
"""


_WARM_TABLES = ("task", "task_overdue_notice", "task_reminder", "project", "user_account")
_BTREES = """
SELECT c.relname, pg_get_expr(i.indpred, i.indrelid),
       array(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) AS k)
FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indrelid
JOIN pg_class AS ic ON ic.oid = i.indexrelid JOIN pg_am AS am ON am.oid = ic.relam
WHERE c.relname = ANY($1::text[]) AND am.amname = 'btree'
"""


async def _warm(conn: asyncpg.Connection) -> None:
    """Read the swept tables and their B-tree indexes into shared buffers.

    What a server that has been serving these tables holds in memory. A bulk
    load leaves nothing there (COPY and big sequential scans go through a
    small ring of buffers), and this machine's kernel pages out file cache
    that is idle for half a minute, so without it the first rounds time the
    disk. A TID range scan reads a heap without the ring; an index-only scan
    in key order reads every leaf of an index.
    """
    await conn.execute("SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off")
    for table in _WARM_TABLES:
        await conn.fetchval(f"SELECT count(*) FROM {table} WHERE ctid >= '(0,0)'::tid")
    for table, predicate, columns in await conn.fetch(_BTREES, list(_WARM_TABLES)):
        keys = ", ".join(columns)
        where = f"WHERE {predicate}" if predicate else ""
        await conn.fetchval(f"SELECT count(*) FROM (SELECT {keys} FROM {table} {where} ORDER BY {keys}) AS s")
    await conn.execute("RESET ALL")


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _explain(conn: asyncpg.Connection, sql: str, *args: Any) -> str:
    """The executed plan of ``sql`` (rolled back, so nothing changes)."""
    tr = conn.transaction()
    await tr.start()
    try:
        rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", *args)
    finally:
        await tr.rollback()
    return "\n".join(r[0] for r in rows)


def _asyncpg_sql(sql: str) -> str:
    """A statement written for SQLAlchemy's ``text()`` with asyncpg's placeholders."""
    return sql.replace(":now", "$1").replace(":limit", "$2")


async def _run(url: str, *, due: int, rounds: int) -> dict[str, Any]:
    from workhub.kernel.heap import freeze_startup_objects
    from workhub.process import build_registry, process_db_config
    from workhub.settings import Settings
    from workhub.tasks.overdue import SWEEP_SQL, mark_overdue
    from workhub.tasks.reminders import BATCH, PICK_SQL, deliver_due_reminders

    settings = Settings(env="test", database_url=url, redis_url="redis://127.0.0.1:1/0", plugins="")
    registry = build_registry(settings, plugins=[])
    notifier = registry.notifier
    assert notifier is not None
    db = process_db_config(settings, registry, pool_size=2)  # its sessions write audit rows, as in production
    freeze_startup_objects()  # as `workhub worker` does once it is up
    conn = await asyncpg.connect(_dsn(url))
    result: dict[str, Any] = {"due": due, "rounds": rounds}
    try:
        started = time.perf_counter()
        await conn.execute(_PLAN_REMINDERS, ANCHOR)
        await conn.execute("ANALYZE task_reminder")
        result["reminders"] = await conn.fetchval("SELECT count(*) FROM task_reminder")
        result["reminders_pending"] = await conn.fetchval(
            "SELECT count(*) FROM task_reminder WHERE sent_at IS NULL"
        )
        result["reminders_seconds"] = round(time.perf_counter() - started, 1)
        # A database that has been running: rows frozen and hinted, statistics current, no
        # checkpoint or autovacuum of the bulk load still under way while the rounds are timed.
        started = time.perf_counter()
        await conn.execute("VACUUM (FREEZE, ANALYZE)")
        await conn.execute("CHECKPOINT")
        result["vacuum_seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        await _warm(conn)
        result["warm_seconds"] = round(time.perf_counter() - started, 1)
        result["tasks"] = await conn.fetchval("SELECT count(*) FROM task")
        result["tasks_with_deadline"] = await conn.fetchval(
            "SELECT count(*) FROM task WHERE deadline IS NOT NULL"
        )

        sweeps: list[dict[str, Any]] = []
        for n in range(rounds):
            now: datetime = await conn.fetchval(_OPEN_DUE, due - 1)
            if n == 0:
                result["sweep_plan"] = await _explain(conn, _asyncpg_sql(SWEEP_SQL), now, 500)
            t0 = time.perf_counter()
            marked = await mark_overdue(db, now=now)
            ms = (time.perf_counter() - t0) * 1000
            t0 = time.perf_counter()
            again = await mark_overdue(db, now=now)
            idle_ms = (time.perf_counter() - t0) * 1000
            sweeps.append({"now": now.isoformat(), "marked": marked, "ms": round(ms, 1),
                           "idle_marked": again, "idle_ms": round(idle_ms, 2)})  # fmt: skip
        result["sweep"] = sweeps

        picks: list[dict[str, Any]] = []
        for n in range(rounds):
            now = await conn.fetchval(_REMINDER_DUE, due - 1)
            if n == 0:
                result["pick_plan"] = await _explain(conn, _asyncpg_sql(PICK_SQL), now, BATCH)
            t0 = time.perf_counter()
            sent = await deliver_due_reminders(db, notifier, now=now, window=timedelta(days=3650))
            ms = (time.perf_counter() - t0) * 1000
            t0 = time.perf_counter()
            again = await deliver_due_reminders(db, notifier, now=now, window=timedelta(days=3650))
            idle_ms = (time.perf_counter() - t0) * 1000
            picks.append({"now": now.isoformat(), "sent": sent, "ms": round(ms, 1),
                          "idle_sent": again, "idle_ms": round(idle_ms, 2)})  # fmt: skip
        result["reminders_run"] = picks
        result["notifications"] = await conn.fetchval("SELECT count(*) FROM notification")
    finally:
        await conn.close()
        await db.get_engine().dispose()
    return result


def _summary(result: dict[str, Any]) -> str:
    sweep_ms = [r["ms"] for r in result["sweep"]]
    pick_ms = [r["ms"] for r in result["reminders_run"]]
    lines = [
        f"tasks: {result['tasks']:,} ({result['tasks_with_deadline']:,} with a deadline); "
        f"reminders: {result['reminders']:,} ({result['reminders_pending']:,} pending)",
        "",
        "| run | due | median ms | runs (ms) | nothing due (ms) | target |",
        "|---|---|---|---|---|---|",
        f"| overdue sweep | {[r['marked'] for r in result['sweep']]} | {statistics.median(sweep_ms):.0f} "
        f"| {sweep_ms} | {[r['idle_ms'] for r in result['sweep']]} | < {TARGET_MS:.0f} |",
        f"| reminder pick-up | {[r['sent'] for r in result['reminders_run']]} | {statistics.median(pick_ms):.0f} "
        f"| {pick_ms} | {[r['idle_ms'] for r in result['reminders_run']]} | < {TARGET_MS:.0f} |",
        "",
        "overdue sweep plan:",
        result["sweep_plan"],
        "",
        "reminder pick-up plan:",
        result["pick_plan"],
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Build the database, run the rounds, print and save the results."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.sweep", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1000, help="tasks (reminders) falling due per run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)

    from workhub.kernel.embedded import start_postgres, stop_server
    from workhub.migrate import upgrade

    tmp = Path(tempfile.mkdtemp(prefix="workhub-sweep-"))
    pg, url = start_postgres(tmp / "pg", database="bench_sweep", config=POSTGRES_CONFIG)
    try:
        upgrade(url)
        started = time.perf_counter()
        data = generate(Shape.for_tasks(args.tasks))
        print(f"generated {len(data.tasks):,} tasks in {time.perf_counter() - started:.0f}s", flush=True)
        print(f"loaded in {asyncio.run(load(url, data)):.0f}s", flush=True)
        del data
        result = asyncio.run(_run(url, due=args.due, rounds=args.rounds))
    finally:
        stop_server(pg)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"sweep-{args.tasks}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(_summary(result))
    print(f"\nsaved {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
