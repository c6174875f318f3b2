"""Task list filters from plain query values: the one parser behind task lists, the calendar and exports.

``GET /api/v1/tasks`` (and a project's list), ``GET /api/v1/calendar`` and
an ``export_tasks_csv`` job take the same filters with the same rules; each
caller hands over the values as sent (strings, or None when left out) and
gets back :class:`~workhub.tasks.queries.TaskFilters`, or one 422 naming
every bad parameter.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from workhub.kernel.errors import FieldError, ValidationFailed
from workhub.tasks import schemas
from workhub.tasks.queries import SORT_FIELDS, TaskFilters

__all__ = ("ZoneSource", "fixed_zone", "parse_moment", "parse_task_filters", "resolve_moments")

ZoneSource = Callable[[], Awaitable[str]]
"""The caller's time zone (an IANA name); awaited only when a bound is a date alone, which needs it."""

_SORTS = frozenset(SORT_FIELDS) | {f"-{name}" for name in SORT_FIELDS}
_STATUS_FILTERS = (*schemas.STATUSES, "overdue")
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT_FORMS = "Expected a time (2026-12-05T18:00:00+03:00) or a date (2026-12-05)."


def fixed_zone(name: str) -> ZoneSource:
    """A :data:`ZoneSource` for a caller whose time zone is already known (a job's)."""

    async def zone() -> str:
        return name

    return zone


def _user_ref(
    name: str, value: str | None, me: UUID, errors: list[FieldError], *, allow_none: bool
) -> tuple[UUID | None, bool]:
    """``me``, a user id, or (when allowed) ``none``; returns the id and whether ``none`` was asked."""
    if value is None:
        return None, False
    text = value.strip().lower()
    if text == "me":
        return me, False
    if allow_none and text == "none":
        return None, True
    try:
        return UUID(text), False
    except ValueError:
        choices = "'me', 'none' or a user id" if allow_none else "'me' or a user id"
        errors.append(FieldError(field=name, message=f"Expected {choices}."))
        return None, False


def _choices(name: str, value: str | None, allowed: tuple[str, ...], errors: list[FieldError]) -> set[str]:
    """Comma-separated values, each one of ``allowed``."""
    if value is None:
        return set()
    picked = {part.strip() for part in value.split(",") if part.strip()}
    unknown = sorted(picked - set(allowed))
    if unknown or not picked:
        errors.append(
            FieldError(
                field=name, message=f"Unknown value(s) {', '.join(unknown)}; use {', '.join(allowed)}."
            )
        )
    return picked


def parse_moment(name: str, raw: str | None, errors: list[FieldError]) -> datetime | date | None:
    """A bound of a time filter: an ISO 8601 time (UTC if no zone is given) or a date alone.

    A date is left as it is: which instant it means depends on the caller's
    time zone and on the side of the range (:func:`resolve_moments`).
    Anything else adds an error naming ``name``, the parameter the caller sent.
    """
    if raw is None:
        return None
    text = raw.strip()
    try:
        if _DATE_ONLY.fullmatch(text):
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(field=name, message=_MOMENT_FORMS))
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def resolve_moments(
    start: datetime | date | None, end: datetime | date | None, zone: ZoneSource
) -> tuple[datetime | None, datetime | None]:
    """``[start, end)`` as times; a date alone is a whole day in the caller's time zone.

    As a lower bound a date is the midnight that starts it; as an upper
    (exclusive) bound, the midnight that ends it, so the day is included.
    ``zone`` is awaited only when a date needs it (a request's is read from
    the caller's profile, one query).
    """
    if isinstance(start, datetime | None) and isinstance(end, datetime | None):
        return start, end
    tz = ZoneInfo(await zone())

    def edge(value: datetime | date | None, *, after: bool) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        day = value + timedelta(days=1) if after else value
        return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)

    return edge(start, after=False), edge(end, after=True)


async def parse_task_filters(
    me: UUID,
    zone: ZoneSource,
    *,
    assignee: str | None = None,
    creator: str | None = None,
    project: UUID | None = None,
    status: str | None = None,
    label: Sequence[str] | None = None,
    priority: str | None = None,
    deadline_from: str | None = None,
    deadline_to: str | None = None,
    q: str | None = None,
    sort: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> TaskFilters:
    """The filters of a task list for the caller ``me``; all bad ones in one 422.

    ``assignee``/``creator``: ``me``, a user id, or (assignee) ``none``;
    ``status``/``priority``: comma-separated; ``label``: repeated or
    comma-separated, every one required; ``deadline_from``/``deadline_to``:
    a time (UTC if no zone) or a date alone in the caller's ``zone``.
    """
    errors: list[FieldError] = []
    assignee_id, unassigned = _user_ref("assignee", assignee, me, errors, allow_none=True)
    creator_id, _ = _user_ref("creator", creator, me, errors, allow_none=False)
    statuses = _choices("status", status, _STATUS_FILTERS, errors)
    priorities = _choices("priority", priority, schemas.PRIORITIES, errors)
    labels = tuple(dict.fromkeys(p.strip() for raw in label or [] for p in raw.split(",") if p.strip()))
    if any(len(name) > 50 for name in labels):
        errors.append(FieldError(field="label", message="A label has at most 50 characters."))
    if sort is not None and sort not in _SORTS:
        errors.append(FieldError(field="sort", message=f"Use one of {', '.join(sorted(_SORTS))}."))
    start, end = await resolve_moments(
        parse_moment("deadline_from", deadline_from, errors),
        parse_moment("deadline_to", deadline_to, errors),
        zone,
    )
    if start is not None and end is not None and start > end:
        errors.append(FieldError(field="deadline_to", message="deadline_to is before deadline_from."))
    text = q.strip() if q else None
    if errors:
        raise ValidationFailed("Some query parameters are not valid.", errors=errors)
    return TaskFilters(
        project_id=project,
        assignee_id=assignee_id,
        unassigned=unassigned,
        creator_id=creator_id,
        statuses=frozenset(statuses - {"overdue"}),
        overdue="overdue" in statuses,
        labels=labels,
        priorities=frozenset(priorities),
        deadline_from=start,
        deadline_to=end,
        q=text or None,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
