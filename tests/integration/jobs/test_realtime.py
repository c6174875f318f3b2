"""The ``job:<id>`` room over a real Socket.IO connection: only the job's owner may listen.

Uses the live server and clients of the realtime tests (the app under
uvicorn with its outbox relay, real python-socketio clients).
"""

from __future__ import annotations

from typing import Any

from tests.integration.realtime import conftest as realtime
from tests.integration.realtime.conftest import Http

live_server = realtime.live_server
http = realtime.http
sockets = realtime.sockets
"""The realtime tests' fixtures, used here by name."""


async def test_only_the_owner_may_join_the_job_room_and_hears_its_events(http: Http, sockets: Any) -> None:
    owner, other = await http.user("owner"), await http.user("other")
    resp = await http.client.post(
        "/api/v1/jobs", json={"kind": "export_tasks_csv", "params": {}}, headers=owner.headers
    )
    assert resp.status_code == 202, resp.text
    job = resp.json()
    room = f"job:{job['id']}"
    watching = await sockets(owner)
    assert await watching.call("subscribe", room) == {"ok": True, "room": room}
    stranger = await sockets(other)
    refused = await stranger.call("subscribe", room)
    assert refused["ok"] is False and refused["code"] == "not_found"

    resp = await http.client.post(f"/api/v1/jobs/{job['id']}/cancel", headers=owner.headers)
    assert resp.status_code == 200, resp.text
    event = await watching.next("job.cancelled")
    assert event["job"]["id"] == job["id"] and event["job"]["status"] == "cancelled"
    assert stranger.pending("job.cancelled") == 0
