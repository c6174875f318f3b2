"""Running user jobs on the SAQ worker, and cleaning up after them.

``job.created`` (after commit) enqueues :func:`run_job` keyed by the job's
id, so a repeated delivery enqueues nothing new. A run claims the row under
a new attempt number, calls the kind's code with a
:class:`~workhub.jobs.work.JobContext` and finishes the row in one
transaction with its ``job.finished`` event and the owner's notification. A
worker killed mid-run leaves the row ``active``; the queue runs the job again
(see :mod:`workhub.kernel.queue`) and it starts over from the beginning,
writing a new temporary file of its own. Should an older run still be going
(a duplicate delivery), the attempt number fences it out: its next progress
write or its finish finds the row taken and it stops, dropping its files. Expected failures (a bad
file, a project the owner may no longer use) fail the job at once;
unexpected errors are retried by the queue and fail the job after the last
attempt.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from workhub.accounts.api import UserService
from workhub.jobs.exporters import export_stats, export_tasks
from workhub.jobs.files import jobs_dir, other_runs, publish_file, remove_quietly, result_path, temp_path
from workhub.jobs.importer import import_tasks
from workhub.jobs.params import Caller
from workhub.jobs.services import JobService
from workhub.jobs.work import JobCancelledError, JobContext, JobFailedError, Outcome, Progress
from workhub.kernel.clock import clock
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import session_scope
from workhub.kernel.errors import AppError
from workhub.kernel.i18n import translate

if TYPE_CHECKING:
    from pathlib import Path

    from saq import Job as SaqJob

    from workhub.jobs.events import JobCreated
    from workhub.kernel.plugins import Registry, Runtime
    from workhub.kernel.queue import JobQueue

__all__ = ("HANDLERS", "RUN_JOB", "TIME_LIMITS", "clean_up", "enqueue_job", "enqueue_run", "run_job")

logger = logging.getLogger("workhub.jobs")
RUN_JOB = "jobs.run_job"
"""The SAQ name of :func:`run_job`."""
HANDLERS: dict[str, Callable[[JobContext], Awaitable[Outcome]]] = {
    "export_tasks_csv": export_tasks,
    "export_stats_csv": export_stats,
    "import_tasks_csv": import_tasks,
}
TIME_LIMITS: dict[str, int] = {
    "export_tasks_csv": 15 * 60,
    "export_stats_csv": 15 * 60,
    "import_tasks_csv": 60 * 60,
}
"""Seconds a run of each kind may take before the queue stops it (and retries it).

An export streams 100,000 tasks in seconds; an import of 100,000 rows,
one transaction of that many creations, takes minutes (docs/performance.md).
The limits leave room for a loaded machine and catch a run that hangs.
"""


async def enqueue_run(queue: JobQueue, job_id: str, kind: str) -> None:
    """Put a run of job ``job_id`` on the queue, keyed by its id, with its kind's time limit."""
    await queue.enqueue(RUN_JOB, key=job_id, time_limit=TIME_LIMITS.get(kind), job_id=job_id)


async def enqueue_job(event: JobCreated, runtime: Runtime) -> None:
    """Subscriber of ``job.created``: put the job on the queue, keyed by its id."""
    await enqueue_run(runtime.queue, str(event.entity_id), event.job.kind)


async def run_job(ctx: dict[str, Any], *, job_id: str) -> None:
    """SAQ job: run one user job from the start (a repeat after a crash starts over)."""
    registry: Registry = ctx["registry"]
    runtime = registry.runtime
    saq_job: SaqJob | None = ctx.get("job")
    last_attempt = saq_job is None or saq_job.attempts >= saq_job.retries
    jid = UUID(job_id)
    async with session_scope(runtime.db) as session:
        job = await JobService(session=session).claim(jid)
        if job is None:
            return
        kind, params, user_id, attempt = job.kind, dict(job.params), job.user_id, job.attempts
        profile = await UserService(session=session).find_profile(user_id)
    if profile is None:
        return
    caller = Caller(
        id=user_id, is_admin=profile.role == "admin", locale=profile.locale, timezone=profile.timezone
    )
    run = _Run(runtime, jid, attempt, caller.locale)
    progress = Progress(runtime, jid, attempt)
    await progress.emit("active", 0)
    with acting_as(Actor(kind="user", id=user_id, name=profile.name)):
        try:
            outcome = await HANDLERS[kind](JobContext(runtime, jid, caller, params, progress, run.temp))
        except JobCancelledError:
            remove_quietly(run.temp)
            await progress.emit("cancelled", progress.value)
            return
        except (JobFailedError, AppError) as exc:
            await run.fail(exc)
            return
        except Exception:
            remove_quietly(run.temp)
            if last_attempt:
                await run.finish("failed", error=translate("job.error.internal", caller.locale))
            else:
                async with session_scope(runtime.db) as session:
                    await JobService(session=session).requeue(
                        jid, attempt, translate("job.message.retrying", caller.locale)
                    )
            raise
        await run.finish("completed", message=outcome.message, result_name=outcome.name)


class _Run:
    """One run (attempt) of a job: its files, and how it ends."""

    def __init__(self, runtime: Runtime, job_id: UUID, attempt: int, locale: str) -> None:
        self.runtime = runtime
        self.job_id = job_id
        self.attempt = attempt
        self.locale = locale
        self.temp = temp_path(runtime.settings, job_id, attempt)
        self.final = result_path(runtime.settings, job_id, attempt)

    async def finish(
        self,
        status: str,
        *,
        message: str | None = None,
        error: str | None = None,
        result_name: str | None = None,
    ) -> None:
        """End the job; with ``result_name`` the temporary file becomes its result first.

        When this run no longer owns the job (cancelled at the last moment, or
        taken over by a newer run) its file is nobody's result and goes.
        """
        result = None
        if result_name is not None:
            result = (self.final, result_name, publish_file(self.temp, self.final))
        async with session_scope(self.runtime.db) as session:
            done = await JobService(session=session).finish(
                self.job_id,
                self.attempt,
                status=status,
                message=message,
                notifier=self.runtime.notifier,
                error=error,
                result=result,
            )
        if done is None:
            logger.info(
                "job %s: run %d no longer owns the job; its file is dropped", self.job_id, self.attempt
            )
            remove_quietly(self.temp)
            remove_quietly(self.final)
            return
        for leftover in other_runs(self.runtime.settings, self.job_id, self.attempt):
            remove_quietly(leftover)

    async def fail(self, exc: Exception) -> None:
        """Fail the job with a message for its owner; a report the job wrote becomes its result."""
        if isinstance(exc, JobFailedError):
            error, report = exc.message, exc.report
        else:
            assert isinstance(exc, AppError)
            detail = f": {exc.detail}" if exc.detail else ""
            error, report = translate(exc.message_key, self.locale) + detail, None
        if report is not None and self.temp.exists():
            await self.finish("failed", error=error, result_name=report)
        else:
            remove_quietly(self.temp)
            await self.finish("failed", error=error)


async def clean_up(ctx: dict[str, Any]) -> None:
    """Cron: delete expired results, and uploads and temporary files older than a day."""
    registry: Registry = ctx["registry"]
    runtime = registry.runtime
    now = clock.now()
    while True:
        async with session_scope(runtime.db) as session:
            service = JobService(session=session)
            expired = await service.expired_results(now)
            for _, path in expired:
                remove_quietly(_inside(runtime, path))
            if expired:
                await service.forget_results([job_id for job_id, _ in expired])
        if len(expired) < 500:
            break
    cutoff = time.time() - 24 * 3600
    root = jobs_dir(runtime.settings)
    for folder in (root / "uploads", root / "results"):
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            is_stale = path.is_file() and path.stat().st_mtime < cutoff
            if is_stale and (folder.name == "uploads" or path.name.endswith(".part")):
                remove_quietly(path)


def _inside(runtime: Runtime, path: str) -> Path | None:
    """``path`` if it lies in the jobs directory (never delete anything else)."""
    root = jobs_dir(runtime.settings)
    candidate = root.joinpath(path).resolve()
    return candidate if os.path.commonpath([root, candidate]) == str(root) else None
