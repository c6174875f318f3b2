"""Importing tasks from rows of a table (a CSV file): checking each row, then creating the tasks.

A row arrives as ``{column: text}`` with the columns of :data:`COLUMNS`
(the caller maps the file's header to them). :meth:`TaskImporter.check`
turns a row into a :class:`~workhub.tasks.schemas.TaskCreate` or the list of
what is wrong with it, as stable reason codes; :meth:`TaskImporter.create`
creates a checked row through :class:`~workhub.tasks.services.TaskService`,
so an imported task gets its number, its ``task.created`` event and its
audit record like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING
from uuid import UUID
from zoneinfo import ZoneInfo

from workhub.accounts.api import UserService
from workhub.kernel.i18n import LOCALES, translate
from workhub.projects.api import ProjectService
from workhub.tasks import schemas
from workhub.tasks.services import TaskService

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("COLUMNS", "RowError", "TaskImporter", "parse_deadline")

COLUMNS = ("title", "description", "status", "priority", "deadline", "assignee", "labels")
"""The columns an import understands; ``title`` is the only one required."""
END_OF_DAY = time(23, 59)
"""A deadline given as a date alone is due at the end of that day."""
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


@dataclass(frozen=True)
class RowError:
    """Why a row was rejected: the column and a reason code (``title_required``, ``unknown_status``...)."""

    column: str
    reason: str


def _names(prefix: str, values: tuple[str, ...]) -> dict[str, str]:
    """Every accepted spelling (code, English and Russian names), lower-case → code."""
    names: dict[str, str] = {}
    for value in values:
        names[value] = value
        names[value.replace("_", " ")] = value
        for locale in LOCALES:
            names[translate(f"{prefix}.{value}", locale).strip().lower()] = value
    return names


def parse_deadline(text: str, zone: ZoneInfo) -> datetime | None:
    """A deadline from a cell; None when it is not one.

    ISO 8601 (``2026-05-01T18:00+03:00``, ``2026-05-01 18:00``,
    ``2026-05-01``) or the Russian ``01.05.2026`` / ``01.05.2026 18:00``.

    A time without a zone is in ``zone`` (the importing user's); a date
    alone is due at :data:`END_OF_DAY`.
    """
    text = text.strip()
    moment: datetime
    dotted = _DOTTED.match(text)
    try:
        if dotted:
            day, month, year, hour, minute, second = dotted.groups()
            if hour is None:
                moment = datetime.combine(datetime(int(year), int(month), int(day)).date(), END_OF_DAY)
            else:
                moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
        else:
            moment = datetime.fromisoformat(text)
            if len(text) <= 10:  # a date alone
                moment = datetime.combine(moment.date(), END_OF_DAY)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


class TaskImporter:
    """Checks rows for one project and creates the tasks of the good ones, in the caller's transaction."""

    def __init__(self, session: AsyncSession, project_id: UUID, *, zone: ZoneInfo) -> None:
        self.session = session
        self.project_id = project_id
        self.zone = zone
        self._statuses = _names("task.status", schemas.STATUSES)
        self._priorities = _names("task.priority", schemas.PRIORITIES)
        self._assignees: dict[str, UUID | None] = {}

    async def _member(self, email: str) -> UUID | None:
        """The id of the project member with this email, or None."""
        key = email.strip().lower()
        if key not in self._assignees:
            user = await UserService(session=self.session).by_email(key)
            member = None
            if user is not None:
                role = await ProjectService(session=self.session).role_of(self.project_id, user.id)
                member = user.id if role is not None else None
            self._assignees[key] = member
        return self._assignees[key]

    async def check(self, row: dict[str, str]) -> schemas.TaskCreate | list[RowError]:
        """The task a row describes, or every reason it cannot be imported."""
        errors: list[RowError] = []
        title = (row.get("title") or "").strip()
        if not title:
            errors.append(RowError("title", "title_required"))
        elif len(title) > 500:
            errors.append(RowError("title", "title_too_long"))
        description = row.get("description") or ""
        if len(description) > 100_000:
            errors.append(RowError("description", "description_too_long"))
        status = "todo"
        if raw := (row.get("status") or "").strip():
            found = self._statuses.get(raw.lower())
            if found is None:
                errors.append(RowError("status", "unknown_status"))
            else:
                status = found
        priority = "normal"
        if raw := (row.get("priority") or "").strip():
            found = self._priorities.get(raw.lower())
            if found is None:
                errors.append(RowError("priority", "unknown_priority"))
            else:
                priority = found
        deadline = None
        if raw := (row.get("deadline") or "").strip():
            deadline = parse_deadline(raw, self.zone)
            if deadline is None:
                errors.append(RowError("deadline", "bad_deadline"))
        assignee_id = None
        if raw := (row.get("assignee") or "").strip():
            assignee_id = await self._member(raw)
            if assignee_id is None:
                errors.append(RowError("assignee", "assignee_not_member"))
        labels = list(dict.fromkeys(p.strip() for p in (row.get("labels") or "").split(",") if p.strip()))
        if len(labels) > 20 or any(len(label) > 50 for label in labels):
            errors.append(RowError("labels", "bad_labels"))
        if errors:
            return errors
        return schemas.TaskCreate(
            title=title,
            description=description,
            status=status,  # type: ignore[arg-type]
            priority=priority,  # type: ignore[arg-type]
            labels=labels,
            assignee_id=assignee_id,
            deadline=deadline,
        )

    async def create(self, data: schemas.TaskCreate, creator_id: UUID, *, source_ref: str) -> schemas.Task:
        """Create one checked task (source ``import``)."""
        return await TaskService(session=self.session).create_task(
            self.project_id, data, creator_id, source="import", source_ref=source_ref
        )
