"""Checking a job's ``params`` when it is started, per kind; bad ones are a 422 before anything is queued.

The same checks run again when the job runs (memberships may have changed
in between), so the worker never trusts what was stored.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from workhub.jobs import schemas
from workhub.jobs.files import upload_path
from workhub.kernel.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from workhub.kernel.permissions import Action, allowed, can_read
from workhub.projects.api import resolve_project_access
from workhub.tasks.api import fixed_zone, parse_task_filters

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.settings import Settings
    from workhub.tasks.api import TaskFilters

__all__ = ("PARAMS", "Caller", "check_params", "check_project", "period", "task_filters")

PARAMS: dict[str, type[msgspec.Struct]] = {
    "export_tasks_csv": schemas.ExportTasksParams,
    "export_stats_csv": schemas.ExportStatsParams,
    "import_tasks_csv": schemas.ImportTasksParams,
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Caller(msgspec.Struct, frozen=True):
    """Who a job runs for, as the checks need them."""

    id: UUID
    is_admin: bool
    locale: str
    timezone: str


def _invalid(
    errors: list[FieldError], detail: str = "The job's parameters are not valid."
) -> ValidationFailed:
    return ValidationFailed(
        detail, code="invalid_job_params", errors=errors, message_key="job.invalid_params"
    )


def _convert(kind: str, raw: dict[str, Any]) -> msgspec.Struct:
    try:
        return msgspec.convert(raw, PARAMS[kind])
    except msgspec.ValidationError as exc:
        message = str(exc)
        where = re.search(r"at `\$\.([^`]+)`", message)
        unknown = re.search(r"unknown field `([^`]+)`", message)
        missing = re.search(r"missing required field `([^`]+)`", message)
        name = (where or unknown or missing).group(1) if (where or unknown or missing) else ""  # type: ignore[union-attr]
        raise _invalid([FieldError(field=f"params.{name}" if name else "params", message=message)]) from exc


async def task_filters(params: schemas.ExportTasksParams, caller: Caller) -> TaskFilters:
    """The filters of ``GET /api/v1/tasks`` from an export's params, with that route's rules."""
    label = [params.label] if isinstance(params.label, str) else params.label
    try:
        return await parse_task_filters(
            caller.id,
            fixed_zone(caller.timezone),
            assignee=params.assignee,
            creator=params.creator,
            project=params.project,
            status=params.status,
            label=label,
            priority=params.priority,
            deadline_from=params.deadline_from,
            deadline_to=params.deadline_to,
            q=params.q,
            sort=params.sort,
        )
    except ValidationFailed as exc:
        errors = [FieldError(field=f"params.{e.field}", message=e.message) for e in exc.errors or []]
        raise _invalid(errors) from exc


def _moment(raw: Any, zone: ZoneInfo, *, end: bool) -> Any:
    """A date alone (``2026-01-31``) is a whole day in the caller's zone: its start, or for ``to`` its end."""
    if isinstance(raw, str) and _DATE.match(raw):
        day = datetime.fromisoformat(raw).replace(tzinfo=zone)
        return (day + timedelta(days=1) if end else day).isoformat()
    return raw


def period(params: schemas.ExportStatsParams, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """``[from, to)`` as aware times (a time without a zone is in ``zone``)."""
    start = params.from_ if params.from_.tzinfo else params.from_.replace(tzinfo=zone)
    end = params.to if params.to.tzinfo else params.to.replace(tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


async def check_project(session: AsyncSession, project_id: UUID, caller: Caller, action: Action) -> None:
    """The permission table's answer for ``action`` in a project named in the params: 404/403/409."""
    access = await resolve_project_access(session, project_id, caller.id)
    if access is None or not can_read(access.role, is_admin=caller.is_admin):
        raise NotFound("No such project.")
    if not allowed(access.role, action, is_admin=caller.is_admin):
        raise Forbidden
    if access.archived and action is not Action.TASK_READ:
        raise Conflict("The project is archived.", code="project_archived")


async def check_params(
    session: AsyncSession, settings: Settings, caller: Caller, kind: str, raw: dict[str, Any]
) -> msgspec.Struct:
    """The params of a ``kind`` job, checked for ``caller``.

    422 ``unknown_job_kind`` or ``invalid_job_params``; 404/403/409 for a
    project the caller may not use; 422 ``upload_not_found`` for an upload
    that is not theirs or is gone.
    """
    if kind not in PARAMS:
        raise ValidationFailed(
            f"Unknown kind of job; use one of {', '.join(schemas.KINDS)}.",
            code="unknown_job_kind",
            errors=[FieldError(field="kind", message=f"Use one of {', '.join(schemas.KINDS)}.")],
            message_key="job.unknown_kind",
        )
    zone = ZoneInfo(caller.timezone)
    if kind == "export_stats_csv":
        raw = {**raw}
        for name in ("from", "to"):
            raw[name] = _moment(raw.get(name), zone, end=name == "to")
    params = _convert(kind, raw)
    if isinstance(params, schemas.ExportTasksParams):
        await task_filters(params, caller)
        if params.project is not None:
            await check_project(session, params.project, caller, Action.TASK_READ)
    elif isinstance(params, schemas.ExportStatsParams):
        start, end = period(params, zone)
        if start >= end:
            raise _invalid([FieldError(field="params.to", message="`to` must be after `from`.")])
        if params.project is not None:
            await check_project(session, params.project, caller, Action.TASK_READ)
    elif isinstance(params, schemas.ImportTasksParams):
        await check_project(session, params.project_id, caller, Action.TASK_CREATE)
        if not upload_path(settings, caller.id, params.upload_id).is_file():
            raise ValidationFailed(
                "No such upload (uploads are kept for a day).",
                code="upload_not_found",
                errors=[FieldError(field="params.upload_id", message="No such upload.")],
                message_key="job.upload_not_found",
            )
    return params
