"""What a job's code works with: its context, its progress reporter and how it ends.

Progress is written to the job's row (so ``GET /api/v1/jobs/{id}`` shows it)
and emitted to the ``job:<id>`` room as ``job.progress``. Writes are
throttled: at most one per :attr:`Progress.interval` seconds, and only when
the figure moved (or every few seconds regardless, so that a cancellation is
noticed). Each write is also where a running job learns it was cancelled:
the write finds the row no longer ``active`` and :class:`JobCancelledError`
unwinds the job, which then removes its partial file.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from workhub.jobs.services import JobService
from workhub.kernel.db import session_scope

if TYPE_CHECKING:
    from pathlib import Path

    from workhub.jobs.params import Caller
    from workhub.kernel.plugins import Runtime

__all__ = ("JobCancelledError", "JobContext", "JobFailedError", "Outcome", "Progress")

logger = logging.getLogger("workhub.jobs")


class JobCancelledError(Exception):
    """The job's owner cancelled it; it stops and leaves nothing behind."""


class JobFailedError(Exception):
    """The job cannot succeed (bad input): it fails at once, without retries.

    ``message`` is for the owner (in their language); with ``report`` the
    file the job wrote (a list of rejected rows) becomes its result anyway.
    """

    def __init__(self, message: str, *, report: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.report = report


@dataclass(frozen=True)
class Outcome:
    """A job that succeeded: the download name of the file it wrote and a line for its owner."""

    name: str
    message: str


class Progress:
    """Records and emits a job's progress as it moves (0–99; 100 is set when it completes)."""

    interval = 0.5
    """Seconds between two writes at least."""
    heartbeat = 3.0
    """Seconds after which a write happens even if the figure did not move."""

    def __init__(self, runtime: Runtime, job_id: UUID, attempt: int) -> None:
        self.runtime = runtime
        self.job_id = job_id
        self.attempt = attempt
        self.value = 0
        self._written_at = 0.0

    async def step(
        self, done: int, total: int, *, start: int = 0, end: int = 100, message: str | None = None
    ) -> None:
        """``done`` of ``total`` units of the part of the job that spans ``start``–``end`` percent."""
        share = done / total if total > 0 else 1.0
        await self.set(start + int((end - start) * min(share, 1.0)), message)

    async def set(self, percent: int, message: str | None = None, *, force: bool = False) -> None:
        """Move to ``percent`` (never backwards); raises :class:`JobCancelledError` if cancelled."""
        percent = max(self.value, min(percent, 99))
        elapsed = time.monotonic() - self._written_at
        moved = percent > self.value
        if not force and not (moved and elapsed >= self.interval) and elapsed < self.heartbeat:
            return
        async with session_scope(self.runtime.db) as session:
            running = await JobService(session=session).set_progress(
                self.job_id, self.attempt, percent, message
            )
        self._written_at = time.monotonic()
        if not running:
            raise JobCancelledError
        self.value = percent
        await self.emit("active", percent, message)

    async def emit(self, status: str, percent: int, message: str | None = None) -> None:
        """Push ``job.progress`` to the job's room (best effort: a lost push is only a missed frame)."""
        payload: dict[str, Any] = {
            "job_id": str(self.job_id),
            "status": status,
            "progress": percent,
            "message": message,
        }
        try:
            await self.runtime.broadcaster.emit("job.progress", payload, room=f"job:{self.job_id}")
        except Exception:
            logger.warning("could not push the progress of job %s", self.job_id, exc_info=True)


@dataclass(frozen=True)
class JobContext:
    """Everything a kind's code gets: the runtime, who it runs for, its params and where to write."""

    runtime: Runtime
    job_id: UUID
    caller: Caller
    params: dict[str, Any]
    progress: Progress
    temp: Path
