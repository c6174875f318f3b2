"""Requests and responses of user jobs, and the parameters of each kind."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

__all__ = (
    "KINDS",
    "Delimiter",
    "ExportStatsParams",
    "ExportTasksParams",
    "FailedJob",
    "FailedJobPage",
    "ImportTasksParams",
    "Job",
    "JobCreate",
    "JobKind",
    "JobPage",
    "JobStatus",
    "Upload",
)

JobKind = Literal["export_tasks_csv", "export_stats_csv", "import_tasks_csv"]
KINDS: tuple[JobKind, ...] = ("export_tasks_csv", "export_stats_csv", "import_tasks_csv")
JobStatus = Literal["queued", "active", "completed", "failed", "cancelled"]
Delimiter = Literal[",", ";"]
Language = Literal["ru", "en"]


class JobCreate(msgspec.Struct):
    """Start a job: ``kind`` and its ``params`` (each kind documents its own)."""

    kind: Annotated[str, msgspec.Meta(max_length=40)]
    params: dict[str, Any] = {}


class _CsvOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    delimiter: Delimiter | None = None
    """``,`` or ``;`` (what Excel expects where the decimal separator is a comma, e.g. in Russian);
    by default ``;`` for Russian, ``,`` for English."""
    language: Language | None = None
    """The language of the header row and of status and priority names; the caller's by default."""


class ExportTasksParams(_CsvOptions, kw_only=True, forbid_unknown_fields=True):
    """``export_tasks_csv``: the filters of ``GET /api/v1/tasks``, with the same names and rules."""

    assignee: str | None = None
    creator: str | None = None
    project: UUID | None = None
    status: str | None = None
    label: list[str] | str | None = None
    priority: str | None = None
    deadline_from: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    """A time, or a date alone: from the start of that day in the user's time zone."""
    deadline_to: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    """A time, or a date alone: up to the end of that day (included) in the user's time zone."""
    q: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    sort: str | None = None


class ExportStatsParams(_CsvOptions, kw_only=True, forbid_unknown_fields=True):
    """``export_stats_csv``: per project and per assignee over ``[from, to)``."""

    from_: datetime = msgspec.field(name="from")
    to: datetime
    project: UUID | None = None
    """Only this project (default: every project the caller sees)."""


class ImportTasksParams(_CsvOptions, kw_only=True, forbid_unknown_fields=True):
    """``import_tasks_csv``: a file uploaded with ``POST /api/v1/jobs/uploads`` into a project.

    ``delimiter`` is detected from the header row when not given. With
    ``skip_invalid`` false (the default) one rejected row rejects the file
    and nothing is imported; with true, the valid rows are imported. The
    report of rejected rows is the job's result either way.
    """

    project_id: UUID
    upload_id: UUID
    skip_invalid: bool = False


class Job(msgspec.Struct):
    """A job as its owner sees it; ``result_url`` is set while the result can be downloaded."""

    id: UUID
    user_id: UUID
    kind: str
    params: dict[str, Any]
    status: JobStatus
    progress: int
    attempts: int
    """How many times the job was started (more than once after a crash or an error)."""
    message: str | None
    error: str | None
    result_name: str | None
    result_size: int | None
    result_url: str | None
    expires_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobPage(msgspec.Struct):
    """A page of the caller's jobs, newest first."""

    items: list[Job]
    next_cursor: str | None


class Upload(msgspec.Struct):
    """A file uploaded for an import; pass ``id`` as ``upload_id``. It is kept for a day."""

    id: UUID
    name: str
    size: int
    expires_at: datetime


class FailedJob(msgspec.Struct):
    """A background job that failed after its last attempt (kept for 30 days)."""

    key: str
    function: str
    kwargs: dict[str, Any]
    error: str | None
    attempts: int
    queued_at: datetime | None
    started_at: datetime | None
    failed_at: datetime


class FailedJobPage(msgspec.Struct):
    """Failed jobs, newest first."""

    items: list[FailedJob]
    total: int
    next_cursor: str | None
