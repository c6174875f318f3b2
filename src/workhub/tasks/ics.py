"""ICS (iCalendar, RFC 5545) documents of task deadlines, built with the ``icalendar`` library.

Each task with a deadline is a ``VEVENT`` (Google Calendar shows no
``VTODO``): a moment at the deadline (``DTSTART`` without an end), marked
transparent so a deadline never makes its owner look busy. The ``UID``
(``<task id>@workhub``) never changes, so a calendar moves the event when
the deadline moves; ``SEQUENCE`` is the task's version, ``LAST-MODIFIED``
and ``DTSTAMP`` its last change. Cancelled tasks are left out of the feed, so
calendars drop them at the next refresh; done tasks stay, their summary
starting with "✓".
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from icalendar import Calendar, Event

from workhub.kernel.i18n import translate

if TYPE_CHECKING:
    from collections.abc import Iterable

    from workhub.tasks.calendar import FeedTask

__all__ = ("REFRESH", "render_feed", "task_uid")

REFRESH = timedelta(hours=1)
"""How often calendars are asked to refresh (they may poll less often: Google every few hours).

``X-PUBLISHED-TTL`` repeats it as text for Outlook; keep the two equal.
"""


def task_uid(task_id: object) -> str:
    """The event's stable UID."""
    return f"{task_id}@workhub"


def _event(task: FeedTask, base_url: str, locale: str) -> Event:
    event = Event()
    done = task.status == "done"
    event.add("uid", task_uid(task.id))
    event.add("summary", f"{'✓ ' if done else ''}{task.key} {task.title}")
    event.add("dtstart", task.deadline)
    event.add("dtstamp", task.updated_at)
    event.add("created", task.created_at)
    event.add("last-modified", task.updated_at)
    event.add("sequence", task.version)
    status = translate("task.status.overdue" if task.overdue else f"task.status.{task.status}", locale)
    details = translate(
        "calendar.event.details",
        locale,
        status=status,
        priority=translate(f"task.priority.{task.priority}", locale),
    )
    link = f"{base_url}/tasks/{task.id}"
    description = f"{details}\n{link}"
    if task.description:
        description += f"\n\n{task.description[:2000]}"
    event.add("description", description)
    event.add("url", link)
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event


def render_feed(tasks: Iterable[FeedTask], *, name: str, base_url: str, locale: str) -> bytes:
    """The whole feed as ICS bytes (UTF-8, CRLF lines, folded as RFC 5545 wants)."""
    calendar = Calendar()
    calendar.add("prodid", "-//WorkHub//Task deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # Outlook's name for the same hint
    for task in tasks:
        calendar.add_component(_event(task, base_url, locale))
    return calendar.to_ical()
