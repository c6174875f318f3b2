"""``workhub worker`` as a real process for crash and shutdown tests, with the worker probe installed.

Its output goes to a file (a pipe nobody reads could fill up and stall it);
:meth:`WorkerProcess.log` returns it for failure messages.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.integration.kernel.conftest import write_distribution
from tests.support import server_env
from workhub.settings import Settings

__all__ = ("WorkerProcess",)

REPO = Path(__file__).resolve().parents[3]
WORKHUB = Path(sys.executable).with_name("workhub")


class WorkerProcess:
    """One ``workhub worker`` at a time on the test database and Redis; restartable."""

    def __init__(self, settings: Settings, tmp_path: Path, **env: str) -> None:
        assert settings.database_url and settings.redis_url
        site = write_distribution(
            tmp_path / "site", {"workerprobe": "tests.integration.kernel.worker_probe:plugin"}
        )
        self.env = server_env(
            settings,
            PYTHONPATH=os.pathsep.join([str(site), str(REPO)]),
            WORKHUB_PLUGINS="workerprobe",
            WORKHUB_DATA_DIR=str(tmp_path / "data"),
            WORKHUB_DB_POOL_SIZE="3",
            WORKHUB_WORKER_SWEEP_SECONDS="1",
            **env,
        )
        self.log_path = tmp_path / "worker.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start a worker (the previous one must have exited)."""
        assert self.proc is None or self.proc.returncode is not None
        log = self.log_path.open("ab")
        try:
            self.proc = await asyncio.create_subprocess_exec(
                str(WORKHUB), "worker", env=self.env, stdout=log, stderr=log
            )
        finally:
            log.close()

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` and wait (at most 30 s) for the exit code."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        return await asyncio.wait_for(self.proc.wait(), timeout=30)

    async def kill(self) -> None:
        """SIGKILL: no handler runs, no transaction commits, no job is handed back."""
        await self.stop(signal.SIGKILL)

    def log(self) -> str:
        """What the worker printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
