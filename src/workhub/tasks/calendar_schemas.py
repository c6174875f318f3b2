"""Requests and responses of the calendar and its ICS feeds."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from workhub.tasks.schemas import Priority, Status

__all__ = (
    "Calendar",
    "CalendarFeed",
    "CalendarFeedCreate",
    "CalendarFeedList",
    "CalendarItem",
    "FeedInclude",
    "FeedScope",
    "NewCalendarFeed",
)

FeedScope = Literal["mine", "project"]
FeedInclude = Literal["assigned", "all"]


class CalendarItem(msgspec.Struct):
    """A task on the calendar: what a day cell shows and what a click opens."""

    id: UUID
    key: str
    """``OPS-42``."""
    title: str
    deadline: datetime
    status: Status
    overdue: bool
    priority: Priority
    assignee_id: UUID | None
    project_id: UUID
    project_key: str


class Calendar(msgspec.Struct):
    """Tasks with a deadline in the range, earliest first.

    ``truncated`` is true when the range held more tasks than one answer
    carries (2000): narrow the range or the filters.
    """

    items: list[CalendarItem]
    truncated: bool


class CalendarFeedCreate(msgspec.Struct):
    """A new private feed.

    ``scope``: ``mine`` (every project you are a member of) or ``project``
    (``project_id`` required). ``include``: ``assigned`` (tasks assigned to
    you) or ``all``; default ``assigned`` for ``mine``, ``all`` for ``project``.
    """

    scope: FeedScope
    project_id: UUID | None = None
    include: FeedInclude | None = None


class CalendarFeed(msgspec.Struct):
    """A feed as its owner lists it (the secret URL is shown only when it is created)."""

    id: UUID
    scope: FeedScope
    project_id: UUID | None
    include: FeedInclude
    created_at: datetime


class NewCalendarFeed(msgspec.Struct):
    """A feed just created: ``url`` (with the secret ``token`` in it) is shown this once.

    Subscribe to ``url`` in Google Calendar, Outlook or Apple Calendar;
    anyone with the URL sees the feed, so revoke it if it leaks.
    """

    id: UUID
    scope: FeedScope
    project_id: UUID | None
    include: FeedInclude
    created_at: datetime
    url: str
    token: str


class CalendarFeedList(msgspec.Struct):
    """The caller's live feeds, newest first."""

    items: list[CalendarFeed]
