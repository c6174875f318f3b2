"""Socket.IO against a running server: who may connect, who may join which room, what arrives.

Every client here is a real python-socketio client over WebSocket, and every
change is made over REST, as a browser would.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import timedelta
from typing import Any
from uuid import UUID

import jwt
import msgspec
import pytest
from redis.asyncio import Redis

from tests.integration.realtime.conftest import TIMEOUT, Http, LiveServer, Socket, User
from tests.support import set_role
from workhub.kernel.security import TokenService
from workhub.settings import Settings

Sockets = Any  # the ``sockets`` fixture: ``await sockets(user)`` → a connected :class:`Socket`


async def _token(settings: Settings, user: User, *, ttl: int, locale: str = "en") -> str:
    """An access token for ``user`` signed by the server's key, with a lifetime of ``ttl`` seconds."""
    redis = Redis.from_url(str(settings.redis_url))
    try:
        tokens = TokenService(msgspec.structs.replace(settings, access_token_ttl=ttl), redis)
        return tokens.issue(uuid.UUID(user.id), "manager", locale)[0]
    finally:
        await redis.aclose()


async def _subscribed(sockets: Sockets, user: User, room: str) -> Socket:
    socket = await sockets(user)
    ack = await socket.call("subscribe", room)
    assert ack == {"ok": True, "room": room}
    return socket


# --- connecting -------------------------------------------------------------


async def test_a_valid_token_connects_and_the_socket_gets_its_user_room(
    http: Http, sockets: Sockets, live_server: LiveServer
) -> None:
    from workhub.kernel.sockets import redis_broadcaster

    user = await http.user()
    other = await http.user()
    mine, theirs = await sockets(user), await sockets(other)
    broadcaster = redis_broadcaster(str(live_server.settings.redis_url))
    try:
        await broadcaster.emit("hello", {"n": 1}, room=f"user:{user.id}")
    finally:
        await broadcaster.aclose()
    assert await mine.next("hello") == {"n": 1}
    # Only that user's sockets: a round trip on the other socket proves nothing is in flight.
    await theirs.call("unsubscribe", f"project:{uuid.uuid4()}")
    assert theirs.pending("hello") == 0


@pytest.mark.parametrize(
    ("auth", "code"),
    [(None, "token_missing"), ({}, "token_missing"), ({"token": "not-a-jwt"}, "token_invalid")],
)
async def test_a_missing_or_malformed_token_is_refused_with_a_reason(
    sockets: Sockets, auth: dict[str, Any] | None, code: str
) -> None:
    socket = await sockets()
    refusal = await socket.refused(auth)
    assert refusal["code"] == code
    assert refusal["message"]


async def test_an_expired_token_is_refused_in_the_users_language(
    http: Http, sockets: Sockets, live_server: LiveServer
) -> None:
    user = await http.user(locale="ru")
    token = await _token(live_server.settings, user, ttl=-10, locale="ru")
    socket = await sockets()
    refusal = await socket.refused({"token": token, "locale": "ru"})
    assert refusal == {
        "code": "token_expired",
        "message": "Срок действия токена доступа истёк, переподключитесь с новым",
    }


async def test_a_token_of_a_signed_out_session_is_refused(http: Http, sockets: Sockets) -> None:
    user = await http.user()
    resp = await http.client.post("/api/v1/auth/logout", headers=user.headers)
    assert resp.status_code == 204
    refusal = await (await sockets()).refused({"token": user.token})
    assert refusal["code"] == "token_revoked"
    assert refusal["message"] == "You have been signed out; sign in again"


async def test_the_server_closes_a_socket_when_its_token_expires(
    http: Http, sockets: Sockets, live_server: LiveServer
) -> None:
    user = await http.user()
    token = await _token(live_server.settings, user, ttl=2)
    socket = await sockets(auth={"token": token})
    expired = await socket.next("session.expired", wait=TIMEOUT + 2)
    assert expired["code"] == "token_expired"
    await asyncio.wait_for(socket.disconnected.wait(), TIMEOUT)


async def test_a_socket_of_a_signed_out_session_can_join_nothing_more(http: Http, sockets: Sockets) -> None:
    owner = await http.user()
    await http.project(owner)
    socket = await sockets(owner)
    resp = await http.client.post("/api/v1/auth/logout", headers=owner.headers)
    assert resp.status_code == 204
    await socket.next("session.ended", wait=1)  # closed, so it cannot subscribe to anything more
    await asyncio.wait_for(socket.disconnected.wait(), 1)
    assert (await (await sockets()).refused({"token": owner.token}))["code"] == "token_revoked"


async def _closed_within_a_second(socket: Any) -> dict[str, Any]:
    ended = await socket.next("session.ended", wait=1)
    await asyncio.wait_for(socket.disconnected.wait(), 1)
    return ended


async def test_signing_out_closes_that_sessions_open_sockets_at_once(http: Http, sockets: Sockets) -> None:
    user = await http.user()
    other_device = await http.login(user.email)
    this = await sockets(user)
    elsewhere = await sockets(auth={"token": other_device["access_token"]})
    resp = await http.client.post(
        "/api/v1/auth/logout", json={"refresh_token": user.refresh_token}, headers=user.headers
    )
    assert resp.status_code == 204
    ended = await _closed_within_a_second(this)
    assert ended == {"code": "token_revoked", "message": "You have been signed out; sign in again"}
    assert elsewhere.client.connected and elsewhere.pending("session.ended") == 0  # another sign-in goes on


async def test_a_reused_refresh_token_closes_the_sockets_of_its_whole_sign_in(
    http: Http, sockets: Sockets, live_server: LiveServer
) -> None:
    user = await http.user()
    socket = await sockets(user)
    first = await http.client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert first.status_code == 200
    later = await sockets(auth={"token": first.json()["access_token"]})
    await asyncio.sleep(0)
    from workhub.kernel.clock import clock

    clock.shift(timedelta(seconds=31))  # past the grace window: this is theft
    try:
        reused = await http.client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    finally:
        clock.reset()
    assert reused.status_code == 401
    await _closed_within_a_second(socket)
    await _closed_within_a_second(later)


async def test_deactivation_closes_every_socket_of_the_user(
    http: Http, sockets: Sockets, live_server: LiveServer
) -> None:
    admin = await http.user("admin")
    await set_role(live_server.settings.database_url or "", UUID(admin.id), "admin")
    admin_token = (await http.login(admin.email))["access_token"]
    user = await http.user()
    phone = await http.login(user.email)
    sockets_of_user = [await sockets(user), await sockets(auth={"token": phone["access_token"]})]
    resp = await http.client.patch(
        f"/api/v1/admin/users/{user.id}",
        json={"is_active": False},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert resp.status_code == 200, resp.text
    for socket in sockets_of_user:
        await _closed_within_a_second(socket)


async def test_a_session_ended_in_another_process_closes_the_socket_here(
    http: Http, sockets: Sockets, live_server: LiveServer
) -> None:
    """What a second web process's sign-out sends: the control emit through Redis, from its own process."""
    user = await http.user()
    socket = await sockets(user)
    jti = jwt.decode(user.token, options={"verify_signature": False})["jti"]
    script = textwrap.dedent(
        """
        import asyncio, sys
        from uuid import UUID
        from workhub.kernel.realtime import end_session_sockets
        from workhub.kernel.sockets import redis_broadcaster

        async def main() -> None:
            broadcaster = redis_broadcaster(sys.argv[1])
            await end_session_sockets(broadcaster, UUID(sys.argv[2]), sys.argv[3])
            await broadcaster.aclose()

        asyncio.run(main())
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        str(live_server.settings.redis_url),
        user.id,
        jti,
        env=env,
        stderr=subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, stderr.decode()
    await _closed_within_a_second(socket)


# --- subscribing --------------------------------------------------------------


async def test_members_of_any_role_may_subscribe_to_their_project(http: Http, sockets: Sockets) -> None:
    owner, viewer = await http.user("owner"), await http.user("viewer")
    project = await http.project(owner)
    await http.add_member(project, owner, viewer, "viewer")
    for user in (owner, viewer):
        await _subscribed(sockets, user, f"project:{project}")


async def test_a_non_member_is_refused_as_if_the_project_did_not_exist(http: Http, sockets: Sockets) -> None:
    owner, outsider = await http.user("owner"), await http.user("outsider", locale="ru")
    project = await http.project(owner)
    socket = await sockets(outsider)
    refused = await socket.call("subscribe", f"project:{project}")
    absent = await socket.call("subscribe", f"project:{uuid.uuid4()}")
    assert (
        refused == absent == {"ok": False, "code": "not_found", "message": "Не найдено или у вас нет доступа"}
    )


@pytest.mark.parametrize("room", ["user:abc", "project:not-a-uuid", "lobby", "", f"user:{uuid.uuid4()}"])
async def test_rooms_that_cannot_be_subscribed_to_are_refused(
    http: Http, sockets: Sockets, room: str
) -> None:
    socket = await sockets(await http.user())
    ack = await socket.call("subscribe", room)
    assert ack["ok"] is False and ack["code"] == "room_invalid"


async def test_a_channel_or_job_room_is_refused_to_someone_without_access(
    http: Http, sockets: Sockets
) -> None:
    """Absent and foreign look the same, as over REST (the chat and jobs modules' own access scopes decide)."""
    socket = await sockets(await http.user())
    for kind in ("channel", "job"):
        ack = await socket.call("subscribe", f"{kind}:{uuid.uuid4()}")
        assert ack["ok"] is False and ack["code"] == "not_found"


# --- live updates -------------------------------------------------------------


async def test_a_task_change_made_over_rest_reaches_the_project_room_with_its_version(
    http: Http, sockets: Sockets
) -> None:
    owner, viewer, outsider = await http.user("owner"), await http.user("viewer"), await http.user("x")
    project = await http.project(owner)
    await http.add_member(project, owner, viewer, "viewer")
    watching = await _subscribed(sockets, viewer, f"project:{project}")
    elsewhere = await sockets(outsider)

    task = await http.task(project, owner, "Write the report")
    created = await watching.next("task.created")
    assert created["task"]["id"] == task["id"] and created["version"] == task["version"]

    started = time.monotonic()
    updated_task = await http.patch_task(task, owner, status="in_progress")
    updated = await watching.next("task.updated")
    assert time.monotonic() - started < 2.0  # the relay is woken by NOTIFY, not a poll
    assert updated["version"] == updated_task["version"] == task["version"] + 1
    assert updated["task"] == updated_task  # the same body the REST API returned
    assert updated["changes"]["status"] == ["todo", "in_progress"]

    resp = await http.client.post(
        f"/api/v1/tasks/{task['id']}/comments", json={"body": "On it"}, headers=owner.headers
    )
    assert resp.status_code == 201, resp.text
    comment = await watching.next("comment.created")
    assert comment["comment"]["id"] == resp.json()["id"] and comment["task_id"] == task["id"]

    await elsewhere.call("unsubscribe", f"project:{project}")  # a round trip: nothing is in flight
    assert elsewhere.pending("task.updated") == elsewhere.pending("task.created") == 0


async def test_an_emit_from_a_separate_worker_process_reaches_a_browser_socket(
    http: Http, sockets: Sockets, live_server: LiveServer
) -> None:
    """The worker's broadcaster (a write-only Redis manager) in its own process, as ``workhub worker`` builds it."""
    user = await http.user()
    socket = await sockets(user)
    script = textwrap.dedent(
        """
        import asyncio, sys
        from workhub.kernel.sockets import redis_broadcaster

        async def main() -> None:
            broadcaster = redis_broadcaster(sys.argv[1])
            await broadcaster.emit("job.progress", {"job_id": "j1", "done": 3, "total": 4}, room=sys.argv[2])
            await broadcaster.aclose()

        asyncio.run(main())
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        str(live_server.settings.redis_url),
        f"user:{user.id}",
        env=env,
        stderr=subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, stderr.decode()
    assert await socket.next("job.progress") == {"job_id": "j1", "done": 3, "total": 4}


async def test_removal_from_a_project_ends_delivery(http: Http, sockets: Sockets) -> None:
    owner, member = await http.user("owner"), await http.user("member")
    project = await http.project(owner)
    await http.add_member(project, owner, member, "editor")
    room = f"project:{project}"
    watching_owner = await _subscribed(sockets, owner, room)
    watching_member = await _subscribed(sockets, member, room)
    task = await http.task(project, owner)
    await watching_member.next("task.created")

    resp = await http.client.delete(f"/api/v1/projects/{project}/members/{member.id}", headers=owner.headers)
    assert resp.status_code == 204, resp.text
    removed = await watching_member.next("member.removed")  # told, while still in the room
    assert removed["user_id"] == member.id
    left = await watching_member.next("room.left")
    assert left["room"] == room and left["code"] == "access_revoked"

    await http.patch_task(task, owner, title="Renamed")
    await watching_owner.next("task.updated")
    await watching_member.call("unsubscribe", room)  # a round trip: an emit to them would be here by now
    assert watching_member.pending("task.updated") == 0
    ack = await watching_member.call("subscribe", room)
    assert ack["ok"] is False and ack["code"] == "not_found"


async def test_leaving_a_project_ends_delivery_to_every_socket_within_a_second(
    http: Http, sockets: Sockets
) -> None:
    """Both tabs of the member leave the project room and its channel rooms; boards see their task unassigned."""
    owner, member = await http.user("owner"), await http.user("member")
    project = await http.project(owner)
    await http.add_member(project, owner, member, "editor")
    channel = await _channel(http, project, owner)
    room, channel_room = f"project:{project}", f"channel:{channel}"
    board = await _subscribed(sockets, owner, room)
    tabs = [await _subscribed(sockets, member, room) for _ in range(2)]
    for tab in tabs:
        assert await tab.call("subscribe", channel_room) == {"ok": True, "room": channel_room}
    resp = await http.client.post(
        f"/api/v1/projects/{project}/tasks",
        json={"title": "Theirs", "assignee_id": member.id},
        headers=owner.headers,
    )
    assert resp.status_code == 201, resp.text
    for socket in (board, *tabs):
        await socket.next("task.created")

    resp = await http.client.post(f"/api/v1/projects/{project}/leave", headers=member.headers)
    assert resp.status_code == 204, resp.text
    for tab in tabs:
        left = {(await tab.next("room.left", wait=1))["room"], (await tab.next("room.left", wait=1))["room"]}
        assert left == {room, channel_room}
    unassigned = await board.next("task.updated")  # the open board drops the assignee
    assert unassigned["changes"] == {"assignee_id": [member.id, None]}
    assert unassigned["task"]["assignee_id"] is None

    await http.task(project, owner, "After")
    resp = await http.client.post(
        f"/api/v1/channels/{channel}/messages", json={"text": "still there?"}, headers=owner.headers
    )
    assert resp.status_code == 201, resp.text
    await board.next("task.created")
    for tab in tabs:
        await tab.call("unsubscribe", room)  # a round trip: an emit to them would be here by now
        assert tab.pending("task.created") == tab.pending("message.created") == 0


async def test_a_revocation_sent_from_another_process_makes_the_sockets_here_leave(
    http: Http, sockets: Sockets, live_server: LiveServer
) -> None:
    """What the outbox relay in ``workhub worker`` sends after a removal: the control emit, from its own process."""
    owner, member = await http.user("owner"), await http.user("member")
    project = await http.project(owner)
    await http.add_member(project, owner, member, "editor")
    channel = await _channel(http, project, owner)
    socket = await _subscribed(sockets, member, f"project:{project}")
    assert (await socket.call("subscribe", f"channel:{channel}"))["ok"] is True
    other = await _subscribed(sockets, owner, f"project:{project}")
    script = textwrap.dedent(
        """
        import asyncio, sys
        from uuid import UUID
        from workhub.kernel.realtime import Revocation, leave_rooms
        from workhub.kernel.sockets import redis_broadcaster

        async def main() -> None:
            broadcaster = redis_broadcaster(sys.argv[1])
            await leave_rooms(broadcaster, Revocation(user_id=UUID(sys.argv[2]), project_id=UUID(sys.argv[3])))
            await broadcaster.aclose()

        asyncio.run(main())
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        str(live_server.settings.redis_url),
        member.id,
        project,
        env=env,
        stderr=subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, stderr.decode()
    left = {
        (await socket.next("room.left", wait=1))["room"],
        (await socket.next("room.left", wait=1))["room"],
    }
    assert left == {f"project:{project}", f"channel:{channel}"}
    await other.call("unsubscribe", f"project:{uuid.uuid4()}")  # a round trip: nothing for the owner
    assert other.pending("room.left") == 0


async def test_unsubscribing_stops_delivery(http: Http, sockets: Sockets) -> None:
    owner = await http.user()
    project = await http.project(owner)
    room = f"project:{project}"
    socket = await _subscribed(sockets, owner, room)
    other = await _subscribed(sockets, owner, room)
    assert await socket.call("unsubscribe", room) == {"ok": True, "room": room}
    await http.task(project, owner)
    await other.next("task.created")
    await socket.call("unsubscribe", room)
    assert socket.pending("task.created") == 0


async def test_an_event_for_two_rooms_a_socket_is_in_arrives_once(
    http: Http, sockets: Sockets, live_server: LiveServer
) -> None:
    from workhub.kernel.sockets import redis_broadcaster

    owner = await http.user()
    project = await http.project(owner)
    socket = await _subscribed(sockets, owner, f"project:{project}")
    # A name no module emits: creating the project also announces its general channel.
    broadcaster = redis_broadcaster(str(live_server.settings.redis_url))
    try:
        await broadcaster.emit_rooms("test.probe", {"n": 1}, [f"user:{owner.id}", f"project:{project}"])
    finally:
        await broadcaster.aclose()
    assert await socket.next("test.probe") == {"n": 1}
    await socket.call("unsubscribe", f"project:{uuid.uuid4()}")  # a round trip: a second copy would be here
    assert socket.pending("test.probe") == 0


async def test_a_system_administrator_may_watch_any_project_but_not_its_chat(
    http: Http, sockets: Sockets, live_server: LiveServer
) -> None:
    owner, admin = await http.user("owner"), await http.user("admin")
    await set_role(str(live_server.settings.database_url), uuid.UUID(admin.id), "admin")
    admin.token = (await http.login(admin.email))["access_token"]
    project = await http.project(owner)
    channel = await _channel(http, project, owner)
    socket = await _subscribed(sockets, admin, f"project:{project}")
    ack = await socket.call("subscribe", f"channel:{channel}")
    assert ack["ok"] is False and ack["code"] == "not_found"


async def test_channel_rooms_follow_channel_access_and_are_left_with_the_project(
    http: Http, sockets: Sockets
) -> None:
    owner, member, outsider = await http.user("owner"), await http.user("member"), await http.user("x")
    project = await http.project(owner)
    await http.add_member(project, owner, member, "editor")
    channel = await _channel(http, project, owner)
    refused = await (await sockets(outsider)).call("subscribe", f"channel:{channel}")
    assert refused["ok"] is False and refused["code"] == "not_found"
    socket = await _subscribed(sockets, member, f"project:{project}")
    assert await socket.call("subscribe", f"channel:{channel}") == {"ok": True, "room": f"channel:{channel}"}

    resp = await http.client.delete(f"/api/v1/projects/{project}/members/{member.id}", headers=owner.headers)
    assert resp.status_code == 204, resp.text
    left = {(await socket.next("room.left"))["room"], (await socket.next("room.left"))["room"]}
    assert left == {f"project:{project}", f"channel:{channel}"}


async def _channel(http: Http, project: str, owner: User) -> str:
    resp = await http.client.post(
        f"/api/v1/projects/{project}/channels", json={"name": "releases"}, headers=owner.headers
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]
