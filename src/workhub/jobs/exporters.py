"""The export kinds: the caller's tasks, and statistics per project and assignee, as CSV files.

Both write through :class:`~workhub.jobs.csvio.CsvWriter` to the job's
temporary file, batch by batch; the runner renames it into place when the
job succeeds. Headers, status and priority names are in the language the
params ask for (the caller's by default); times are in the caller's time
zone as ``YYYY-MM-DD HH:MM``, which Excel reads as a date and time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from workhub.accounts.api import UserService
from workhub.jobs import schemas
from workhub.jobs.csvio import CsvWriter, default_delimiter
from workhub.jobs.params import period, task_filters
from workhub.jobs.work import JobContext, Outcome
from workhub.kernel.clock import clock
from workhub.kernel.db import session_scope
from workhub.kernel.i18n import translate
from workhub.tasks.api import count_tasks, stream_tasks, task_stats

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.tasks.schemas import Task

__all__ = ("EXPORT_BATCH", "STATS_COLUMNS", "TASK_COLUMNS", "export_stats", "export_tasks")

EXPORT_BATCH = 1000
"""Tasks read, looked up and written per step (and per progress report)."""
TASK_COLUMNS = (
    "key",
    "title",
    "status",
    "overdue",
    "priority",
    "assignee",
    "assignee_email",
    "creator",
    "labels",
    "deadline",
    "completed_at",
    "created_at",
    "updated_at",
    "description",
)
STATS_COLUMNS = (
    "project",
    "assignee",
    "assignee_email",
    "created",
    "done",
    "done_on_time",
    "overdue_now",
    "cancelled",
    "avg_hours_to_done",
    "median_hours_to_done",
)


class People:
    """Names and emails of users by id, looked up once each (a user may be gone: blank then)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._known: dict[UUID, tuple[str, str]] = {}

    async def load(self, ids: Iterable[UUID | None]) -> None:
        """Look up the ids not seen yet."""
        users = UserService(session=self.session)
        for user_id in {i for i in ids if i is not None} - self._known.keys():
            profile = await users.find_profile(user_id)
            self._known[user_id] = (profile.name, profile.email) if profile else ("", "")

    def name(self, user_id: UUID | None) -> str:
        """The user's name ('' for none)."""
        return self._known.get(user_id, ("", ""))[0] if user_id else ""

    def email(self, user_id: UUID | None) -> str:
        """The user's email ('' for none)."""
        return self._known.get(user_id, ("", ""))[1] if user_id else ""


def _time(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def _language(params: schemas.ExportTasksParams | schemas.ExportStatsParams, ctx: JobContext) -> str:
    return params.language or ctx.caller.locale


def _header(columns: tuple[str, ...], language: str) -> list[str]:
    return [translate(f"job.csv.{column}", language) for column in columns]


async def export_tasks(ctx: JobContext) -> Outcome:
    """``export_tasks_csv``: what ``GET /api/v1/tasks`` shows the caller with the same filters."""
    params = msgspec.convert(ctx.params, schemas.ExportTasksParams)
    language = _language(params, ctx)
    zone = ZoneInfo(ctx.caller.timezone)
    filters = await task_filters(params, ctx.caller)
    yes, no = translate("job.csv.yes", language), translate("job.csv.no", language)
    statuses = {
        s: translate(f"task.status.{s}", language) for s in ("todo", "in_progress", "done", "cancelled")
    }
    priorities = {p: translate(f"task.priority.{p}", language) for p in ("low", "normal", "high", "urgent")}
    db = ctx.runtime.db
    async with db.get_session() as tasks_session, db.get_session() as people_session:
        total = await count_tasks(tasks_session, filters, user_id=ctx.caller.id, is_admin=ctx.caller.is_admin)
        people = People(people_session)
        written = 0

        def rows(batch: list[Task]) -> Iterable[list[str]]:
            for t in batch:
                yield [
                    t.key,
                    t.title,
                    statuses.get(t.status, t.status),
                    yes if t.overdue else no,
                    priorities.get(t.priority, t.priority),
                    people.name(t.assignee_id),
                    people.email(t.assignee_id),
                    people.name(t.creator_id),
                    ", ".join(t.labels),
                    _time(t.deadline, zone),
                    _time(t.completed_at, zone),
                    _time(t.created_at, zone),
                    _time(t.updated_at, zone),
                    t.description,
                ]

        with CsvWriter(ctx.temp, delimiter=params.delimiter or default_delimiter(language)) as out:
            out.write([_header(TASK_COLUMNS, language)])
            async for batch in stream_tasks(
                tasks_session,
                filters,
                user_id=ctx.caller.id,
                is_admin=ctx.caller.is_admin,
                batch_size=EXPORT_BATCH,
            ):
                await people.load(i for t in batch for i in (t.assignee_id, t.creator_id))
                out.write(rows(batch))
                written += len(batch)
                await ctx.progress.step(written, total)
    stamp = clock.now().astimezone(zone).strftime("%Y-%m-%d")
    return Outcome(
        name=f"tasks-{stamp}.csv", message=translate("job.message.exported", language, count=written)
    )


async def export_stats(ctx: JobContext) -> Outcome:
    """``export_stats_csv``: per project (a totals row) and per assignee over the period."""
    params = msgspec.convert(ctx.params, schemas.ExportStatsParams)
    language = _language(params, ctx)
    zone = ZoneInfo(ctx.caller.timezone)
    start, end = period(params, zone)
    async with session_scope(ctx.runtime.db) as session:
        stats = await task_stats(
            session,
            user_id=ctx.caller.id,
            is_admin=ctx.caller.is_admin,
            start=start,
            end=end,
            project_id=params.project,
        )
        await ctx.progress.set(50, force=True)
        people = People(session)
        await people.load(s.assignee_id for s in stats)
    everyone = translate("job.csv.all_assignees", language)
    nobody = translate("job.csv.unassigned", language)
    with CsvWriter(ctx.temp, delimiter=params.delimiter or default_delimiter(language)) as out:
        out.write([_header(STATS_COLUMNS, language)])
        out.write(
            [
                s.project_key,
                everyone if s.project_total else (people.name(s.assignee_id) if s.assignee_id else nobody),
                "" if s.project_total else people.email(s.assignee_id),
                s.created,
                s.done,
                s.done_on_time,
                s.overdue_now,
                s.cancelled,
                out.number(s.avg_seconds / 3600 if s.avg_seconds is not None else None),
                out.number(s.median_seconds / 3600 if s.median_seconds is not None else None),
            ]
            for s in stats
        )
    first = start.astimezone(zone).strftime("%Y-%m-%d")
    return Outcome(
        name=f"stats-{first}.csv",
        message=translate("job.message.stats", language, count=sum(1 for s in stats if s.project_total)),
    )
