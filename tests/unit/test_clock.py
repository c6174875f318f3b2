"""The controlled clock: a start offset from the environment, shifts, and reset back to that start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workhub.kernel.clock import Clock


def test_the_offset_in_the_environment_moves_the_clock_and_reset_returns_to_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WORKHUB_CLOCK_OFFSET", str(366 * 86400))
    ahead = Clock()
    assert ahead.offset == timedelta(days=366)
    assert abs(ahead.now() - (datetime.now(UTC) + timedelta(days=366))) < timedelta(seconds=5)
    ahead.shift(timedelta(hours=-3))
    assert ahead.offset == timedelta(days=366, hours=-3)
    ahead.reset()
    assert ahead.offset == timedelta(days=366)


def test_without_an_offset_it_reads_real_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKHUB_CLOCK_OFFSET", raising=False)
    assert Clock().offset == timedelta(0)
