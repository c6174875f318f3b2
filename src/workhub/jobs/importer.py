"""The ``import_tasks_csv`` kind: an uploaded CSV file becomes tasks of one project.

Rules (also in docs/api.md):

* The header row names the columns, in Russian or English, as an export
  writes them (``Название``/``Title``...) or by their codes (``title``);
  ``title`` is required, other columns are optional and unknown ones are
  ignored. ``Assignee email`` (or an ``Assignee`` column holding emails)
  names the assignee, who must be a member of the project.
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

from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec

from workhub.jobs import schemas
from workhub.jobs.csvio import CsvWriter, decode_upload, default_delimiter, read_rows, sniff_delimiter
from workhub.jobs.files import upload_path
from workhub.jobs.params import check_project
from workhub.jobs.work import JobContext, JobFailedError, Outcome
from workhub.kernel.db import session_scope
from workhub.kernel.i18n import LOCALES, Msg, translate
from workhub.kernel.permissions import Action
from workhub.tasks import schemas as task_schemas
from workhub.tasks.imports import COLUMNS, RowError, TaskImporter

__all__ = ("MAX_ROWS", "REPORT_COLUMNS", "import_tasks", "map_header")

MAX_ROWS = 10_000
"""Rows per file at most: an import is one transaction, and a job has five minutes."""
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
    """Check every row, write the report of rejected ones, then create the tasks in one transaction."""
    params = msgspec.convert(ctx.params, schemas.ImportTasksParams)
    language = params.language or ctx.caller.locale
    source = upload_path(ctx.runtime.settings, ctx.caller.id, params.upload_id)
    if not source.is_file():
        raise JobFailedError(translate("job.error.upload_gone", language))
    text = decode_upload(source.read_bytes())
    records = list(read_rows(text, delimiter=params.delimiter or sniff_delimiter(text)))
    if not records or not any(cell.strip() for cell in records[0]):
        raise JobFailedError(translate("job.error.empty_file", language))
    columns = map_header(records[0])
    if "title" not in columns.values():
        raise JobFailedError(translate("job.error.no_title_column", language))
    body = [(number, row) for number, row in enumerate(records[1:], start=2) if any(c.strip() for c in row)]
    if len(body) > MAX_ROWS:
        raise JobFailedError(translate("job.error.too_many_rows", language, limit=MAX_ROWS))
    zone = ZoneInfo(ctx.caller.timezone)
    accepted: list[tuple[int, task_schemas.TaskCreate]] = []
    rejected: list[tuple[int, RowError, str]] = []
    async with session_scope(ctx.runtime.db) as session:
        await check_project(session, params.project_id, ctx.caller, Action.TASK_CREATE)
        importer = TaskImporter(session, params.project_id, zone=zone)
        for done, (number, row) in enumerate(body, start=1):
            values = {column: row[i] if i < len(row) else "" for i, column in columns.items()}
            checked = await importer.check(values)
            if isinstance(checked, list):
                rejected.extend((number, error, values.get(error.column, "")) for error in checked)
            else:
                accepted.append((number, checked))
            await ctx.progress.step(done, len(body), end=30)
        _write_report(ctx.temp, rejected, language, params.delimiter)
        invalid_rows = len({number for number, _, _ in rejected})
        if rejected and not params.skip_invalid:
            raise JobFailedError(
                translate("job.error.rows_rejected", language, rejected=invalid_rows),
                report=f"import-report-{ctx.job_id}.csv",
            )
        for done, (number, data) in enumerate(accepted, start=1):
            await importer.create(data, ctx.caller.id, source_ref=f"job:{ctx.job_id}:row:{number}")
            await ctx.progress.step(done, len(accepted), start=30, end=99)
        # Committing here: a cancellation noticed above rolled all of it back instead.
    return Outcome(
        name=f"import-report-{ctx.job_id}.csv",
        message=translate(
            "job.message.imported",
            language,
            count=len(accepted),
            rejected=Msg("job.message.rows_rejected", count=invalid_rows),
        ),
    )


def _write_report(
    path: Path, rejected: list[tuple[int, RowError, str]], language: str, delimiter: str | None
) -> None:
    with CsvWriter(path, delimiter=delimiter or default_delimiter(language)) as out:
        out.write([[translate(f"job.csv.report_{c}", language) for c in REPORT_COLUMNS]])
        out.write(
            [
                number,
                translate(f"job.csv.{error.column}", language),
                value,
                translate(f"job.import.{error.reason}", language),
            ]
            for number, error, value in rejected
        )
