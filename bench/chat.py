"""Chat throughput: messages posted over REST reaching every Socket.IO client in one channel.

``python -m bench.chat`` starts embedded PostgreSQL and Redis, loads the
seeded dataset of :mod:`bench.fanout` (every user a member of the first
project) and serves the app as ``workhub run`` does (uvicorn, Socket.IO
wrapping Litestar, the outbox relay in the web process) in a subprocess.
Then:

1. ``--clients`` python-socketio ``AsyncClient`` s (spread over ``--procs``
   processes, one user each) connect with access tokens and subscribe to the
   project's ``general`` channel (``channel:<id>``).
2. ``--posters`` users post messages over REST for ``--seconds``: at
   ``--rate`` messages per second in all (spread evenly over the posters),
   or, with ``--rate 0``, each poster as fast as its previous post is
   answered. Every client notes each ``message.created`` it receives.

Deliveries per second are the messages received by all clients together,
counted over the posting window; a delivery's latency is its arrival minus
the moment its POST was sent (same host, same clock), so it covers the
request, the commit, the relay and the emit. The posting limit
(``WORKHUB_CHAT_RATE``) is lifted for the run. The target is at least 1,000
deliveries per second with 200 clients, every message delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from bench.data import PASSWORD
from bench.fanout import Server, _quantile, _tokens, run_and_report, shut_down, start_stack

__all__ = ("main",)

ROOT = Path(__file__).resolve().parents[1]
TARGET_DELIVERIES_PER_SECOND = 1000.0


@dataclass
class Options:
    """Command-line options."""

    clients: int
    procs: int
    posters: int
    rate: float
    seconds: float
    output: Path | None
    keep: bool


def parse_args(argv: list[str] | None = None) -> Options:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.chat", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--clients", type=int, default=200, help="Socket.IO clients in the channel (200)")
    parser.add_argument("--procs", type=int, default=2, help="client processes (2)")
    parser.add_argument("--posters", type=int, default=4, help="users posting over REST (4)")
    parser.add_argument(
        "--rate", type=float, default=10.0, help="messages per second in all; 0: as fast as answered (10)"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to post (20)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "chat.json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args(argv)
    return Options(args.clients, args.procs, args.posters, args.rate, args.seconds, args.output, args.keep)


@dataclass
class Result:
    """What one run measured."""

    clients: int
    connected: int
    posted: int
    post_errors: int
    messages_per_second: float
    """Messages posted per second over the posting window."""
    deliveries: int
    missing: int
    """Deliveries expected (posted × connected) that never arrived."""
    deliveries_per_second: float
    """Messages received by all clients together, per second of the posting window (arrivals after it excluded)."""
    deliveries_per_second_total: float
    """All deliveries over the window from the first POST to the last arrival."""
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    rest_p50_ms: float
    rest_p99_ms: float
    server_cpu_seconds: float
    server_cpu_ms_per_message: float
    clients_cpu_seconds: float
    connect_seconds: float
    load_average: float
    errors: dict[str, int] = field(default_factory=dict)


# --- the clients ------------------------------------------------------------


async def _run_clients(url: str, tokens: list[str], room: str, conn: Any) -> None:
    """Connect this process's clients, report, wait for the stop word, report arrivals."""
    import socketio

    arrivals: list[tuple[float, str]] = []
    errors: dict[str, int] = {}
    gate = asyncio.Semaphore(20)

    def count(kind: str) -> None:
        errors[kind] = errors.get(kind, 0) + 1

    async def one(token: str) -> Any:
        async with gate:
            for attempt in range(3):
                client = socketio.AsyncClient(reconnection=False)

                async def on_message(data: Any) -> None:
                    arrivals.append((time.time(), data["message"]["id"]))

                async def on_disconnect(*_: Any) -> None:
                    count("disconnect")

                client.on("message.created", on_message)
                client.on("disconnect", on_disconnect)
                try:
                    await client.connect(
                        url, auth={"token": token}, transports=["websocket"], wait_timeout=60
                    )
                    ack = await client.call("subscribe", {"room": room}, timeout=60)
                    if not (isinstance(ack, dict) and ack.get("ok")):
                        raise RuntimeError(f"subscribe refused: {ack}")
                    return client
                except Exception as exc:
                    count(f"connect:{type(exc).__name__}")
                    with contextlib.suppress(Exception):
                        await client.disconnect()
                    await asyncio.sleep(0.5 * (attempt + 1))
            return None

    made = [c for c in await asyncio.gather(*(one(t) for t in tokens)) if c is not None]
    conn.send(("ready", len(made), errors))
    await asyncio.to_thread(conn.recv)  # "start"
    cpu_start = time.process_time()
    await asyncio.to_thread(conn.recv)  # "stop"
    cpu_used = time.process_time() - cpu_start
    conn.send(("arrivals", arrivals, errors, cpu_used))
    for client in made:
        with contextlib.suppress(Exception):
            await client.disconnect()


def _client_process(url: str, tokens: list[str], room: str, conn: Any) -> None:
    asyncio.run(_run_clients(url, tokens, room, conn))


# --- the posters --------------------------------------------------------------


async def _general_channel(base_url: str, owner_email: str, project_id: UUID) -> str:
    """The project's ``general`` channel (created by the first listing), as its owner sees it."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        resp = await client.post("/api/v1/auth/login", json={"email": owner_email, "password": PASSWORD})
        resp.raise_for_status()
        headers = {"Authorization": f"Bearer {resp.json()['access_token']}"}
        resp = await client.get(f"/api/v1/projects/{project_id}/channels", headers=headers)
        resp.raise_for_status()
        return next(c["id"] for c in resp.json()["items"] if c["default"])


async def _post(
    base_url: str, channel_id: str, tokens: list[str], options: Options
) -> tuple[dict[str, float], list[float], int, float, float]:
    """Post for ``options.seconds``; (sent time by message id, response times, errors, start, end)."""
    sent: dict[str, float] = {}
    took: list[float] = []
    errors = 0
    url = f"/api/v1/channels/{channel_id}/messages"
    limits = httpx.Limits(max_connections=len(tokens) * 4)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        start = time.time()
        end = start + options.seconds

        async def send(token: str, n: int) -> None:
            nonlocal errors
            at = time.time()
            try:
                resp = await client.post(
                    url, json={"text": f"bench message {n}"}, headers={"Authorization": f"Bearer {token}"}
                )
            except httpx.HTTPError:
                errors += 1
                return
            took.append(time.time() - at)
            if resp.status_code == 201:
                sent[resp.json()["id"]] = at
            else:
                errors += 1

        async def closed_loop(index: int, token: str) -> None:
            n = 0
            while time.time() < end:
                await send(token, index * 1_000_000 + n)
                n += 1

        async def open_loop() -> None:
            interval = 1.0 / options.rate
            pending: set[asyncio.Task[None]] = set()
            n = 0
            while True:
                due = start + n * interval
                if due >= end:
                    break
                delay = due - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                task = asyncio.create_task(send(tokens[n % len(tokens)], n))
                pending.add(task)
                task.add_done_callback(pending.discard)
                n += 1
            if pending:
                await asyncio.gather(*pending)

        if options.rate > 0:
            await open_loop()
        else:
            await asyncio.gather(*(closed_loop(i, t) for i, t in enumerate(tokens)))
        finished = time.time()
    return sent, took, errors, start, finished


# --- the run ----------------------------------------------------------------------


def run(options: Options, tmp: Path) -> Result:
    """Everything: servers, data, clients, posting; returns the measurements."""

    handles: list[Any] = []
    server: Server | None = None
    pipes: list[Any] = []
    procs: list[Any] = []
    try:
        stack = start_stack(
            tmp,
            "bench_chat",
            options.clients + options.posters + 1,
            handles,
            extra_env={"WORKHUB_CHAT_RATE": "1000000000"},
        )
        server = stack.server
        project_id, owner_email, user_ids = stack.project_id, stack.owner_email, stack.user_ids
        secret, redis_url = stack.secret, stack.redis_url
        server.wait_ready()
        tokens = _tokens(secret, redis_url, user_ids[1 : options.clients + options.posters + 1])
        client_tokens, poster_tokens = tokens[: options.clients], tokens[options.clients :]
        channel_id = asyncio.run(_general_channel(server.url, owner_email, project_id))
        room = f"channel:{channel_id}"
        started = time.monotonic()
        context = multiprocessing.get_context("spawn")
        for i in range(options.procs):
            parent, child = context.Pipe()
            share = client_tokens[i :: options.procs]
            proc = context.Process(target=_client_process, args=(server.url, share, room, child), daemon=True)
            proc.start()
            pipes.append(parent)
            procs.append(proc)
        connected = 0
        errors: dict[str, int] = {}
        for pipe in pipes:
            _, got, errs = pipe.recv()
            connected += got
            for k, v in errs.items():
                errors[k] = errors.get(k, 0) + v
        connect_seconds = time.monotonic() - started
        print(
            f"{connected}/{options.clients} clients connected and subscribed in {connect_seconds:.1f}s",
            flush=True,
        )
        time.sleep(1.0)
        load_average = os.getloadavg()[0]
        for pipe in pipes:
            pipe.send("start")
        cpu_start = server.cpu()
        sent, took, post_errors, start, finished = asyncio.run(
            _post(server.url, channel_id, poster_tokens, options)
        )
        time.sleep(3.0)  # let the last pushes arrive
        cpu_used = server.cpu() - cpu_start
        for pipe in pipes:
            pipe.send("stop")
        arrivals: list[tuple[float, str]] = []
        clients_cpu = 0.0
        for pipe in pipes:
            _, got_arrivals, errs, cpu = pipe.recv()
            arrivals.extend(got_arrivals)
            clients_cpu += cpu
            for k, v in errs.items():
                errors[k] = errors.get(k, 0) + v
        latencies = [(at - sent[mid]) * 1000 for at, mid in arrivals if mid in sent]
        window = max(1e-9, finished - start)
        in_window = sum(1 for at, mid in arrivals if mid in sent and at <= finished)
        last = max((at for at, _ in arrivals), default=finished)
        return Result(
            clients=options.clients,
            connected=connected,
            posted=len(sent),
            post_errors=post_errors,
            messages_per_second=round(len(sent) / window, 1),
            deliveries=len(latencies),
            missing=connected * len(sent) - len(latencies),
            deliveries_per_second=round(in_window / window, 1),
            deliveries_per_second_total=round(len(latencies) / max(1e-9, last - start), 1),
            p50_ms=round(_quantile(latencies, 0.50), 1),
            p90_ms=round(_quantile(latencies, 0.90), 1),
            p99_ms=round(_quantile(latencies, 0.99), 1),
            max_ms=round(max(latencies, default=float("nan")), 1),
            rest_p50_ms=round(statistics.median(took) * 1000, 1) if took else float("nan"),
            rest_p99_ms=round(_quantile([t * 1000 for t in took], 0.99), 1),
            server_cpu_seconds=round(cpu_used, 2),
            server_cpu_ms_per_message=round(cpu_used * 1000 / max(1, len(sent)), 1),
            clients_cpu_seconds=round(clients_cpu, 2),
            connect_seconds=round(connect_seconds, 1),
            load_average=round(load_average, 2),
            errors=errors,
        )
    finally:
        shut_down(procs, server, handles, join_timeout=20)


def main(argv: list[str] | None = None) -> int:
    """Run once, print the result and write it to ``--output``."""
    options = parse_args(argv)
    target = {"target_deliveries_per_second": TARGET_DELIVERIES_PER_SECOND}
    result = run_and_report(options, "workhub-chat-", run, target)
    met = result.deliveries_per_second >= TARGET_DELIVERIES_PER_SECOND and result.missing == 0
    print(
        f"target >= {TARGET_DELIVERIES_PER_SECOND:.0f} deliveries/s with every message delivered: "
        f"{'met' if met else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
