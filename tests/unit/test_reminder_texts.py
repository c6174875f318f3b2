"""How a reminder shows the deadline: the reader's time zone (daylight saving included) and date order."""

from __future__ import annotations

from datetime import UTC, datetime

from workhub.tasks.reminders import format_deadline


def test_the_deadline_is_shown_in_the_users_zone_and_language() -> None:
    deadline = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    assert format_deadline(deadline, "ru", "Europe/Moscow") == "10.03.2026 18:00 (Europe/Moscow)"
    assert format_deadline(deadline, "en", "Asia/Vladivostok") == "2026-03-11 01:00 (Asia/Vladivostok)"


def test_daylight_saving_time_moves_the_local_hour() -> None:
    winter = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 15, 0, tzinfo=UTC)
    assert format_deadline(winter, "en", "Europe/Berlin") == "2026-01-15 16:00 (Europe/Berlin)"
    assert format_deadline(summer, "en", "Europe/Berlin") == "2026-07-15 17:00 (Europe/Berlin)"


def test_an_unknown_zone_falls_back_to_utc() -> None:
    deadline = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    assert format_deadline(deadline, "en", "Mars/Olympus") == "2026-03-10 15:00 (Mars/Olympus)"
