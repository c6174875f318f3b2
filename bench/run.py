"""Run the load benchmark: ``python -m bench.run [--tasks 10000,100000] [--duration 15] ...``.

For each dataset size: a fresh database on embedded PostgreSQL (Redis is
embedded too, all in a temporary directory), migrations, generated data
(:mod:`bench.data`), then the app with the bench plugin served by granian
(one worker) in a subprocess. wrk drives each scenario at each concurrency
after a warm-up; the server's resident memory is sampled from ``/proc``
during the run, and the CPU time of the server, PostgreSQL, Redis and wrk is
read before and after. A JSON summary goes to ``--output`` and a Markdown
table to stdout. See ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx

from bench import procfs
from bench.data import PASSWORD, Dataset, Shape, generate, load, verify

__all__ = ("Options", "main")

ROOT = Path(__file__).resolve().parents[1]
LUA = Path(__file__).resolve().parent / "wrk" / "workhub.lua"
SCENARIOS = ("const", "const_auth", "bare", "bare_guard", "list", "create")
"""In run order: ceilings, then the real routes (creating last, so lists read the seeded data)."""
DEFAULT_SCENARIOS = ("const", "bare", "list", "create")
"""``const_auth`` and ``bare_guard`` split the gap between ``bare`` and ``list`` when asked for."""
LABELS = {
    "const": "ceiling: constant JSON",
    "const_auth": "constant JSON + auth middleware",
    "bare": "ceiling: list, bare asyncpg + msgspec",
    "bare_guard": "bare list + auth + guard",
    "list": "list 50 tasks of a project",
    "create": "create a task",
}
TARGET_LIST_SHARE = 0.60
TARGET_CREATE_RPS = 500.0
TARGET_P99_MS = 100.0


@dataclass
class Options:
    """Command-line options (see ``--help``)."""

    tasks: list[int]
    duration: int
    warmup: int
    concurrency: list[int]
    scenarios: list[str]
    threads: int
    seed: int
    targets: int
    db_pool_size: int
    output: Path | None
    profile: list[str]
    py_spy: str | None
    profile_native: bool
    profile_dir: Path
    wait_quiet: int
    experiment: str
    compare: str
    rounds: int
    keep: bool
    workers: int = 1


@dataclass
class Run:
    """One wrk run of one scenario at one concurrency."""

    scenario: str
    concurrency: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]
    rss_mib_before: float
    rss_mib_peak: float
    cpu_cores: dict[str, float]
    """Average cores busy during the run: server, postgres, redis, wrk, other (not ours), machine (all)."""
    server_cpu_ms: float
    """Server CPU time per request: its capacity on one free core is about 1000 / this req/s."""
    postgres_per_request: dict[str, float]
    """New database connections and transactions per request (``pg_stat_database``)."""
    variant: str = ""
    """The ``--experiment`` the server ran with (A/B mode), empty for the app as it is."""
    round: int = 0
    """Which of the ``--rounds`` this run belongs to."""


@dataclass
class DatasetResult:
    """Runs against one generated database."""

    tasks: int
    projects: int
    users: int
    memberships: int
    seed: int
    load_seconds: float
    rss_mib_idle: float
    runs: list[Run] = field(default_factory=list)
    verdict: dict[str, Any] = field(default_factory=dict)


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def parse_args(argv: list[str] | None = None) -> Options:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description="Run the WorkHub load benchmark."
    )
    parser.add_argument(
        "--tasks", default="10000,100000", help="dataset sizes, comma-separated (10000,100000)"
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds of each measured run (15)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each run (3)")
    parser.add_argument("--concurrency", default="16,64", help="open connections, comma-separated (16,64)")
    parser.add_argument(
        "--scenarios",
        default=",".join(DEFAULT_SCENARIOS),
        help=f"any of {','.join(SCENARIOS)} (default {','.join(DEFAULT_SCENARIOS)})",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="wrk threads (1: leaves the cores to the server)"
    )
    parser.add_argument("--seed", type=int, default=42, help="data generator seed (42)")
    parser.add_argument(
        "--targets", type=int, default=64, help="(user, project) pairs requests cycle through (64)"
    )
    parser.add_argument(
        "--db-pool-size", type=int, default=20, help="WORKHUB_DB_POOL_SIZE of the server (20, the default)"
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "bench" / "results" / "latest.json", help="JSON summary file"
    )
    parser.add_argument("--no-output", action="store_true", help="print the table only")
    parser.add_argument(
        "--profile",
        default="",
        help="scenarios to profile with py-spy in an extra run at the highest concurrency (e.g. list,create)",
    )
    parser.add_argument(
        "--profile-native",
        action="store_true",
        help="include C and Cython frames (asyncpg, msgspec) in profiles",
    )
    parser.add_argument("--py-spy", default=None, help="path of py-spy (default: found on PATH)")
    parser.add_argument(
        "--profile-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "workhub-bench-profiles",
        help="where py-spy's collapsed stacks go (not committed)",
    )
    parser.add_argument(
        "--wait-quiet",
        type=int,
        default=60,
        help="before each run, wait up to this many seconds for other processes to leave the cores idle (60; 0: no wait)",
    )
    parser.add_argument(
        "--experiment",
        default="",
        help="for investigations: comma-separated changes to the served app (relay, gc-freeze, pool-20; see bench/server.py)",
    )
    parser.add_argument(
        "--compare",
        default="",
        help="A/B mode: serve the app twice, as is and with this --experiment value, and alternate their runs",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="rounds of every run, interleaved; tables show medians (default 1, or 3 with --compare)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (databases, logs)")
    parser.add_argument("--workers", type=int, default=1, help="granian worker processes of the server (1)")
    ns = parser.parse_args(argv)
    scenarios = [s for s in ns.scenarios.split(",") if s]
    unknown = sorted(set(scenarios) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)}")
    profile = [s for s in ns.profile.split(",") if s]
    return Options(
        tasks=_ints(ns.tasks),
        duration=ns.duration,
        warmup=ns.warmup,
        concurrency=_ints(ns.concurrency),
        scenarios=[s for s in SCENARIOS if s in scenarios],
        threads=ns.threads,
        seed=ns.seed,
        targets=ns.targets,
        db_pool_size=ns.db_pool_size,
        output=None if ns.no_output else ns.output,
        profile=profile,
        py_spy=ns.py_spy or shutil.which("py-spy"),
        profile_native=ns.profile_native,
        profile_dir=ns.profile_dir,
        wait_quiet=ns.wait_quiet,
        experiment=ns.experiment,
        compare=ns.compare,
        rounds=ns.rounds if ns.rounds is not None else (3 if ns.compare else 1),
        keep=ns.keep,
        workers=ns.workers,
    )


def _mib(value: float) -> float:
    return round(value / 2**20, 1)


class Server:
    """granian serving ``bench.server:create_bench_app`` with ``workers`` workers, in a subprocess."""

    def __init__(self, env: dict[str, str], port: int, log: Path, workers: int = 1) -> None:
        self.port = port
        self.log = log
        granian = shutil.which("granian", path=str(Path(sys.executable).parent)) or "granian"
        command = [
            granian, "--interface", "asgi", "--factory", "--workers", str(workers),
            "--host", "127.0.0.1", "--port", str(port), "--http", "1", "--log-level", "warning",
            "--working-dir", str(ROOT), "bench.server:create_bench_app",
        ]  # fmt: skip
        self._log_file = log.open("w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT
        )

    @property
    def url(self) -> str:
        """Where the server listens."""
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Poll ``/health/ready`` until it answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"the server did not become ready in {timeout:.0f}s:\n{self.tail()}")

    def pids(self) -> list[int]:
        """The granian process and its workers."""
        return procfs.tree(self.process.pid)

    def worker_pid(self) -> int:
        """The worker process that runs the app (the main process itself if it has no child)."""
        tree = self.pids()
        return tree[-1]

    def tail(self, lines: int = 40) -> str:
        """The end of the server's log."""
        self._log_file.flush()
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit in 15 seconds."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()


async def _sign_in(base_url: str, emails: list[str]) -> dict[str, str]:
    """Access tokens of ``emails`` through the real login route."""
    tokens: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        for email in emails:
            response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            if response.status_code != 200:
                raise RuntimeError(f"login of {email} failed: {response.status_code} {response.text}")
            tokens[email] = response.json()["access_token"]
    return tokens


def pick_targets(data: Dataset, count: int, seed: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(email, project id) pairs: any member of a project with a full first page, and a writer of any project."""
    rng = random.Random(seed + 1)
    full = [p for p in data.info if p.live_tasks > 50]
    readers = [(rng.choice(p.members)[0], str(p.id)) for p in rng.sample(full, k=min(count, len(full)))]
    writable = rng.sample(data.info, k=min(count, len(data.info)))
    writers = [
        (rng.choice([m for m in p.members if m[1] in ("owner", "editor")])[0], str(p.id)) for p in writable
    ]
    return readers, writers


def _smoke(base_url: str, list_file: Path, create_file: Path) -> None:
    """One request per route before the load, so a broken route fails the run instead of counting errors."""
    token, project = list_file.read_text().splitlines()[0].split()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        real = client.get(f"/api/v1/projects/{project}/tasks?limit=50", headers=headers)
        bare = client.get(f"/api/v1/integrations/bench/ceiling/projects/{project}/tasks?limit=50")
        guarded = client.get(
            f"/api/v1/integrations/bench/ceiling/guarded/projects/{project}/tasks", headers=headers
        )
        const = client.get("/api/v1/integrations/bench/ceiling/const")
        const_auth = client.get("/api/v1/integrations/bench/ceiling/auth/const", headers=headers)
        checks = (
            ("list", real),
            ("bare", bare),
            ("bare_guard", guarded),
            ("const", const),
            ("const_auth", const_auth),
        )
        for name, response in checks:
            if response.status_code != 200:
                raise RuntimeError(f"{name} answered {response.status_code}: {response.text[:500]}")
        if real.json() != bare.json() or len(real.json()["items"]) != 50:
            raise RuntimeError("the bare-asyncpg ceiling does not return the same page as the app")
        token, project = create_file.read_text().splitlines()[0].split()
        created = client.post(
            f"/api/v1/projects/{project}/tasks",
            json={"title": "Smoke task"},
            headers={"Authorization": f"Bearer {token}"},
        )
        if created.status_code != 201:
            raise RuntimeError(f"create answered {created.status_code}: {created.text[:500]}")


def _wrk(
    options: Options, url: str, mode: str, concurrency: int, seconds: int, targets: Path
) -> dict[str, Any]:
    """Run wrk once; returns what the Lua ``done()`` printed."""
    command = [
        "wrk", "-t", str(min(options.threads, concurrency)), "-c", str(concurrency), "-d", f"{seconds}s",
        "--timeout", "10s", "-s", str(LUA), url, "--", mode, str(targets),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line.removeprefix("WRK_JSON "))
    raise RuntimeError(f"wrk printed no summary (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def wait_for_quiet(limit: float, threshold: float = 0.25) -> float:
    """Wait up to ``limit`` seconds for the machine to be nearly idle; returns the busy cores last seen.

    Other work on the same two cores (a test run, a build) takes CPU from the
    server and wrk alike and makes numbers meaningless; each run records the
    CPU used by other processes (``other``) so a disturbed run can be told.
    """
    deadline = time.monotonic() + limit
    while True:
        clock = procfs.CpuClock({})
        clock.start()
        time.sleep(2)
        busy = clock.stop()["machine"] / 2.0  # seconds of CPU over a 2-second window
        if busy < threshold or time.monotonic() >= deadline:
            return round(busy, 2)
        print(f"  waiting for a quiet machine ({busy:.2f} cores busy)", flush=True)


def measure(
    options: Options,
    server: Server,
    database: tuple[int, str],
    scenario: str,
    concurrency: int,
    targets: Path,
) -> Run:
    """Warm up, then one measured wrk run with memory sampling and CPU accounting.

    ``database`` is PostgreSQL's postmaster pid and the database URL.
    """
    pg_pid, database_url = database
    if options.warmup:
        _wrk(options, server.url, scenario, concurrency, options.warmup, targets)
    server_pids = server.pids()
    roots = {"server": server.process.pid, "postgres": pg_pid}
    if (redis_pid := _redis_pid()) is not None:
        roots["redis"] = redis_pid
    clock = procfs.CpuClock(roots)
    pg_before = asyncio.run(_pg_counters(database_url))
    rss_before = procfs.rss_bytes(server_pids)
    wrk_cpu, own_cpu = _children_cpu(), _own_cpu()
    clock.start()
    with procfs.RssSampler(server_pids) as sampler:
        result = _wrk(options, server.url, scenario, concurrency, options.duration, targets)
    used = clock.stop()
    used["wrk"] = _children_cpu() - wrk_cpu
    pg_after = asyncio.run(_pg_counters(database_url))
    requests = max(1, result["requests"])
    per_request = {
        "connections": round((pg_after["sessions"] - pg_before["sessions"] - 1) / requests, 3),
        "transactions": round(
            (
                pg_after["xact_commit"]
                + pg_after["xact_rollback"]
                - pg_before["xact_commit"]
                - pg_before["xact_rollback"]
            )
            / requests,
            2,
        ),
    }
    ours = sum(v for k, v in used.items() if k not in ("machine", "irq")) + _own_cpu() - own_cpu
    used["other"] = max(0.0, used["machine"] - used["irq"] - ours)
    seconds = result["duration_us"] / 1e6
    latency = result["latency_us"]
    return Run(
        scenario=scenario,
        concurrency=concurrency,
        requests=result["requests"],
        seconds=round(seconds, 2),
        rps=round(result["requests"] / seconds, 1),
        p50_ms=round(latency["p50"] / 1000, 2),
        p90_ms=round(latency["p90"] / 1000, 2),
        p99_ms=round(latency["p99"] / 1000, 2),
        max_ms=round(latency["max"] / 1000, 2),
        errors={k: v for k, v in result["errors"].items() if v},
        rss_mib_before=_mib(rss_before),
        rss_mib_peak=_mib(sampler.peak),
        cpu_cores={name: round(value / seconds, 2) for name, value in used.items()},
        server_cpu_ms=round(1000 * used["server"] / requests, 3),
        postgres_per_request=per_request,
    )


def profile(options: Options, server: Server, scenario: str, targets: Path, out_dir: Path) -> Path | None:
    """An extra run with py-spy attached to the worker; writes collapsed stacks next to the results."""
    if options.py_spy is None:
        print("py-spy not found (pip install py-spy, or pass --py-spy PATH); skipping the profile")
        return None
    concurrency = max(options.concurrency)
    out = Path(f"{out_dir}-{scenario}-c{concurrency}.txt")
    spy = subprocess.Popen(
        [
            options.py_spy,
            "record",
            "--pid",
            str(server.worker_pid()),
            "--rate",
            "250",
            "--duration",
            str(options.duration),
            "--format",
            "raw",
            *([] if options.profile_native else ["--nonblocking"]),
            "--output",
            str(out),
            *(["--native"] if options.profile_native else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(1)
    _wrk(options, server.url, scenario, concurrency, options.duration, targets)
    _, err = spy.communicate(timeout=60)
    if spy.returncode != 0:
        print(f"py-spy failed: {err.decode(errors='replace')[-500:]}")
        return None
    return out


def plan_runs(options: Options) -> list[tuple[int, str, int]]:
    """(round, scenario, concurrency) in run order.

    Rounds interleave the read scenarios, every other round in reverse order,
    so a ceiling and the route compared with it are measured minutes apart at
    most and each goes first as often as the other: the machine's speed drifts
    over minutes. Creating comes after every round of reading, so the lists
    always read the seeded data.
    """
    reads = [s for s in options.scenarios if s != "create"]
    writes = [s for s in options.scenarios if s == "create"]
    plan: list[tuple[int, str, int]] = []
    for group in (reads, writes):
        for round_ in range(options.rounds):
            for scenario in group if round_ % 2 == 0 else group[::-1]:
                plan.extend((round_, scenario, c) for c in options.concurrency)
    return plan


def _key(run: Run) -> tuple[str, int, str]:
    return run.scenario, run.concurrency, run.variant


def medians(runs: list[Run]) -> list[Run]:
    """One run per scenario, concurrency and variant: the median of its rounds (peak RSS: the highest)."""
    from statistics import median

    groups: dict[tuple[str, int, str], list[Run]] = {}
    for run in runs:
        groups.setdefault(_key(run), []).append(run)
    merged: list[Run] = []
    for group in groups.values():
        if len(group) == 1:
            merged.append(group[0])
            continue
        first = group[0]
        cores = {
            name: round(median(r.cpu_cores.get(name, 0.0) for r in group), 2) for name in first.cpu_cores
        }
        merged.append(
            Run(
                scenario=first.scenario,
                concurrency=first.concurrency,
                requests=sum(r.requests for r in group),
                seconds=round(sum(r.seconds for r in group), 2),
                rps=round(median(r.rps for r in group), 1),
                p50_ms=round(median(r.p50_ms for r in group), 2),
                p90_ms=round(median(r.p90_ms for r in group), 2),
                p99_ms=round(median(r.p99_ms for r in group), 2),
                max_ms=max(r.max_ms for r in group),
                errors={
                    k: sum(r.errors.get(k, 0) for r in group) for k in {k for r in group for k in r.errors}
                },
                rss_mib_before=first.rss_mib_before,
                rss_mib_peak=max(r.rss_mib_peak for r in group),
                cpu_cores=cores,
                server_cpu_ms=round(median(r.server_cpu_ms for r in group), 3),
                postgres_per_request=first.postgres_per_request,
                variant=first.variant,
                round=-1,
            )
        )
    return merged


def share_of_bare(runs: list[Run], scenario: str, concurrency: int, variant: str = "") -> float | None:
    """Req/s of ``scenario`` over the bare ceiling's: the median of the rounds' ratios.

    Each round's ratio pairs two runs measured back to back, which keeps the
    share steady when the machine's speed drifts between rounds.
    """
    from statistics import median

    def rps(name: str) -> dict[int, float]:
        return {
            r.round: r.rps
            for r in runs
            if (r.scenario, r.concurrency, r.variant) == (name, concurrency, variant)
        }

    ours, bare = rps(scenario), rps("bare")
    ratios = [ours[n] / bare[n] for n in ours if bare.get(n)]
    return median(ratios) if ratios else None


def verdict(runs: list[Run], variant: str = "") -> dict[str, Any]:
    """The issue's targets, checked against the medians of the rounds (None where a run is missing)."""
    by = {(r.scenario, r.concurrency): r for r in medians(runs) if r.variant == variant}
    result: dict[str, Any] = {}
    listing = by.get(("list", 64))
    share = share_of_bare(runs, "list", 64, variant)
    if listing and share is not None:
        result["list_c64_share_of_bare"] = round(share, 3)
        result["list_c64_p99_ms"] = listing.p99_ms
        result["list_c64_met"] = share >= TARGET_LIST_SHARE and listing.p99_ms < TARGET_P99_MS
    create = by.get(("create", 16))
    if create:
        result["create_c16_met"] = create.rps >= TARGET_CREATE_RPS and create.p99_ms < TARGET_P99_MS
    return result


def table(result: DatasetResult) -> str:
    """A Markdown table of one dataset's runs (medians of the rounds)."""
    rounds = len({r.round for r in result.runs})
    lines = [
        f"### {result.tasks:,} tasks, {result.projects} projects, {result.users} users"
        + (f" (medians of {rounds} rounds)" if rounds > 1 else ""),
        "",
        "| scenario | c | req/s | p50 ms | p99 ms | errors | server RSS MiB (peak) | % of bare list | server CPU ms/req | cores: server / pg / wrk / other |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in medians(result.runs):
        share = None
        if r.scenario in ("bare", "bare_guard", "list"):
            share = share_of_bare(result.runs, r.scenario, r.concurrency, r.variant)
        cores = r.cpu_cores
        lines.append(
            f"| {LABELS[r.scenario]} | {r.concurrency} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
            f"{sum(r.errors.values())} | {r.rss_mib_peak:.0f} | "
            f"{'—' if share is None else f'{100 * share:.0f}%'} | {r.server_cpu_ms:.2f} | "
            f"{cores.get('server', 0):.2f} / {cores.get('postgres', 0):.2f} / {cores.get('wrk', 0):.2f} / "
            f"{cores.get('other', 0):.2f} |"
        )
    return "\n".join(lines)


def compare_table(result: DatasetResult) -> str:
    """A/B mode: medians of each variant per scenario and concurrency."""
    lines = [
        f"### A/B, {result.tasks:,} tasks (medians of the rounds)",
        "",
        "| scenario | c | variant | req/s | p50 ms | p99 ms | server CPU ms/req |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for r in medians(result.runs):
        lines.append(
            f"| {LABELS[r.scenario]} | {r.concurrency} | {r.variant or 'as is'} | {r.rps:,.0f} | "
            f"{r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.server_cpu_ms:.2f} |"
        )
    return "\n".join(lines)


def bench_dataset(options: Options, tasks: int, tmp: Path, redis_url: str) -> DatasetResult:
    """Generate, load and serve one dataset; run every scenario at every concurrency."""
    from workhub.kernel.embedded import free_port, start_postgres
    from workhub.migrate import upgrade

    pg, database_url = start_postgres(tmp / "pg", database=f"bench_{tasks}")
    if all(pg is not h for h in _handles):
        _handles.append(pg)
    upgrade(database_url)
    data = generate(Shape.for_tasks(tasks), options.seed)
    seconds = asyncio.run(load(database_url, data))
    asyncio.run(verify(database_url, data))
    print(f"{tasks:,} tasks: generated and loaded in {seconds:.1f}s", flush=True)
    _flush_redis(redis_url)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        "WORKHUB_ENV": "prod",
        "WORKHUB_DATABASE_URL": database_url,
        "WORKHUB_REDIS_URL": redis_url,
        "WORKHUB_SECRET_KEY": secrets.token_urlsafe(48),
        "WORKHUB_USER_RATE": "1000000000",
        "WORKHUB_LOGIN_RATE": "1000000",
        "WORKHUB_ACCESS_TOKEN_TTL": "7200",
        "WORKHUB_DB_POOL_SIZE": str(options.db_pool_size),
        "WORKHUB_DEMO_DATA": "false",
        "WORKHUB_LOG_LEVEL": "WARNING",
    }
    env.pop("WORKHUB_PLUGINS", None)
    variants = [options.experiment] + ([options.compare] if options.compare else [])
    servers = [
        Server(
            {**env, "WORKHUB_BENCH_EXPERIMENTS": v},
            free_port(),
            tmp / f"server-{tasks}-{i}.log",
            workers=options.workers,
        )
        for i, v in enumerate(variants)
    ]
    server = servers[0]
    try:
        for each in servers:
            each.wait_ready()
        readers, writers = pick_targets(data, options.targets, options.seed)
        tokens = asyncio.run(_sign_in(server.url, sorted({e for e, _ in readers + writers})))
        list_file, create_file = tmp / f"list-{tasks}.txt", tmp / f"create-{tasks}.txt"
        list_file.write_text("".join(f"{tokens[e]} {p}\n" for e, p in readers))
        create_file.write_text("".join(f"{tokens[e]} {p}\n" for e, p in writers))
        for each in servers:
            _smoke(each.url, list_file, create_file)
        result = DatasetResult(
            tasks=tasks,
            projects=len(data.projects),
            users=len(data.users),
            memberships=len(data.members),
            seed=options.seed,
            load_seconds=round(seconds, 1),
            rss_mib_idle=_mib(procfs.rss_bytes(server.pids())),
        )
        database = (pg.get_pid() or 0, database_url)
        for round_, scenario, concurrency in plan_runs(options):
            targets = create_file if scenario == "create" else list_file
            # A B, then B A: each variant goes first as often as the other.
            order = list(zip(variants, servers, strict=True))
            for variant, each in order if round_ % 2 == 0 else order[::-1]:
                if options.wait_quiet:
                    wait_for_quiet(options.wait_quiet)
                run = measure(options, each, database, scenario, concurrency, targets)
                run.variant, run.round = variant, round_
                result.runs.append(run)
                print(
                    f"  {variant or 'as is':>10} {scenario:>6} c={concurrency:<3} {run.rps:>8.0f} req/s"
                    f"  p50 {run.p50_ms:6.1f} ms  p99 {run.p99_ms:6.1f} ms  errors {sum(run.errors.values())}"
                    f"  RSS {run.rss_mib_peak:.0f} MiB  cpu {run.server_cpu_ms:.2f} ms/req  cores {run.cpu_cores}",
                    flush=True,
                )
        for scenario in options.profile:
            targets = create_file if scenario == "create" else list_file
            options.profile_dir.mkdir(parents=True, exist_ok=True)
            path = profile(options, server, scenario, targets, options.profile_dir / f"{tasks}")
            if path is not None:
                print(f"  profile of {scenario}: {path}")
        result.verdict = verdict(result.runs, options.experiment)
        return result
    finally:
        for each in servers:
            each.stop()


def _flush_redis(redis_url: str) -> None:
    from redis import Redis

    client = Redis.from_url(redis_url)
    try:
        client.flushdb()
    finally:
        client.close()


_handles: list[Any] = []
"""The embedded servers this run started (PostgreSQL once, Redis once)."""


def _redis_pid() -> int | None:
    pids = [int(pid) for h in _handles if hasattr(h, "socket_file") and (pid := getattr(h, "pid", None))]
    return pids[0] if pids else None


async def _pg_counters(database_url: str) -> dict[str, int]:
    """Connections opened and transactions ended in the database so far (``pg_stat_database``)."""
    import asyncpg

    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        row = await conn.fetchrow(
            "SELECT sessions, xact_commit, xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        )
    finally:
        await conn.close()
    return dict(row) if row is not None else {}


def _versions() -> dict[str, str]:
    found: dict[str, str] = {}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "src"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if commit:
            found["workhub"] = commit + ("+changes" if dirty else "")
    for name in ("litestar", "granian", "advanced-alchemy", "sqlalchemy", "asyncpg", "msgspec", "redis"):
        with contextlib.suppress(Exception):
            found[name] = version(name)
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        first = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout
        found["wrk"] = first.split()[1] if first else "?"
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the process exit code."""
    options = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed; on Debian or Ubuntu: apt-get install -y wrk", file=sys.stderr)
        return 2
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp/runtime-0")
    from workhub.kernel.embedded import start_redis, stop_server

    tmp = Path(tempfile.mkdtemp(prefix="workhub-bench-"))
    started = time.monotonic()
    results: list[DatasetResult] = []
    try:
        redis, redis_url = start_redis(tmp / "redis")
        _handles.append(redis)
        for tasks in options.tasks:
            results.append(bench_dataset(options, tasks, tmp, redis_url))
    finally:
        for handle in reversed(_handles):
            with contextlib.suppress(Exception):
                stop_server(handle)
        _handles.clear()
        if not options.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}")
    summary = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": procfs.machine(),
        "versions": _versions(),
        "options": {
            k: v
            for k, v in asdict(options).items()
            if k not in ("output", "py_spy", "keep", "profile", "profile_dir", "profile_native")
        },
        "targets": {
            "list_c64_share_of_bare": TARGET_LIST_SHARE,
            "create_c16_rps": TARGET_CREATE_RPS,
            "p99_ms": TARGET_P99_MS,
        },
        "wall_seconds": round(time.monotonic() - started),
        "datasets": [asdict(r) for r in results],
    }
    if options.output:
        options.output.parent.mkdir(parents=True, exist_ok=True)
        options.output.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        print(f"summary: {options.output}")
    for result in results:
        print()
        print(compare_table(result) if options.compare else table(result))
        print(f"\ntargets: {json.dumps(result.verdict)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
