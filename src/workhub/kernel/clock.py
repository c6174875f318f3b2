"""The one source of "now", so tests can move time instead of sleeping.

A shift applies to the process that makes it. A test that runs a real
worker process moves that process's time with ``WORKHUB_CLOCK_OFFSET``
(seconds, read at start-up; for tests only, never set it in production).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

__all__ = ("Clock", "clock")


class Clock:
    """Wall-clock time in UTC, with an offset tests can shift."""

    def __init__(self) -> None:
        self._start = timedelta(seconds=float(os.environ.get("WORKHUB_CLOCK_OFFSET") or 0))
        self._offset = self._start

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        return datetime.now(UTC) + self._offset

    @property
    def offset(self) -> timedelta:
        """How far this clock is from real time (what a child process needs in ``WORKHUB_CLOCK_OFFSET``)."""
        return self._offset

    def shift(self, delta: timedelta) -> None:
        """Move time forward (or back) for everything that asks this clock."""
        self._offset += delta

    def reset(self) -> None:
        """Return to the time the process started with (real time unless ``WORKHUB_CLOCK_OFFSET`` is set)."""
        self._offset = self._start


clock = Clock()
