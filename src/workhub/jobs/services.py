"""User jobs: the only code that reads or writes the ``job`` table.

The routes create, list, cancel and hand out results; the runner
(:mod:`workhub.jobs.runner`) claims a job, records its progress and finishes
it. A job belongs to the user who started it: anyone else is told it does
not exist (404), administrators included.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import select, update

from workhub.jobs import schemas
from workhub.jobs.events import JobCancelled, JobCreated, JobFinished
from workhub.jobs.models import Job
from workhub.kernel.clock import clock
from workhub.kernel.db import new_id
from workhub.kernel.errors import AppError, Conflict, NotFound, ValidationFailed
from workhub.kernel.events import publish
from workhub.kernel.i18n import Msg
from workhub.kernel.notifier import NotificationRequest, Notifier
from workhub.kernel.pagination import decode_cursor, encode_cursor
from workhub.kernel.services import Service

__all__ = ("ACTIVE", "RESULT_TTL", "TERMINAL", "Gone", "JobService")

RESULT_TTL = timedelta(days=7)
"""How long a result file can be downloaded."""
ACTIVE = ("queued", "active")
TERMINAL = ("completed", "failed", "cancelled")


class Gone(AppError):
    """The thing existed but is no longer kept (an expired job result)."""

    status = 410
    code = "gone"
    message_key = "job.result_expired"


class JobService(Service[Job]):
    """Jobs of users: create, list, cancel, progress and finish."""

    class Repo(SQLAlchemyAsyncRepository[Job]):
        """Job rows."""

        model_type = Job

    repository_type = Repo

    @staticmethod
    def as_schema(job: Job, now: datetime | None = None) -> schemas.Job:
        """The API form of a job; ``result_url`` only while its file can be downloaded."""
        now = now or clock.now()
        available = job.result_path is not None and (job.expires_at is None or job.expires_at > now)
        return schemas.Job(
            id=job.id,
            user_id=job.user_id,
            kind=job.kind,
            params=dict(job.params),
            status=job.status,  # type: ignore[arg-type]
            progress=job.progress,
            attempts=job.attempts,
            message=job.message,
            error=job.error,
            result_name=job.result_name,
            result_size=job.result_size,
            result_url=f"/api/v1/jobs/{job.id}/result" if available else None,
            expires_at=job.expires_at,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )

    # --- what the routes do ----------------------------------------------

    async def start(self, user_id: UUID, kind: str, params: dict[str, Any]) -> schemas.Job:
        """A queued job (``params`` already checked); ``job.created`` puts it on the queue after commit."""
        now = clock.now()
        job = Job(
            id=new_id(),
            user_id=user_id,
            kind=kind,
            params=params,
            status="queued",
            progress=0,
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        self.session.add(job)
        await self.session.flush()
        result = self.as_schema(job, now)
        await publish(self.session, JobCreated(entity_id=job.id, job=result, changes={"kind": [None, kind]}))
        return result

    async def page(self, user_id: UUID, *, limit: int, cursor: str | None) -> schemas.JobPage:
        """The user's jobs, newest first."""
        stmt = select(Job).where(Job.user_id == user_id).order_by(Job.id.desc()).limit(limit + 1)
        if cursor:
            (last,) = decode_cursor(cursor, 1)
            try:
                stmt = stmt.where(Job.id < UUID(str(last)))
            except ValueError as exc:
                raise ValidationFailed.field(
                    "cursor", "The cursor is not valid.", code="invalid_cursor"
                ) from exc
        rows = list((await self.session.scalars(stmt)).all())
        more = len(rows) > limit
        rows = rows[:limit]
        now = clock.now()
        return schemas.JobPage(
            items=[self.as_schema(job, now) for job in rows],
            next_cursor=encode_cursor(str(rows[-1].id)) if more and rows else None,
        )

    async def owned(self, job_id: UUID, user_id: UUID, *, lock: bool = False) -> Job:
        """The user's job; 404 when it is someone else's or absent."""
        stmt = select(Job).where(Job.id == job_id, Job.user_id == user_id)
        if lock:
            stmt = stmt.with_for_update()
        job = await self.session.scalar(stmt)
        if job is None:
            raise NotFound
        return job

    async def cancel(self, job_id: UUID, user_id: UUID) -> schemas.Job:
        """Stop a queued or running job (a running one stops at its next progress step)."""
        job = await self.owned(job_id, user_id, lock=True)
        if job.status not in ACTIVE:
            raise Conflict(
                "Only a queued or running job can be cancelled.",
                code="job_not_cancellable",
                message_key="job.not_cancellable",
            )
        now = clock.now()
        before = job.status
        job.status = "cancelled"
        job.finished_at = now
        job.updated_at = now
        await self.session.flush()
        result = self.as_schema(job, now)
        await publish(
            self.session,
            JobCancelled(entity_id=job.id, job=result, changes={"status": [before, "cancelled"]}),
        )
        return result

    async def result_file(self, job_id: UUID, user_id: UUID) -> tuple[Path, str]:
        """The result file of the user's job and its download name.

        409 while there is none (yet), 410 once it has expired.
        """
        job = await self.owned(job_id, user_id)
        if job.result_path is None or job.result_name is None:
            if job.expires_at is not None:
                raise Gone("The result has expired and was deleted.", code="result_expired")
            raise Conflict(
                "This job has no result to download (yet).",
                code="result_not_ready",
                message_key="job.result_not_ready",
            )
        if job.expires_at is not None and job.expires_at <= clock.now():
            raise Gone("The result has expired and was deleted.", code="result_expired")
        path = Path(job.result_path)
        if not path.is_file():  # noqa: ASYNC240 - one stat of a local file
            raise Gone("The result file is no longer there.", code="result_expired")
        return path, job.result_name

    # --- what the runner does --------------------------------------------

    async def claim(self, job_id: UUID) -> Job | None:
        """Start a run: the job becomes ``active`` under a new attempt number.

        None when the job is gone, finished or cancelled.

        A job found ``active`` was cut off by a crash (or is still running
        somewhere, delivered twice): it starts over, and the older run, fenced
        out by the attempt number, stops at its next step.
        """
        job = await self.session.scalar(select(Job).where(Job.id == job_id).with_for_update())
        if job is None or job.status in TERMINAL:
            return None
        now = clock.now()
        job.status = "active"
        job.attempts += 1
        job.progress = 0
        job.message = None
        job.error = None
        job.started_at = now
        job.updated_at = now
        await self.session.flush()
        return job

    async def set_progress(self, job_id: UUID, attempt: int, progress: int, message: str | None) -> bool:
        """Record progress of run ``attempt``.

        False when that run no longer owns the job (cancelled, or taken over by a newer run).
        """
        found = await self.session.scalar(
            update(Job)
            .where(Job.id == job_id, Job.status == "active", Job.attempts == attempt)
            .values(progress=progress, message=message, updated_at=clock.now())
            .returning(Job.id)
        )
        return found is not None

    async def requeue(self, job_id: UUID, attempt: int, message: str | None) -> None:
        """Back to ``queued`` after run ``attempt`` failed and another one will follow."""
        await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "active", Job.attempts == attempt)
            .values(status="queued", message=message, updated_at=clock.now())
        )

    async def finish(
        self,
        job_id: UUID,
        attempt: int,
        *,
        status: str,
        message: str | None,
        notifier: Notifier,
        error: str | None = None,
        result: tuple[Path, str, int] | None = None,
    ) -> schemas.Job | None:
        """Complete or fail a running job, publish ``job.finished`` and notify its owner through ``notifier``.

        ``result`` is the file already in place, its download name and size.
        None when run ``attempt`` no longer owns the job (cancelled in the
        meantime, or taken over by a newer run): nothing changes then.
        """
        job = await self.session.scalar(select(Job).where(Job.id == job_id).with_for_update())
        if job is None or job.status != "active" or job.attempts != attempt:
            return None
        now = clock.now()
        job.status = status
        job.progress = 100 if status == "completed" else job.progress
        job.message = message
        job.error = error
        job.finished_at = now
        job.updated_at = now
        if result is not None:
            path, name, size = result
            job.result_path, job.result_name, job.result_size = str(path), name, size
            job.expires_at = now + RESULT_TTL
        await self.session.flush()
        schema = self.as_schema(job, now)
        event = JobFinished(
            entity_id=job.id,
            job=schema,
            changes={"status": ["active", status], "progress": [None, job.progress]},
        )
        await publish(self.session, event)
        await notifier.send(
            self.session,
            NotificationRequest(
                user_id=job.user_id,
                kind="job_finished",
                event_id=event.id,
                params={
                    "job": Msg(f"job.kind.{job.kind}"),
                    "outcome": Msg(f"job.status.{status}"),
                    "message": message or error or "",
                },
                link=f"/jobs/{job.id}",  # the dashboard's page of the job, with its download
                data={"job_id": str(job.id), "status": status},
            ),
        )
        return schema

    async def expired_results(self, now: datetime, *, limit: int = 500) -> list[tuple[UUID, str]]:
        """Jobs whose result expired but whose file is still recorded (id, path)."""
        rows = await self.session.execute(
            select(Job.id, Job.result_path)
            .where(Job.result_path.is_not(None), Job.expires_at <= now)
            .order_by(Job.expires_at)
            .limit(limit)
        )
        return [(row[0], str(row[1])) for row in rows]

    async def forget_results(self, job_ids: list[UUID]) -> None:
        """Clear the file of jobs whose results were deleted (``expires_at`` stays: the download is 410)."""
        await self.session.execute(
            update(Job).where(Job.id.in_(job_ids)).values(result_path=None, updated_at=clock.now())
        )

    async def owner_of(self, job_id: UUID) -> UUID | None:
        """Who started the job (None if there is no such job)."""
        return await self.session.scalar(select(Job.user_id).where(Job.id == job_id))

    async def reset_failed(self, job_id: UUID) -> str | None:
        """Put a failed job back in the queue for an administrator's retry: its kind, or None if it is not failed."""
        return await self.session.scalar(
            update(Job)
            .where(Job.id == job_id, Job.status == "failed")
            .values(status="queued", progress=0, error=None, finished_at=None, updated_at=clock.now())
            .returning(Job.kind)
        )
