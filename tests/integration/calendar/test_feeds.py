"""Private ICS feeds: made, listed and revoked by their owner; fetched by calendar apps with the secret URL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar

from tests.integration.tasks.conftest import Board
from tests.support import SignedInUser, make_admin


async def _new_feed(board: Board, user: SignedInUser, **body: Any) -> dict[str, Any]:
    resp = await board.client.post(
        "/api/v1/calendar/feeds", json=body or {"scope": "mine"}, headers=user.headers
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def _path(feed: dict[str, Any]) -> str:
    """The URL's path: the test client speaks to the app directly."""
    return "/" + feed["url"].split("://", 1)[1].split("/", 1)[1]


async def _events(board: Board, feed: dict[str, Any]) -> dict[str, Any]:
    """The feed fetched without any credentials, parsed: UID → VEVENT."""
    resp = await board.client.get(_path(feed))
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "text/calendar; charset=utf-8"  # once, not repeated
    calendar = Calendar.from_ical(resp.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


async def test_a_feed_shows_my_tasks_as_events_with_stable_uids(board: Board) -> None:
    mine = await board.create(
        title="Quarterly report", deadline="2026-12-15T18:00:00+03:00", assignee_id=str(board.editor.id)
    )
    await board.create(title="Not mine", deadline="2026-12-16T10:00:00Z", assignee_id=str(board.owner.id))
    await board.create(title="No deadline", assignee_id=str(board.editor.id))
    feed = await _new_feed(board, board.editor)
    assert feed["scope"] == "mine" and feed["include"] == "assigned" and feed["project_id"] is None
    assert feed["url"].endswith(f"/api/v1/calendar/feeds/{feed['token']}.ics")

    events = await _events(board, feed)
    uid = f"{mine['id']}@workhub"
    assert list(events) == [uid]
    event = events[uid]
    assert str(event["SUMMARY"]) == "OPS-1 Quarterly report"
    assert event.decoded("DTSTART") == datetime(2026, 12, 15, 15, tzinfo=UTC)
    assert event["SEQUENCE"] == mine["version"]
    assert str(event["URL"]).endswith(f"/tasks/{mine['id']}")
    assert "DTSTAMP" in event and "LAST-MODIFIED" in event

    moved = await board.patch(mine, deadline="2026-12-20T09:00:00Z")
    assert moved.status_code == 200
    again = (await _events(board, feed))[uid]  # the same event, moved
    assert again.decoded("DTSTART") == datetime(2026, 12, 20, 9, tzinfo=UTC)
    assert again["SEQUENCE"] == moved.json()["version"] > event["SEQUENCE"]
    assert again.decoded("LAST-MODIFIED") >= event.decoded("LAST-MODIFIED")


async def test_cancelled_tasks_leave_the_feed_and_done_ones_are_ticked(board: Board) -> None:
    cancel = await board.create(title="Dropped", deadline="2026-12-15T10:00:00Z")
    finish = await board.create(title="Finished", deadline="2026-12-16T10:00:00Z")
    delete = await board.create(title="Deleted", deadline="2026-12-17T10:00:00Z")
    feed = await _new_feed(board, board.owner, scope="project", project_id=board.id)
    assert feed["include"] == "all"
    assert len(await _events(board, feed)) == 3

    assert (await board.patch(cancel, status="cancelled")).status_code == 200
    assert (await board.patch(finish, status="done")).status_code == 200
    await board.client.delete(f"/api/v1/tasks/{delete['id']}", headers=board.owner.headers)
    events = await _events(board, feed)
    assert list(events) == [f"{finish['id']}@workhub"]
    assert str(events[f"{finish['id']}@workhub"]["SUMMARY"]) == "✓ OPS-2 Finished"


async def test_a_revoked_feed_is_gone(board: Board) -> None:
    await board.create(title="Something", deadline="2026-12-15T10:00:00Z", assignee_id=str(board.editor.id))
    keep = await _new_feed(board, board.editor)
    drop = await _new_feed(board, board.editor, scope="project", project_id=board.id, include="assigned")
    listed = await board.client.get("/api/v1/calendar/feeds", headers=board.editor.headers)
    assert [f["id"] for f in listed.json()["items"]] == [drop["id"], keep["id"]]
    assert "token" not in listed.json()["items"][0] and "url" not in listed.json()["items"][0]

    # Someone else's feed cannot be revoked, or told apart from a missing one.
    other = await board.client.delete(f"/api/v1/calendar/feeds/{drop['id']}", headers=board.owner.headers)
    assert other.status_code == 404
    resp = await board.client.delete(f"/api/v1/calendar/feeds/{drop['id']}", headers=board.editor.headers)
    assert resp.status_code == 204
    gone = await board.client.get(_path(drop))
    assert gone.status_code == 404
    assert gone.json()["code"] == "calendar_feed_invalid"
    assert (
        await board.client.delete(f"/api/v1/calendar/feeds/{drop['id']}", headers=board.editor.headers)
    ).status_code == 404
    listed = await board.client.get("/api/v1/calendar/feeds", headers=board.editor.headers)
    assert [f["id"] for f in listed.json()["items"]] == [keep["id"]]
    assert len(await _events(board, keep)) == 1
    for wrong in ("/api/v1/calendar/feeds/not-a-token.ics", f"/api/v1/calendar/feeds/{keep['token']}"):
        assert (await board.client.get(wrong)).status_code == 404


async def test_access_is_checked_at_every_fetch(board: Board) -> None:
    await board.create(title="OPS plan", deadline="2026-12-15T10:00:00Z", assignee_id=str(board.editor.id))
    everything = await _new_feed(board, board.editor, scope="mine", include="all")
    project_feed = await _new_feed(board, board.editor, scope="project", project_id=board.id)
    assert len(await _events(board, everything)) == len(await _events(board, project_feed)) == 1

    resp = await board.client.delete(
        f"/api/v1/projects/{board.id}/members/{board.editor.id}", headers=board.owner.headers
    )
    assert resp.status_code == 204, resp.text
    # The URLs still answer (so calendars drop the events), but with nothing of OPS in them.
    assert await _events(board, everything) == {}
    assert await _events(board, project_feed) == {}


async def test_other_peoples_projects_never_leak(board: Board) -> None:
    other = await board.api.project(board.outsider, key="SEC")
    resp = await board.client.post(
        f"/api/v1/projects/{other['id']}/tasks",
        json={"title": "Secret", "deadline": "2026-12-15T10:00:00Z", "assignee_id": str(board.outsider.id)},
        headers=board.outsider.headers,
    )
    assert resp.status_code == 201
    await board.create(title="Ours", deadline="2026-12-15T10:00:00Z")

    feed = await _new_feed(board, board.viewer, scope="mine", include="all")
    assert [str(e["SUMMARY"]) for e in (await _events(board, feed)).values()] == ["OPS-1 Ours"]
    foreign = await board.client.post(
        "/api/v1/calendar/feeds",
        json={"scope": "project", "project_id": other["id"]},
        headers=board.viewer.headers,
    )
    assert foreign.status_code == 404
    missing = await board.client.post(
        "/api/v1/calendar/feeds", json={"scope": "project"}, headers=board.viewer.headers
    )
    assert missing.status_code == 422
    assert missing.json()["code"] == "project_required"


async def test_an_administrator_asking_for_a_feed_of_no_project_gets_404(board: Board) -> None:
    """Administrators may read every project, but one that does not exist is a 404, not a server error."""
    admin = await make_admin(board.client, board.api)
    resp = await board.client.post(
        "/api/v1/calendar/feeds",
        json={"scope": "project", "project_id": "01a2511a-0000-7000-8000-000000000000"},
        headers=admin.headers,
    )
    assert resp.status_code == 404, resp.text
    assert resp.json()["code"] == "not_found"
    readable = await _new_feed(board, admin, scope="project", project_id=str(board.project_id))
    assert readable["project_id"] == str(board.project_id)


async def test_feed_fetches_are_rate_limited(board: Board) -> None:
    feed = await _new_feed(board, board.owner)
    statuses = [(await board.client.get(_path(feed))).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


async def test_a_deactivated_accounts_feeds_stop(board: Board) -> None:
    await board.create(title="Plan", deadline="2026-12-15T10:00:00Z", assignee_id=str(board.editor.id))
    feed = await _new_feed(board, board.editor)
    assert len(await _events(board, feed)) == 1
    admin = await make_admin(board.client, board.api)
    resp = await board.client.patch(
        f"/api/v1/admin/users/{board.editor.id}", json={"is_active": False}, headers=admin.headers
    )
    assert resp.status_code == 200, resp.text
    assert (await board.client.get(_path(feed))).status_code == 404


async def test_a_calendar_app_refetching_an_unchanged_feed_gets_304(board: Board) -> None:
    from datetime import timedelta

    from workhub.kernel.clock import clock

    task = await board.create(
        title="Pay rent",
        deadline=(clock.now() + timedelta(days=3)).isoformat(),
        assignee_id=str(board.editor.id),
    )
    feed = await _new_feed(board, board.editor)
    first = await board.client.get(_path(feed))
    assert first.status_code == 200
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and modified.endswith("GMT")

    unchanged = await board.client.get(_path(feed), headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    since = await board.client.get(_path(feed), headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    assert (await board.client.get(_path(feed), headers={"If-None-Match": '"other"'})).status_code == 200

    clock.shift(timedelta(seconds=2))
    renamed = await board.patch(task, title="Pay the rent")
    assert renamed.status_code == 200
    changed = await board.client.get(
        _path(feed), headers={"If-None-Match": etag, "If-Modified-Since": modified}
    )
    assert changed.status_code == 200 and b"Pay the rent" in changed.content
    assert changed.headers["etag"] != etag and changed.headers["last-modified"] != modified

    # Leaving the feed changes it too (no task's updated_at would show that).
    clock.shift(timedelta(seconds=2))
    await board.client.delete(f"/api/v1/tasks/{task['id']}", headers=board.owner.headers)
    gone = await board.client.get(_path(feed), headers={"If-None-Match": changed.headers["etag"]})
    assert gone.status_code == 200 and b"Pay the rent" not in gone.content
