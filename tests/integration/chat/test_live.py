"""Chat over real Socket.IO clients against a running server (uvicorn, relay on)."""

from __future__ import annotations

from typing import Any

from tests.integration.realtime.conftest import Http, User


async def _general(http: Http, project: str, user: User) -> dict[str, Any]:
    resp = await http.client.get(f"/api/v1/projects/{project}/channels", headers=user.headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["items"][0]


async def _post(http: Http, channel_id: str, by: User, text: str) -> dict[str, Any]:
    resp = await http.client.post(
        f"/api/v1/channels/{channel_id}/messages", json={"text": text}, headers=by.headers
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def _watch(sockets: Any, user: User, room: str) -> Any:
    socket = await sockets(user)
    ack = await socket.call("subscribe", room)
    assert ack["ok"] is True, ack
    return socket


async def test_a_message_posted_by_one_user_reaches_another_users_socket(http: Http, sockets: Any) -> None:
    owner, member = await http.user("owner"), await http.user("member")
    project = await http.project(owner)
    await http.add_member(project, owner, member, "viewer")
    general = await _general(http, project, owner)
    room = f"channel:{general['id']}"
    watching = await _watch(sockets, member, room)
    posted = await _post(http, general["id"], owner, "Hello OPS")
    created = await watching.next("message.created")
    assert created["message"] == posted
    resp = await http.client.patch(
        f"/api/v1/messages/{posted['id']}", json={"text": "Hi"}, headers=owner.headers
    )
    assert resp.status_code == 200
    assert (await watching.next("message.updated"))["message"]["text"] == "Hi"
    await http.client.delete(f"/api/v1/messages/{posted['id']}", headers=owner.headers)
    deleted = await watching.next("message.deleted")
    assert (deleted["message"]["deleted"], deleted["message"]["text"]) == (True, "")


async def test_a_private_channel_is_refused_to_others_and_removal_ends_delivery(
    http: Http, sockets: Any
) -> None:
    owner, listed, other = await http.user("owner"), await http.user("listed"), await http.user("other")
    project = await http.project(owner)
    await http.add_member(project, owner, listed, "editor")
    await http.add_member(project, owner, other, "editor")
    resp = await http.client.post(
        f"/api/v1/projects/{project}/channels",
        json={"name": "leads", "private": True, "member_ids": [listed.id]},
        headers=owner.headers,
    )
    assert resp.status_code == 201, resp.text
    channel = resp.json()
    room = f"channel:{channel['id']}"
    refused = await (await sockets(other)).call("subscribe", room)
    assert refused["ok"] is False and refused["code"] == "not_found"
    watching_owner = await _watch(sockets, owner, room)
    watching = await _watch(sockets, listed, room)
    await _post(http, channel["id"], owner, "before")
    assert (await watching.next("message.created"))["message"]["text"] == "before"
    assert (await watching_owner.next("message.created"))["message"]["text"] == "before"

    resp = await http.client.delete(
        f"/api/v1/channels/{channel['id']}/members/{listed.id}", headers=owner.headers
    )
    assert resp.status_code == 204, resp.text
    removed = await watching.next("channel.member_removed")
    assert removed["user_id"] == listed.id
    left = await watching.next("room.left")
    assert left["room"] == room and left["code"] == "access_revoked"
    await _post(http, channel["id"], owner, "after")
    assert (await watching_owner.next("message.created"))["message"]["text"] == "after"
    await watching.call("unsubscribe", room)  # a round trip: an emit to them would be here by now
    assert watching.pending("message.created") == 0
    again = await watching.call("subscribe", room)
    assert again["ok"] is False and again["code"] == "not_found"


async def test_removal_from_the_project_ends_delivery_of_its_channels(http: Http, sockets: Any) -> None:
    owner, member = await http.user("owner"), await http.user("member")
    project = await http.project(owner)
    await http.add_member(project, owner, member, "editor")
    general = await _general(http, project, owner)
    room = f"channel:{general['id']}"
    watching_owner = await _watch(sockets, owner, room)
    watching = await _watch(sockets, member, room)
    resp = await http.client.delete(f"/api/v1/projects/{project}/members/{member.id}", headers=owner.headers)
    assert resp.status_code == 204, resp.text
    left = await watching.next("room.left")
    assert left["room"] == room and left["code"] == "access_revoked"
    await _post(http, general["id"], owner, "after they left")
    assert (await watching_owner.next("message.created"))["message"]["text"] == "after they left"
    await watching.call("unsubscribe", room)  # a round trip: an emit to them would be here by now
    assert watching.pending("message.created") == 0
