"""Realtime fan-out: one task update over REST reaching every Socket.IO client watching its project.

``python -m bench.fanout`` starts embedded PostgreSQL and Redis, loads a
seeded dataset (:mod:`bench.data`) whose first project has every user as a
member, and serves the app exactly as production does, in subprocesses:
``workhub run`` (granian, one web process per core, the Socket.IO server
wrapping Litestar) and ``workhub worker`` beside it (the outbox relay, whose
realtime bridge emits through Redis to every web process). Then:

1. ``--clients`` WebSocket clients (spread over ``--procs`` processes, one
   per user, round robin) connect with access tokens and subscribe to
   ``project:<id>``; the server's RSS is read before and after, which gives
   the memory per connection.
2. ``--updates`` times, a PATCH of one task goes through the REST API, and
   every client notes when its ``task.updated`` arrives. The latency of one
   delivery is its arrival minus the moment the PATCH was sent (same host,
   same clock), so it covers the request, the commit, the relay and the emit.

The clients speak the Engine.IO 4 / Socket.IO 5 protocol directly over
``websockets`` (connect with ``auth``, ``subscribe`` with an ack, answer
pings): the smallest client that is still a Socket.IO client, so that on a
small machine the clients' own work does not pass for the server's. Tokens
are issued with the server's key (what a login returns) instead of 1,000
argon2 logins; the updater signs in through the real login route.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from bench import procfs
from bench.data import PASSWORD, Shape, generate, load

__all__ = ("main",)

ROOT = Path(__file__).resolve().parents[1]
TARGET_P99_MS = 200.0


@dataclass
class Options:
    """Command-line options."""

    clients: int
    procs: int
    updates: int
    interval: float
    output: Path | None
    keep: bool
    profile: Path | None = None


def parse_args(argv: list[str] | None = None) -> Options:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.fanout", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--clients", type=int, default=1000, help="connected clients (1000)")
    parser.add_argument("--procs", type=int, default=2, help="client processes (2)")
    parser.add_argument("--updates", type=int, default=30, help="task updates to time (30)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between updates (0.5)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "fanout.json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument("--profile", type=Path, help="run the server under cProfile and write its stats here")
    args = parser.parse_args(argv)
    return Options(
        args.clients, args.procs, args.updates, args.interval, args.output, args.keep, args.profile
    )


@dataclass
class Result:
    """What one run measured."""

    clients: int
    connected: int
    updates: int
    deliveries: int
    missing: int
    connect_seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    rest_p50_ms: float
    """The PATCH's own response time, for comparison."""
    rss_mib_before: float
    rss_mib_after: float
    kib_per_connection: float
    server_cpu_ms_per_update: float
    clients_cpu_ms_per_update: float
    """CPU the client processes spent per update (they share the machine with the server)."""
    spread_p50_ms: float
    last_p50_ms: float
    """Per update, the latency of its last delivery (all clients have it), median over updates."""
    last_max_ms: float
    """The same for the slowest update."""
    """Per update, last arrival minus first arrival (the fan-out itself), median over updates."""
    server_cpu_ms_per_update_alone: float
    """The same update with no client connected (request, commit, relay): the fan-out is the difference."""
    fanout_cpu_us_per_recipient: float
    load_average: float
    """The machine's 1-minute load average when timing began (other work competes for the cores)."""
    errors: dict[str, int] = field(default_factory=dict)


# --- the clients ------------------------------------------------------------


async def _client(
    url: str, token: str, room: str, arrivals: list[tuple[float, str]], errors: dict[str, int]
) -> Any:
    """One Socket.IO client: connect with ``auth``, subscribe with an ack, then note each ``task.updated``."""
    from websockets.asyncio.client import connect

    ws = await connect(url, open_timeout=60, max_size=2**22)
    opening = str(await ws.recv())  # Engine.IO OPEN: 0{"sid": ...}
    if not opening.startswith("0"):
        raise RuntimeError(f"unexpected opening {opening[:80]}")
    await ws.send("40" + json.dumps({"token": token}))  # Socket.IO CONNECT with auth
    answer = str(await ws.recv())
    if not answer.startswith("40"):
        raise RuntimeError(f"refused: {answer[:200]}")
    await ws.send("421" + json.dumps(["subscribe", {"room": room}]))  # EVENT with ack id 1
    while True:
        message = str(await ws.recv())
        if message == "2":
            await ws.send("3")
        elif message.startswith("431"):
            if '"ok":true' not in message.replace(" ", ""):
                raise RuntimeError(f"subscribe refused: {message[:200]}")
            break

    async def read() -> None:
        try:
            async for raw in ws:
                if raw == "2":  # Engine.IO PING from the server
                    await ws.send("3")
                elif isinstance(raw, str) and raw.startswith('42["task.updated"'):
                    arrivals.append((time.time(), raw))
        except Exception as exc:  # a dropped connection is counted, not fatal
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1

    return ws, asyncio.create_task(read())


async def _run_clients(url: str, tokens: list[str], room: str, conn: Any) -> None:
    """Connect this process's clients, report, wait for the stop word, report arrivals."""
    arrivals: list[tuple[float, str]] = []
    errors: dict[str, int] = {}
    gate = asyncio.Semaphore(25)

    async def one(token: str) -> Any:
        async with gate:
            for attempt in range(3):
                try:
                    return await _client(url, token, room, arrivals, errors)
                except Exception as exc:
                    errors[f"connect:{type(exc).__name__}"] = (
                        errors.get(f"connect:{type(exc).__name__}", 0) + 1
                    )
                    await asyncio.sleep(0.5 * (attempt + 1))
            return None

    made = [c for c in await asyncio.gather(*(one(t) for t in tokens)) if c is not None]
    conn.send(("ready", len(made), errors))
    await asyncio.to_thread(conn.recv)  # "start"
    cpu_start = time.process_time()
    await asyncio.to_thread(conn.recv)  # "stop"
    cpu_used = time.process_time() - cpu_start
    versions = []
    for at, raw in arrivals:
        payload = json.loads(raw[2:])[1]
        versions.append((at, int(payload["version"])))
    conn.send(("arrivals", versions, errors, cpu_used))
    for ws, reader in made:
        reader.cancel()
        with contextlib.suppress(Exception):
            await ws.close()


def _client_process(url: str, tokens: list[str], room: str, conn: Any) -> None:
    asyncio.run(_run_clients(url, tokens, room, conn))


# --- the server and the data -------------------------------------------------


class Server:
    """``workhub run`` (granian, Socket.IO wrapping Litestar) and ``workhub worker`` (the relay), as subprocesses."""

    def __init__(self, env: dict[str, str], port: int, log: Path, profile: Path | None = None) -> None:
        self.port = port
        self.log = log
        self._log_file = log.open("w")
        profiler = ["-m", "cProfile", "-o", str(profile)] if profile else []
        self.process = subprocess.Popen(
            [sys.executable, *profiler, "-m", "workhub.cli", "run"],
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "workhub.cli", "worker"],
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"the server did not become ready:\n{self.tail()}")

    def rss(self) -> int:
        return procfs.rss_bytes(procfs.tree(self.process.pid))

    def cpu(self) -> float:
        return procfs.tree_cpu_seconds(self.process.pid) + procfs.tree_cpu_seconds(self.worker.pid)

    def tail(self, lines: int = 40) -> str:
        self._log_file.flush()
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        for process in (self.worker, self.process):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self._log_file.close()


def _dataset(users: int) -> tuple[Any, UUID, str, list[UUID]]:
    """Seeded rows with every user a member of the first project; (data, project id, owner email, user ids)."""
    from workhub.kernel.db import new_id

    data = generate(Shape(tasks=2000, projects=10, users=users), seed=7)
    project = data.info[0]
    present = {row[2] for row in data.members if row[1] == project.id}
    joined = datetime(2026, 1, 1, tzinfo=UTC)
    for row in data.users:
        if row[0] not in present:
            data.members.append((new_id(), project.id, row[0], "viewer", joined, joined))
    owner_email = project.members[0][0]
    return data, project.id, owner_email, [row[0] for row in data.users]


def _tokens(secret: str, redis_url: str, user_ids: list[UUID]) -> list[str]:
    """Access tokens as the login route issues them (same key, same claims)."""
    from redis.asyncio import Redis

    from workhub.kernel.security import TokenService
    from workhub.settings import Settings

    redis = Redis.from_url(redis_url)
    tokens = TokenService(Settings(secret_key=secret, access_token_ttl=7200), redis)
    return [tokens.issue(uid, "manager", "ru")[0] for uid in user_ids]


async def _updates(
    base_url: str, owner_email: str, project_id: UUID, options: Options, cpu: Any
) -> tuple[list[tuple[int, float, float]], float]:
    """PATCH a new task ``options.updates`` times.

    Returns (version, sent at, response time) of each and the server's CPU
    seconds per update (``cpu()`` read around the PATCHes and their pushes only).
    """
    sent: list[tuple[int, float, float]] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        resp = await client.post("/api/v1/auth/login", json={"email": owner_email, "password": PASSWORD})
        resp.raise_for_status()
        headers = {"Authorization": f"Bearer {resp.json()['access_token']}"}
        resp = await client.post(
            f"/api/v1/projects/{project_id}/tasks", json={"title": "Fan-out probe"}, headers=headers
        )
        resp.raise_for_status()
        task = resp.json()
        await asyncio.sleep(1.0)  # let task.created go out before timing starts
        cpu_start = cpu()
        for i in range(options.updates):
            started = time.time()
            resp = await client.patch(
                f"/api/v1/tasks/{task['id']}",
                json={"version": task["version"], "title": f"Fan-out probe {i + 1}"},
                headers=headers,
            )
            took = time.time() - started
            resp.raise_for_status()
            task = resp.json()
            sent.append((task["version"], started, took))
            await asyncio.sleep(options.interval)
        cpu_used = cpu() - cpu_start
    return sent, cpu_used / max(1, len(sent))


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Stack:
    """What :func:`start_stack` started: the app's processes and the data the clients need."""

    server: Server
    project_id: UUID
    owner_email: str
    user_ids: list[UUID]
    secret: str
    redis_url: str


def start_stack(
    tmp: Path,
    database: str,
    users: int,
    handles: list[Any],
    *,
    extra_env: dict[str, str] | None = None,
    profile: Path | None = None,
) -> Stack:
    """Embedded PostgreSQL and Redis (appended to ``handles`` for shutting down), the seeded data,
    and ``workhub run`` + ``workhub worker`` on them; the caller waits for the server to be ready."""
    from workhub.kernel.embedded import free_port, start_postgres, start_redis
    from workhub.migrate import upgrade

    redis, redis_url = start_redis(tmp / "redis")
    handles.append(redis)
    pg, database_url = start_postgres(tmp / "pg", database=database)
    handles.append(pg)
    upgrade(database_url)
    data, project_id, owner_email, user_ids = _dataset(users)
    asyncio.run(load(database_url, data))
    secret = secrets.token_urlsafe(48)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        "WORKHUB_ENV": "prod",
        "WORKHUB_DATABASE_URL": database_url,
        "WORKHUB_REDIS_URL": redis_url,
        "WORKHUB_SECRET_KEY": secret,
        "WORKHUB_USER_RATE": "1000000000",
        "WORKHUB_LOGIN_RATE": "1000000",
        "WORKHUB_ACCESS_TOKEN_TTL": "7200",
        "WORKHUB_HOST": "127.0.0.1",
        "WORKHUB_PORT": str(free_port()),
        "WORKHUB_DEMO_DATA": "false",
        "WORKHUB_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    env.pop("WORKHUB_PLUGINS", None)
    server = Server(env, int(env["WORKHUB_PORT"]), tmp / "server.log", profile)
    return Stack(server, project_id, owner_email, user_ids, secret, redis_url)


def run(options: Options, tmp: Path) -> Result:
    """Everything: servers, data, clients, updates; returns the measurements."""

    handles: list[Any] = []
    server: Server | None = None
    pipes: list[Any] = []
    procs: list[Any] = []
    try:
        stack = start_stack(tmp, "bench_fanout", options.clients + 1, handles, profile=options.profile)
        server = stack.server
        project_id, owner_email, user_ids = stack.project_id, stack.owner_email, stack.user_ids
        secret, redis_url = stack.secret, stack.redis_url
        server.wait_ready()
        tokens = _tokens(secret, redis_url, user_ids[1 : options.clients + 1])
        room = f"project:{project_id}"
        ws_url = f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
        httpx.get(f"{server.url}/health/ready")
        time.sleep(1.0)
        _, cpu_alone = asyncio.run(_updates(server.url, owner_email, project_id, options, server.cpu))
        rss_before = server.rss()
        started = time.monotonic()
        context = multiprocessing.get_context("spawn")
        for i in range(options.procs):
            parent, child = context.Pipe()
            share = tokens[i :: options.procs]
            proc = context.Process(target=_client_process, args=(ws_url, share, room, child), daemon=True)
            proc.start()
            pipes.append(parent)
            procs.append(proc)
        connected = 0
        errors: dict[str, int] = {}
        for pipe in pipes:
            _, count, errs = pipe.recv()
            connected += count
            for k, v in errs.items():
                errors[k] = errors.get(k, 0) + v
        connect_seconds = time.monotonic() - started
        time.sleep(1.0)
        rss_after = server.rss()
        print(
            f"{connected}/{options.clients} clients connected and subscribed in {connect_seconds:.1f}s; "
            f"server RSS {rss_before / 2**20:.1f} → {rss_after / 2**20:.1f} MiB",
            flush=True,
        )
        load_average = os.getloadavg()[0]
        for pipe in pipes:
            pipe.send("start")
        sent, cpu_per_update = asyncio.run(_updates(server.url, owner_email, project_id, options, server.cpu))
        time.sleep(1.0)
        for pipe in pipes:
            pipe.send("stop")
        arrivals: list[tuple[float, int]] = []
        clients_cpu = 0.0
        for pipe in pipes:
            _, got, errs, cpu = pipe.recv()
            arrivals.extend(got)
            clients_cpu += cpu
            for k, v in errs.items():
                errors[k] = errors.get(k, 0) + v
        sent_at = {version: at for version, at, _ in sent}
        latencies = [(at - sent_at[v]) * 1000 for at, v in arrivals if v in sent_at]
        expected = connected * len(sent)
        by_version: dict[int, list[float]] = {}
        for at, v in arrivals:
            by_version.setdefault(v, []).append(at)
        spreads = [(max(ats) - min(ats)) * 1000 for ats in by_version.values()]
        lasts = [(max(ats) - sent_at[v]) * 1000 for v, ats in by_version.items() if v in sent_at]
        return Result(
            clients=options.clients,
            connected=connected,
            updates=len(sent),
            deliveries=len(latencies),
            missing=expected - len(latencies),
            connect_seconds=round(connect_seconds, 1),
            p50_ms=round(_quantile(latencies, 0.50), 1),
            p90_ms=round(_quantile(latencies, 0.90), 1),
            p99_ms=round(_quantile(latencies, 0.99), 1),
            max_ms=round(max(latencies, default=float("nan")), 1),
            rest_p50_ms=round(statistics.median(t * 1000 for _, _, t in sent), 1),
            rss_mib_before=round(rss_before / 2**20, 1),
            rss_mib_after=round(rss_after / 2**20, 1),
            kib_per_connection=round((rss_after - rss_before) / 1024 / max(1, connected), 1),
            server_cpu_ms_per_update=round(cpu_per_update * 1000, 1),
            clients_cpu_ms_per_update=round(clients_cpu * 1000 / max(1, len(sent)), 1),
            server_cpu_ms_per_update_alone=round(cpu_alone * 1000, 1),
            fanout_cpu_us_per_recipient=round((cpu_per_update - cpu_alone) * 1e6 / max(1, connected), 1),
            spread_p50_ms=round(_quantile(spreads, 0.5), 1),
            last_p50_ms=round(_quantile(lasts, 0.5), 1),
            last_max_ms=round(max(lasts, default=float("nan")), 1),
            load_average=round(load_average, 2),
            errors=errors,
        )
    finally:
        shut_down(procs, server, handles, join_timeout=10)


def shut_down(procs: list[Any], server: Server | None, handles: list[Any], *, join_timeout: float) -> None:
    """Stop the client processes, the servers and the embedded databases of one run."""
    from workhub.kernel.embedded import stop_server

    for proc in procs:
        proc.join(timeout=join_timeout)
        if proc.is_alive():
            proc.kill()
    if server is not None:
        server.stop()
    for handle in reversed(handles):
        with contextlib.suppress(Exception):
            stop_server(handle)


def run_and_report(options: Any, prefix: str, run: Any, target: dict[str, float]) -> Any:
    """Run once in a temporary directory, write the JSON summary to ``options.output`` and print it."""
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp/runtime-0")
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    started = time.monotonic()
    try:
        result = run(options, tmp)
    finally:
        if options.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    summary = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": procfs.machine(),
        "options": {k: v for k, v in asdict(options).items() if k not in ("output", "keep")},
        **target,
        "wall_seconds": round(time.monotonic() - started),
        "result": asdict(result),
    }
    if options.output:
        options.output.parent.mkdir(parents=True, exist_ok=True)
        options.output.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        print(f"summary: {options.output}")
    print(json.dumps(asdict(result), indent=2))
    return result


def main(argv: list[str] | None = None) -> int:
    """Run once, print the result and write it to ``--output``."""
    options = parse_args(argv)
    result = run_and_report(options, "workhub-fanout-", run, {"target_p99_ms": TARGET_P99_MS})
    verdict = "met" if result.p99_ms < TARGET_P99_MS and result.missing == 0 else "NOT met"
    print(f"target p99 < {TARGET_P99_MS:.0f} ms with every delivery: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
