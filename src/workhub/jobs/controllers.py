"""Routes of user jobs and, for administrators, of failed background jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import File
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.accounts.api import UserService
from workhub.jobs import schemas
from workhub.jobs.events import JobRetried
from workhub.jobs.files import UPLOAD_MAX_BYTES, UPLOAD_TTL_SECONDS, remove_quietly, upload_path
from workhub.jobs.params import Caller, check_params
from workhub.jobs.runner import RUN_JOB, enqueue_run
from workhub.jobs.services import JobService
from workhub.kernel.clock import clock
from workhub.kernel.db import new_id
from workhub.kernel.errors import NotFound, ValidationFailed
from workhub.kernel.events import publish
from workhub.kernel.guards import admin_only
from workhub.kernel.openapi import problems, raw_body
from workhub.kernel.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from workhub.kernel.queue import SaqQueue
from workhub.kernel.security import CurrentUser
from workhub.settings import Settings

__all__ = ("AdminJobController", "JobController")

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size (at most 200)")]
Cursor = Annotated[str | None, QueryParameter(description="`next_cursor` of the previous page")]
UploadName = Annotated[
    str, QueryParameter(max_length=255, description="The file's name, shown in the job list")
]


async def _caller(session: AsyncSession, user: CurrentUser) -> Caller:
    profile = await UserService(session=session).find_profile(user.id)
    if profile is None:
        raise NotFound
    return Caller(id=user.id, is_admin=user.is_admin, locale=profile.locale, timezone=profile.timezone)


class JobController(Controller):
    """Start, follow, cancel and download the caller's own jobs."""

    path = "/api/v1/jobs"
    tags = ["jobs"]

    @post("/", operation_id="CreateJob", status_code=HTTP_202_ACCEPTED, summary="Start a job")
    async def create_job(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        data: JSONBody[schemas.JobCreate],
    ) -> schemas.Job:
        """Queue a job of ``kind``; 422 ``unknown_job_kind`` or ``invalid_job_params`` for bad input.

        Follow it with ``GET /api/v1/jobs/{id}`` or the ``job:<id>`` realtime room.
        """
        caller = await _caller(db_session, request.user)
        params = await check_params(db_session, settings, caller, data.kind, data.params)
        return await JobService(session=db_session).start(caller.id, data.kind, msgspec.to_builtins(params))

    @get("/", operation_id="ListJobs", summary="My jobs")
    async def list_jobs(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> schemas.JobPage:
        """Newest first."""
        return await JobService(session=db_session).page(request.user.id, limit=limit, cursor=cursor)

    @get("/{job_id:uuid}", operation_id="GetJob", summary="A job")
    async def get_job(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        job_id: FromPath[UUID],
    ) -> schemas.Job:
        """Its owner only: 404 for anyone else."""
        return JobService.as_schema(await JobService(session=db_session).owned(job_id, request.user.id))

    @post("/{job_id:uuid}/cancel", operation_id="CancelJob", status_code=HTTP_200_OK, summary="Cancel a job")
    async def cancel_job(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        job_id: FromPath[UUID],
    ) -> schemas.Job:
        """A queued or running job (409 ``job_not_cancellable`` otherwise).

        A running job stops at its next progress step and leaves no file.
        """
        return await JobService(session=db_session).cancel(job_id, request.user.id)

    @get(
        "/{job_id:uuid}/result",
        operation_id="GetJobResult",
        summary="Download a job's result",
        media_type="text/csv",
        response_headers=[
            ResponseHeader(
                name="last-modified",
                value="Wed, 21 Oct 2026 07:28:00 GMT",
                description="When the file was written (an HTTP date)",
                documentation_only=True,
            )
        ],
        responses=problems(
            409,
            410,
            d409="Not finished yet (`result_not_ready`).",
            d410="Kept 7 days; gone since (`result_expired`).",
        ),
    )
    async def get_result(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        job_id: FromPath[UUID],
    ) -> File:
        """The CSV file, for 7 days after the job finished.

        409 ``result_not_ready`` before, 410 ``result_expired`` after; 404 for anyone but the owner.
        """
        path, name = await JobService(session=db_session).result_file(job_id, request.user.id)
        # text/csv alone: Litestar adds the charset to text types itself.
        return File(path=path, filename=name, media_type="text/csv")

    @post(
        "/uploads",
        operation_id="UploadJobFile",
        summary="Upload a file for an import",
        request_max_body_size=UPLOAD_MAX_BYTES,
        operation_class=raw_body("text/csv", "The file itself (any content type), not a form."),
        responses=problems(413, d413="Larger than the upload limit."),
    )
    async def upload(
        self,
        request: Request[CurrentUser, Any, Any],
        settings: NamedDependency[Settings],
        name: UploadName = "upload.csv",
    ) -> schemas.Upload:
        """Send the CSV file as the request body (any content type, at most 64 MB; 413 above).

        Pass the answer's ``id`` as ``upload_id`` to an ``import_tasks_csv``
        job. It is kept for a day, and only you can use it.
        """
        upload_id = new_id()
        path = upload_path(settings, request.user.id, upload_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".part")
        size = 0
        try:
            with temp.open("wb") as out:  # streamed to disk: the web process never holds the whole file
                async for chunk in request.stream():
                    out.write(chunk)
                    size += len(chunk)
            if not size:
                raise ValidationFailed.field("body", "The file is empty.", code="empty_upload")
            temp.replace(path)
        finally:
            remove_quietly(temp)
        return schemas.Upload(
            id=upload_id,
            name=name,
            size=size,
            expires_at=clock.now() + timedelta(seconds=UPLOAD_TTL_SECONDS),
        )


def _moment(millis: Any) -> datetime | None:
    return datetime.fromtimestamp(millis / 1000, tz=UTC) if millis else None


class AdminJobController(Controller):
    """Background jobs that failed after their last attempt (administrators only)."""

    path = "/api/v1/admin/jobs"
    tags = ["admin"]
    guards = [admin_only]

    @get("/failed", operation_id="AdminListFailedJobs", summary="Failed background jobs")
    async def list_failed(
        self, request: Request[CurrentUser, Any, Any], limit: Limit = 50, cursor: Cursor = None
    ) -> schemas.FailedJobPage:
        """Newest first, kept for 30 days: the function, its key and arguments, the error and attempts."""
        offset = 0
        if cursor:
            (value,) = decode_cursor(cursor, 1)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValidationFailed.field("cursor", "The cursor is not valid.", code="invalid_cursor")
            offset = value
        queue: SaqQueue = request.app.state.queue
        total, records = await queue.failed(offset=offset, limit=limit)
        items = [
            schemas.FailedJob(
                key=str(r["key"]),
                function=str(r["function"]),
                kwargs=dict(r.get("kwargs") or {}),
                error=r.get("error"),
                attempts=int(r.get("attempts") or 0),
                queued_at=_moment(r.get("queued")),
                started_at=_moment(r.get("started")),
                failed_at=_moment(r.get("failed")) or clock.now(),
            )
            for r in records
        ]
        more = offset + limit < total
        return schemas.FailedJobPage(
            items=items, total=total, next_cursor=encode_cursor(offset + limit) if more else None
        )

    @post(
        "/failed/{key:str}/retry",
        operation_id="AdminRetryFailedJob",
        status_code=HTTP_202_ACCEPTED,
        summary="Run a failed job again",
    )
    async def retry_failed(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        key: FromPath[str],
    ) -> schemas.FailedJob:
        """Queue it again with the same arguments and key (a user's job goes back to ``queued``).

        404 when no failed job has this key.
        """
        queue: SaqQueue = request.app.state.queue
        try:
            candidate: UUID | None = UUID(key)
        except ValueError:
            candidate = None
        kind = None if candidate is None else await JobService(session=db_session).reset_failed(candidate)
        if candidate is not None and kind is not None:
            # A user's job: its row must say "queued" before the worker can see the job again.
            await publish(
                db_session,
                JobRetried(entity_id=candidate, changes={"key": [None, key], "function": [None, RUN_JOB]}),
            )
            await db_session.commit()
            record = await queue.retry_failed(key)
            if record is None:  # failed for good but no longer kept by the queue: run it anew
                await enqueue_run(queue, key, kind)
                record = {"key": key, "function": RUN_JOB, "kwargs": {"job_id": key}}
        else:
            record = await queue.retry_failed(key)
            if record is None:
                raise NotFound
            await publish(
                db_session,
                JobRetried(
                    entity_id=uuid5(NAMESPACE_URL, f"saq-job:{key}"),
                    changes={"key": [None, key], "function": [None, record["function"]]},
                ),
            )
        return schemas.FailedJob(
            key=key,
            function=str(record["function"]),
            kwargs=dict(record.get("kwargs") or {}),
            error=record.get("error"),
            attempts=int(record.get("attempts") or 0),
            queued_at=_moment(record.get("queued")),
            started_at=_moment(record.get("started")),
            failed_at=_moment(record.get("failed")) or clock.now(),
        )
