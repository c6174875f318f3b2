"""The ``import_tasks_csv`` kind: an uploaded CSV file becomes tasks of one project.

Rules (also in docs/api.md):

* The header row names the columns, in Russian or English, as an export
  writes them (``Название``/``Title``...) or by their codes (``title``);
  ``title`` is required, other columns are optional and unknown ones are
  ignored. ``Assignee email`` (or an ``Assignee`` column holding emails)
  names the assignee, who must be a member of the project.
* The file is read as a stream, never whole, so an import of
  :data:`MAX_ROWS` rows stays within the worker's memory budget.
* Every row is checked first. Rejected rows are written to a report (row
  number, counting the header as row 1; column; value; reason) which is the
  job's result.
* All or nothing: by default one rejected row rejects the file, the job
  fails and nothing is imported. With ``skip_invalid`` the valid rows are
  imported and the rejected ones only reported.
* The tasks are created in one transaction, through the tasks service
  (numbers, ``task.created`` events, audit records as the importing user).
  A crash, a cancellation or an error half-way rolls everything back; the
  job then starts over from the file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import msgspec

from workhub.jobs import schemas
from workhub.jobs.csvio import CsvWriter, default_delimiter, open_upload, read_rows, sniff_delimiter
from workhub.jobs.files import upload_path
from workhub.jobs.params import check_project
from workhub.jobs.work import JobContext, JobFailedError, Outcome
from workhub.kernel.db import session_scope
from workhub.kernel.i18n import LOCALES, Msg, translate
from workhub.kernel.permissions import Action
from workhub.tasks.api import COLUMNS, RowError, TaskImporter

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ("MAX_ROWS", "REPORT_COLUMNS", "import_tasks", "map_header")

MAX_ROWS = 100_000
"""Rows per file at most: an import is one transaction, within its kind's time limit (``TIME_LIMITS``)."""
_YIELD_EVERY = 500
"""Rows checked between two yields to the event loop."""
REPORT_COLUMNS = ("row", "column", "value", "reason")
_ALIASES = {"assignee_email": "assignee"}
"""Export columns an import reads under another name."""


def _spellings() -> dict[str, str]:
    """Header text (lower-case) → column, for codes and the Russian and English names."""
    names: dict[str, str] = {}
    for column in (*COLUMNS, *_ALIASES):
        target = _ALIASES.get(column, column)
        names[column] = target
        for locale in LOCALES:
            names[translate(f"job.csv.{column}", locale).strip().lower()] = target
    return names


def map_header(header: list[str]) -> dict[int, str]:
    """Which column each position of the header row holds (unknown headers are left out).

    An email column wins over a name column for the assignee.
    """
    names = _spellings()
    found: dict[int, str] = {}
    email_column = False
    for index, text in enumerate(header):
        key = text.strip().lstrip("\ufeff").lower()
        column = names.get(key)
        if column is None:
            continue
        is_email = key in (
            "assignee_email",
            *(translate("job.csv.assignee_email", lo).lower() for lo in LOCALES),
        )
        if column == "assignee":
            if is_email:
                found = {i: c for i, c in found.items() if c != "assignee"}
                email_column = True
            elif email_column:
                continue
        if column not in found.values():
            found[index] = column
    return found


async def import_tasks(ctx: JobContext) -> Outcome:
    """Check every row, writing the report of rejected ones, then create the tasks in one transaction.

    The file is read record by record, three times (count, check, create),
    so memory stays flat whatever its size: nothing is kept between the
    passes but counts, and the create pass checks each row again.
    """
    params = msgspec.convert(ctx.params, schemas.ImportTasksParams)
    language = params.language or ctx.caller.locale
    source = upload_path(ctx.runtime.settings, ctx.caller.id, params.upload_id)
    if not source.is_file():
        raise JobFailedError(translate("job.error.upload_gone", language))
    with open_upload(source) as handle:
        delimiter = params.delimiter or sniff_delimiter(handle.readline())
    header, total = _survey(source, delimiter)
    if header is None or not any(cell.strip() for cell in header):
        raise JobFailedError(translate("job.error.empty_file", language))
    columns = map_header(header)
    if "title" not in columns.values():
        raise JobFailedError(translate("job.error.no_title_column", language))
    if total > MAX_ROWS:
        raise JobFailedError(translate("job.error.too_many_rows", language, limit=MAX_ROWS))
    zone = ZoneInfo(ctx.caller.timezone)
    accepted = invalid_rows = 0
    async with session_scope(ctx.runtime.db) as session:
        await check_project(session, params.project_id, ctx.caller, Action.TASK_CREATE)
        importer = TaskImporter(session, params.project_id, zone=zone)
        with CsvWriter(ctx.temp, delimiter=params.delimiter or default_delimiter(language)) as report:
            report.write([[translate(f"job.csv.report_{c}", language) for c in REPORT_COLUMNS]])
            for done, (number, values) in enumerate(_body(source, delimiter, columns), start=1):
                checked = await importer.check(values)
                if isinstance(checked, list):
                    invalid_rows += 1
                    report.write(_report_rows(number, checked, values, language))
                else:
                    accepted += 1
                await ctx.progress.step(done, total, end=30)
                if done % _YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # checks rarely wait on I/O: let the heartbeat and pushes run
        if invalid_rows and not params.skip_invalid:
            raise JobFailedError(
                translate("job.error.rows_rejected", language, rejected=invalid_rows),
                report=f"import-report-{ctx.job_id}.csv",
            )
        created = 0
        for number, values in _body(source, delimiter, columns):
            checked = await importer.check(values)
            if isinstance(checked, list):
                continue
            await importer.create(checked, ctx.caller.id, source_ref=f"job:{ctx.job_id}:row:{number}")
            created += 1
            await ctx.progress.step(created, accepted, start=30, end=99)
        # Committing here: a cancellation noticed above rolled all of it back instead.
    return Outcome(
        name=f"import-report-{ctx.job_id}.csv",
        message=translate(
            "job.message.imported",
            language,
            count=created,
            rejected=Msg("job.message.rows_rejected", count=invalid_rows),
        ),
    )


def _survey(source: Path, delimiter: str) -> tuple[list[str] | None, int]:
    """The header row (None for an empty file) and how many non-blank rows follow it."""
    with open_upload(source) as handle:
        records = read_rows(handle, delimiter=delimiter)
        header = next(records, None)
        return header, sum(1 for row in records if any(cell.strip() for cell in row))


def _body(source: Path, delimiter: str, columns: dict[int, str]) -> Iterator[tuple[int, dict[str, str]]]:
    """The non-blank rows after the header, as their row number (the header is 1) and ``{column: text}``."""
    with open_upload(source) as handle:
        for number, row in enumerate(read_rows(handle, delimiter=delimiter), start=1):
            if number == 1 or not any(cell.strip() for cell in row):
                continue
            yield number, {column: row[i] if i < len(row) else "" for i, column in columns.items()}


def _report_rows(
    number: int, errors: list[RowError], values: dict[str, str], language: str
) -> Iterator[list[object]]:
    for error in errors:
        yield [
            number,
            translate(f"job.csv.{error.column}", language),
            values.get(error.column, ""),
            translate(f"job.import.{error.reason}", language),
        ]
