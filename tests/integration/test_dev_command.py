"""`workhub dev` (what `make run` runs) as a user meets it, on its own embedded servers.

First start: migrations, demo data, the URL and demo logins printed, the demo
users can sign in and see their tasks. SIGTERM stops everything, embedded
servers included. A second start keeps the data and seeds nothing again.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import sys
import time
from pathlib import Path
from uuid import uuid4

import httpx
import jwt
import psutil
import pytest

from workhub.demo import DEMO_LOGINS
from workhub.kernel.embedded import free_port
from workhub.kernel.keys import key_id

WORKHUB = Path(sys.executable).with_name("workhub")


async def _start(data_dir: Path, port: int) -> tuple[asyncio.subprocess.Process, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKHUB_")}
    env |= {"WORKHUB_DATA_DIR": str(data_dir), "WORKHUB_PORT": str(port), "WORKHUB_ENV": "test"}
    proc = await asyncio.create_subprocess_exec(
        str(WORKHUB), "dev", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    lines: list[str] = []
    assert proc.stdout is not None
    while True:  # until the banner's last line (or the process dies)
        raw = await asyncio.wait_for(proc.stdout.readline(), timeout=90)
        if not raw:
            pytest.fail("workhub dev exited early:\n" + "\n".join(lines))
        lines.append(raw.decode().rstrip())
        if "Press Ctrl-C to stop" in lines[-1]:
            return proc, lines


async def _stop(proc: asyncio.subprocess.Process) -> int:
    proc.send_signal(signal.SIGTERM)
    assert proc.stdout is not None
    await asyncio.wait_for(proc.stdout.read(), timeout=30)  # drain, so the process can exit
    return await asyncio.wait_for(proc.wait(), timeout=30)


async def _wait_ready(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        for _ in range(100):
            try:
                if (await client.get("/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    pytest.fail("workhub dev never became ready")


async def test_first_start_seeds_demo_data_and_a_second_start_keeps_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "workhub-data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    proc, banner = await _start(data_dir, port)
    try:
        text = "\n".join(banner)
        assert f"WorkHub is running at {base}" in text
        assert "Demo data created on first start." in text
        for email, password, _ in DEMO_LOGINS:
            assert f"{email} / {password}" in text
        await _wait_ready(base)
        key_file = data_dir / "secret-keys"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600, "the generated signing key is private"
        [key] = key_file.read_text().split()
        async with httpx.AsyncClient(base_url=base, timeout=5) as client:
            login = await client.post(
                "/api/v1/auth/login", json={"email": DEMO_LOGINS[1][0], "password": DEMO_LOGINS[1][1]}
            )
            assert login.status_code == 200, login.text
            assert jwt.get_unverified_header(login.json()["access_token"])["kid"] == key_id(key)
            # What anyone who read the source of earlier versions could sign is refused.
            forged = jwt.encode(
                {"sub": str(uuid4()), "role": "admin", "jti": "f" * 32, "exp": int(time.time()) + 60},
                "dev-secret-change-me-0123456789abcdef",
                algorithm="HS256",
            )
            refused = await client.get("/api/v1/admin/users", headers={"Authorization": f"Bearer {forged}"})
            assert refused.status_code == 401
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            tasks = (await client.get("/api/v1/tasks", params={"limit": 200}, headers=headers)).json()[
                "items"
            ]
            assert 25 <= len(tasks) <= 40
            assert any(t["overdue"] for t in tasks), "the demo has overdue tasks"
            assert all(t["key"].startswith("OPS-") for t in tasks)
    finally:
        code = await _stop(proc)
    assert code == 0
    pid_file = data_dir / "postgres" / "postmaster.pid"
    assert not pid_file.exists(), "the embedded PostgreSQL was left running"

    proc, banner = await _start(data_dir, port)
    try:
        assert "Demo data created" not in "\n".join(banner)
        await _wait_ready(base)
        async with httpx.AsyncClient(base_url=base, timeout=5) as client:
            login = await client.post(
                "/api/v1/auth/login", json={"email": DEMO_LOGINS[2][0], "password": DEMO_LOGINS[2][1]}
            )
            assert login.status_code == 200
            assert jwt.get_unverified_header(login.json()["access_token"])["kid"] == key_id(key)  # same key
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            again = (await client.get("/api/v1/tasks", params={"limit": 200}, headers=headers)).json()[
                "items"
            ]
            assert len(again) == len(tasks)
    finally:
        assert await _stop(proc) == 0


def _running(pid_file: Path) -> int | None:
    """The pid a server's pid file names, if that process is alive."""
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().split()[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


async def test_after_a_kill_9_the_next_start_adopts_the_servers_and_its_clean_stop_stops_them(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "crashed"
    port = free_port()
    proc, _ = await _start(data_dir, port)
    await _wait_ready(f"http://127.0.0.1:{port}")
    postgres_pid = data_dir / "postgres" / "postmaster.pid"
    first_pg = _running(postgres_pid)
    assert first_pg is not None
    proc.kill()  # SIGKILL: nothing of workhub's own clean-up runs
    await proc.wait()
    assert _running(postgres_pid) == first_pg, "the embedded PostgreSQL outlives a kill -9 (nothing stops it)"

    proc, _ = await _start(data_dir, port)
    try:
        await _wait_ready(f"http://127.0.0.1:{port}")
        assert _running(postgres_pid) == first_pg  # adopted, not a second server
        settings = json.loads((data_dir / "redis" / "redis.db.settings").read_text())
        redis_pid = _running(Path(settings["pidfile"]))
        assert redis_pid is not None
    finally:
        assert await _stop(proc) == 0
    assert _running(postgres_pid) is None, "a clean stop stops the server a killed run started"
    assert not psutil.pid_exists(redis_pid) or psutil.Process(redis_pid).status() == psutil.STATUS_ZOMBIE, (
        "Redis too"
    )
