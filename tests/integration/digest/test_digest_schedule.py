"""When digests come: the user's local digest hour, once a day, across time zones and DST changes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.digest.conftest import Desk, set_clock
from tests.support import Deliver, in_app, own_db_config
from workhub.notifications import digests
from workhub.notifications.digests import run_digests
from workhub.settings import Settings


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def test_each_user_gets_the_digest_at_nine_in_their_own_zone(desk: Desk) -> None:
    moscow = await desk.person("Moscow", timezone="Europe/Moscow")  # UTC+3
    new_york = await desk.person("NewYork", timezone="America/New_York")  # UTC-5 in November
    boss = await desk.person("Boss", timezone="Asia/Tokyo")
    project = await desk.project(boss, "OPS", moscow, new_york)
    for user in (moscow, new_york):
        await desk.task(
            project, boss, title=f"Report of {user.name}", assignee_id=user.id, deadline=utc(2026, 11, 25, 20)
        )

    set_clock(utc(2026, 11, 25, 5, 55))  # 08:55 in Moscow
    await desk.run()
    assert await desk.digests(moscow) == []

    set_clock(utc(2026, 11, 25, 6, 1))  # 09:01 in Moscow, 01:01 in New York
    await desk.run()
    [digest] = await desk.digests(moscow)
    assert await desk.digests(new_york) == []
    assert digest.data["due_today"]["count"] == 1
    assert digest.data["due_today"]["items"][0]["key"] == "OPS-1"
    assert "OPS-1 Report of Moscow — 23:00" in digest.body  # the deadline in Moscow time

    set_clock(utc(2026, 11, 25, 13, 55))  # 08:55 in New York
    await desk.run()
    assert await desk.digests(new_york) == []

    set_clock(utc(2026, 11, 25, 14, 1))  # 09:01 in New York
    await desk.run()
    [digest] = await desk.digests(new_york)
    assert "OPS-2 Report of NewYork — 15:00" in digest.body
    assert len(await desk.digests(moscow)) == 1

    set_clock(utc(2026, 11, 26, 6, 1))  # the next morning in Moscow: the next day's digest
    await desk.run()
    assert len(await desk.digests(moscow)) == 2
    assert [day for day, _ in await desk.days(moscow)] == ["2026-11-25", "2026-11-26"]


async def _hours_with_a_digest(desk: Desk, user: object, days: list[datetime]) -> list[datetime]:
    """Run the cron at minute 1 of every UTC hour of ``days``; the hours after which a new digest was there.

    The first run (00:01 UTC, the evening before in New York) settles the
    local day before; only digests after it count.
    """
    moments = [day + timedelta(hours=hour, minutes=1) for day in days for hour in range(24)]
    set_clock(moments[0])
    await desk.run()
    seen, hours = len(await desk.digests(user)), []  # type: ignore[arg-type]
    for moment in moments[1:]:
        set_clock(moment)
        await desk.run()
        count = len(await desk.digests(user))  # type: ignore[arg-type]
        if count > seen:
            hours.append(moment)
            seen = count
    return hours


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        # Spring forward on 14 March 2027 (02:00 EST → 03:00 EDT): 09:00 is 14:00 UTC before, 13:00 UTC on the day.
        ([utc(2027, 3, 13), utc(2027, 3, 14)], [utc(2027, 3, 13, 14, 1), utc(2027, 3, 14, 13, 1)]),
        # Fall back on 7 November 2027 (02:00 EDT → 01:00 EST): 13:00 UTC before, 14:00 UTC on the day.
        ([utc(2027, 11, 6), utc(2027, 11, 7)], [utc(2027, 11, 6, 13, 1), utc(2027, 11, 7, 14, 1)]),
    ],
    ids=["spring-forward", "fall-back"],
)
async def test_exactly_one_digest_at_local_nine_on_a_dst_change_day(
    desk: Desk, days: list[datetime], expected: list[datetime]
) -> None:
    user = await desk.person("NewYork", timezone="America/New_York")
    project = await desk.project(user, "NYC")
    await desk.task(project, user, assignee_id=user.id, deadline=days[-1] + timedelta(days=2))
    assert await _hours_with_a_digest(desk, user, days) == expected
    assert [day for day, _ in await desk.days(user)][-2:] == [d.date().isoformat() for d in days]


async def test_the_repeated_hour_of_a_fall_back_night_gives_one_digest(desk: Desk) -> None:
    """Digest hour 01:00: on 7 November 2027 New York lives 01:00–02:00 twice (05:00 and 06:00 UTC)."""
    user = await desk.person("Owl", timezone="America/New_York", digest_hour=1)
    project = await desk.project(user, "OWL")
    await desk.task(project, user, assignee_id=user.id, deadline=utc(2027, 11, 9, 12))
    assert await _hours_with_a_digest(desk, user, [utc(2027, 11, 7)]) == [utc(2027, 11, 7, 5, 1)]


async def test_never_two_digests_a_day_whatever_reruns_and_restarts_happen(
    desk: Desk, settings: Settings
) -> None:
    user = await desk.person("Busy", timezone="Europe/Moscow")
    project = await desk.project(user, "BSY")
    await desk.task(project, user, assignee_id=user.id, deadline=utc(2026, 11, 25, 15))
    set_clock(utc(2026, 11, 25, 6, 5))

    await desk.run()
    await desk.run()
    await asyncio.gather(desk.run(), desk.run())  # two workers at once
    # A restarted process: its own engine and connections, the same database.
    fresh = own_db_config(desk.client)
    try:
        assert await run_digests(fresh) == 0
    finally:
        await fresh.get_engine().dispose()
    assert len(await desk.digests(user)) == 1


async def test_a_crash_while_sending_leaves_the_day_for_the_next_run(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await desk.person("Unlucky", timezone="Europe/Moscow")
    project = await desk.project(user, "UNL")
    await desk.task(project, user, assignee_id=user.id, deadline=utc(2026, 11, 25, 15))
    set_clock(utc(2026, 11, 25, 6, 5))

    async def broken(*args: object, **kwargs: object) -> bool:
        raise ConnectionError("the database went away mid-send")

    real = digests.send_notification
    monkeypatch.setattr(digests, "send_notification", broken)
    assert await desk.run() == 0
    assert await desk.digests(user) == []
    assert await desk.days(user) == []  # the claim was rolled back with the failed send

    monkeypatch.setattr(digests, "send_notification", real)
    assert await desk.run() == 1
    assert len(await desk.digests(user)) == 1
    assert await desk.days(user) == [("2026-11-25", True)]


async def test_digest_hour_and_opt_out_come_from_the_profile(desk: Desk) -> None:
    early = await desk.person("Early", timezone="Europe/Moscow", digest_hour=7)
    quiet = await desk.person("Quiet", timezone="Europe/Moscow", digest_enabled=False)
    project = await desk.project(early, "PRF", quiet)
    for user in (early, quiet):
        await desk.task(project, early, assignee_id=user.id, deadline=utc(2026, 11, 25, 15))

    me = (await desk.client.get("/api/v1/me", headers=early.headers)).json()
    assert (me["digest_hour"], me["digest_enabled"]) == (7, True)
    bad = await desk.client.patch("/api/v1/me", json={"digest_hour": 24}, headers=early.headers)
    assert bad.status_code == 422

    set_clock(utc(2026, 11, 25, 3, 55))  # 06:55 in Moscow
    await desk.run()
    assert await desk.digests(early) == []
    set_clock(utc(2026, 11, 25, 4, 1))  # 07:01
    await desk.run()
    assert len(await desk.digests(early)) == 1
    set_clock(utc(2026, 11, 25, 20))
    await desk.run()
    assert await desk.digests(quiet) == []
    assert await desk.days(quiet) == []


async def test_the_worker_runs_the_registered_cron_job(desk: Desk, deliver: Deliver) -> None:
    """The production path: the job registered with the cron schedule, run by a SAQ worker."""
    registry = desk.client.app.state.registry
    assert (digests.send_due_digests, digests.DIGEST_CRON) in registry.crons
    user = await desk.person("Worker", timezone="Europe/Moscow")
    project = await desk.project(user, "WRK")
    await desk.task(project, user, assignee_id=user.id, deadline=utc(2026, 11, 25, 15))
    set_clock(utc(2026, 11, 25, 6, 5))
    queue = desk.client.app.state.queue
    await in_app(desk.client, lambda: queue.enqueue("notifications.send_due_digests", key="digest-test"))
    await deliver()
    assert len(await desk.digests(user)) == 1


async def test_moving_west_after_the_digest_does_not_bring_a_second_one(desk: Desk) -> None:
    """09:01 in Moscow, then the user moves to Los Angeles, where it is still the evening before."""
    user = await desk.person("Traveller", timezone="Europe/Moscow")
    project = await desk.project(user, "TRV")
    await desk.task(project, user, assignee_id=user.id, deadline=utc(2026, 11, 26, 15))
    set_clock(utc(2026, 11, 25, 6, 1))
    await desk.run()
    resp = await desk.client.patch(
        "/api/v1/me", json={"timezone": "America/Los_Angeles"}, headers=user.headers
    )
    assert resp.status_code == 200
    set_clock(utc(2026, 11, 25, 7, 1))  # 23:01 on 24 November in Los Angeles
    await desk.run()
    assert len(await desk.digests(user)) == 1
    set_clock(utc(2026, 11, 25, 17, 1))  # 09:01 on 25 November in Los Angeles: that day had its digest
    await desk.run()
    assert len(await desk.digests(user)) == 1
    set_clock(utc(2026, 11, 26, 17, 1))  # 09:01 on 26 November in Los Angeles
    await desk.run()
    assert len(await desk.digests(user)) == 2
