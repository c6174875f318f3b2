"""`workhub run`: the production web server, several worker processes, stopped cleanly by SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest

from tests.support import PASSWORD
from workhub.kernel.embedded import free_port
from workhub.settings import Settings

WORKHUB = Path(sys.executable).with_name("workhub")


async def test_run_serves_with_two_worker_processes_and_stops_on_sigterm(settings: Settings) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKHUB_")}
    env |= {
        "WORKHUB_DATABASE_URL": settings.database_url or "",
        "WORKHUB_REDIS_URL": settings.redis_url or "",
        "WORKHUB_PORT": str(port),
        "WORKHUB_WEB_WORKERS": "2",
        "WORKHUB_SECRET_KEY": settings.secret_key or "",
        "WORKHUB_ENV": "test",
    }
    proc = await asyncio.create_subprocess_exec(
        str(WORKHUB), "run", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as client:
            for _ in range(300):
                try:
                    if (await client.get("/health/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                pytest.fail("workhub run never became ready")
            email = f"run-{port}@example.com"
            registered = await client.post(
                "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Run"}
            )
            assert registered.status_code == 201, registered.text
            login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            # Many requests over fresh connections land on both processes; each answers the same.
            answers = await asyncio.gather(*(client.get("/api/v1/me", headers=headers) for _ in range(20)))
            assert {r.status_code for r in answers} == {200}
        children = (
            await asyncio.create_subprocess_exec("pgrep", "-P", str(proc.pid), stdout=asyncio.subprocess.PIPE)
        ).stdout
        assert children is not None
        pids = (await children.read()).split()
        assert len(pids) >= 2, "two web worker processes"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.stdout is not None
        output = await asyncio.wait_for(proc.stdout.read(), timeout=40)
        code = await asyncio.wait_for(proc.wait(), timeout=10)
    assert code == 0, output.decode(errors="replace")
    assert "2 worker processes" in output.decode()


@pytest.mark.parametrize("key", [None, "dev-secret-change-me-0123456789abcdef", "too-short"])
async def test_run_on_an_external_database_refuses_to_start_without_a_strong_key(
    settings: Settings, tmp_path: Path, key: str | None
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKHUB_")}
    env |= {
        "WORKHUB_DATABASE_URL": settings.database_url or "",
        "WORKHUB_REDIS_URL": settings.redis_url or "",
        "WORKHUB_DATA_DIR": str(tmp_path),
        "WORKHUB_PORT": str(free_port()),
    }
    if key is not None:
        env["WORKHUB_SECRET_KEY"] = key
    for command in ("run", "worker"):
        proc = await asyncio.create_subprocess_exec(
            str(WORKHUB), command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        output, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 1, output.decode(errors="replace")
        assert "refusing to start" in output.decode() and "WORKHUB_SECRET_KEY" in output.decode()
    assert not (tmp_path / "secret-keys").exists()  # no key file is made for an external database
