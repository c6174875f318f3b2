"""`workhub run` as a real process: SIGTERM lets in-flight requests finish, then exits 0 promptly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.integration.kernel.conftest import write_distribution
from tests.support import server_env
from workhub.kernel.embedded import free_port
from workhub.settings import Settings

REPO = Path(__file__).resolve().parents[3]
WORKHUB = Path(sys.executable).with_name("workhub")


@pytest.fixture
async def server(settings: Settings, tmp_path: Path) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    """`workhub run` with the probe plugin installed (an entry point on PYTHONPATH) and enabled by name."""
    assert settings.database_url and settings.redis_url
    site = write_distribution(tmp_path / "site", {"probe": "tests.integration.kernel.probe:plugin"})
    port = free_port()
    env = server_env(
        settings,
        PYTHONPATH=os.pathsep.join([str(site), str(REPO)]),
        WORKHUB_HOST="127.0.0.1",
        WORKHUB_PORT=str(port),
        WORKHUB_PLUGINS="probe",
        WORKHUB_DATA_DIR=str(tmp_path / "data"),
    )
    proc = await asyncio.create_subprocess_exec(
        str(WORKHUB), "run", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=2) as client:
            for _ in range(150):
                if proc.returncode is not None:
                    break
                try:
                    if (await client.get("/health/live")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            else:
                pytest.fail("workhub run did not start listening")
        if proc.returncode is not None:
            err = await proc.stderr.read() if proc.stderr else b""
            pytest.fail(f"workhub run exited early: {err.decode()}")
        yield proc, base
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_sigterm_finishes_the_request_in_flight_then_exits_0(
    server: tuple[asyncio.subprocess.Process, str],
) -> None:
    proc, base = server
    async with httpx.AsyncClient(base_url=base, timeout=15) as client:
        in_flight = asyncio.create_task(client.get("/api/v1/integrations/probe/sleep", params={"seconds": 2}))
        await asyncio.sleep(0.7)  # the request is inside the handler now
        assert not in_flight.done()
        proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        resp = await in_flight
        assert resp.status_code == 200, resp.text
        assert resp.json() == {"slept": 2.0}
        code = await asyncio.wait_for(proc.wait(), timeout=10)
        stopped_after = time.monotonic() - signalled
    stderr = (await proc.stderr.read()).decode() if proc.stderr else ""
    assert code == 0, stderr
    assert stopped_after < 6, f"took {stopped_after:.1f}s to stop"
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("/health/live")


async def test_workhub_run_refuses_to_start_with_an_unknown_plugin(
    settings: Settings, tmp_path: Path
) -> None:
    assert settings.database_url and settings.redis_url
    env = server_env(
        settings,
        WORKHUB_PORT=str(free_port()),
        WORKHUB_PLUGINS="example,nosuchplugin",
        WORKHUB_DATA_DIR=str(tmp_path / "data"),
    )
    proc = await asyncio.create_subprocess_exec(
        str(WORKHUB), "run", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode != 0
    assert "WORKHUB_PLUGINS names plugins that are not installed: nosuchplugin" in err.decode()
