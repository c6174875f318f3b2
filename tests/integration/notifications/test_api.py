"""The notification list, the unread count, marking read: each user sees and changes only their own."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from litestar.testing import AsyncTestClient

from tests.integration.notifications.conftest import Hub
from tests.support import Api, SignedInUser, make_admin, read
from workhub.notifications.services import send_notification

URL = "/api/v1/notifications"


async def _notify(client: AsyncTestClient[Any], user: SignedInUser, count: int) -> None:
    """``count`` notifications for ``user``, made the way every module makes them."""

    async def run(session: Any) -> None:
        for n in range(count):
            await send_notification(
                session,
                user_id=user.id,
                kind="member_removed",
                event_id=uuid4(),
                params={"project": f"P{n}"},
                data={"project_id": str(uuid4()), "n": n},
            )
        await session.commit()

    await read(client, run)


async def _unread(client: AsyncTestClient[Any], user: SignedInUser) -> int:
    resp = await client.get(f"{URL}/unread-count", headers=user.headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["count"]


async def test_the_list_is_newest_first_in_pages(client: AsyncTestClient[Any], api: Api) -> None:
    user, other = await api.user(), await api.user()
    await _notify(client, user, 5)
    await _notify(client, other, 2)

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        resp = await client.get(URL, params=params, headers=user.headers)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        seen += [n["title"] for n in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [f"You were removed from P{n}" for n in (4, 3, 2, 1, 0)]

    bad = await client.get(URL, params={"cursor": "not-a-cursor"}, headers=user.headers)
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_cursor"


async def test_reading_one_changes_the_count_and_the_unread_filter(
    client: AsyncTestClient[Any], api: Api
) -> None:
    user = await api.user()
    await _notify(client, user, 3)
    assert await _unread(client, user) == 3
    newest = (await client.get(URL, headers=user.headers)).json()["items"][0]

    resp = await client.post(f"{URL}/{newest['id']}/read", headers=user.headers)
    assert resp.status_code == 200, resp.text
    read_at = resp.json()["read_at"]
    assert read_at is not None
    assert await _unread(client, user) == 2
    unread = (await client.get(URL, params={"unread": "true"}, headers=user.headers)).json()["items"]
    assert newest["id"] not in [n["id"] for n in unread]
    assert len(unread) == 2

    # Reading it again keeps the first reading time.
    again = await client.post(f"{URL}/{newest['id']}/read", headers=user.headers)
    assert again.status_code == 200
    assert again.json()["read_at"] == read_at


async def test_someone_elses_notification_is_not_found(client: AsyncTestClient[Any], api: Api) -> None:
    owner, other = await api.user(), await api.user()
    await _notify(client, owner, 1)
    (note,) = (await client.get(URL, headers=owner.headers)).json()["items"]

    resp = await client.post(f"{URL}/{note['id']}/read", headers=other.headers)
    assert resp.status_code == 404
    assert (await client.post(f"{URL}/{uuid4()}/read", headers=owner.headers)).status_code == 404
    assert await _unread(client, owner) == 1
    assert (await client.get(URL, headers=other.headers)).json()["items"] == []


async def test_read_all_marks_only_the_callers(client: AsyncTestClient[Any], api: Api) -> None:
    user, other = await api.user(), await api.user()
    await _notify(client, user, 3)
    await _notify(client, other, 2)

    resp = await client.post(f"{URL}/read-all", headers=user.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"marked": 3}
    assert await _unread(client, user) == 0
    assert (await client.get(URL, params={"unread": "true"}, headers=user.headers)).json()["items"] == []
    assert await _unread(client, other) == 2
    assert (await client.post(f"{URL}/read-all", headers=user.headers)).json() == {"marked": 0}


async def test_reading_is_audited_and_new_notifications_are_not(
    client: AsyncTestClient[Any], api: Api
) -> None:
    admin = await make_admin(client, api)
    user = await api.user()
    await _notify(client, user, 2)
    (first, _) = (await client.get(URL, headers=user.headers)).json()["items"]
    await client.post(f"{URL}/{first['id']}/read", headers=user.headers)
    await client.post(f"{URL}/read-all", headers=user.headers)

    async def actions(name: str) -> list[dict[str, Any]]:
        resp = await client.get("/api/v1/admin/audit", params={"action": name}, headers=admin.headers)
        assert resp.status_code == 200, resp.text
        return resp.json()["items"]

    (one,) = await actions("notification.read")
    assert one["entity_id"] == first["id"]
    assert one["actor_id"] == str(user.id)
    (everything,) = await actions("notification.read_all")
    assert everything["entity_id"] == str(user.id)
    assert everything["changes"] == {"unread": [1, 0]}
    # A notification is a consequence of an audited change, not a change of its own.
    assert await actions("notification.created") == []


class RecordingBroadcaster:
    """Stands in for the Socket.IO server: keeps what would have been emitted to which room."""

    def __init__(self) -> None:
        self.emitted: list[tuple[str, Any, str]] = []

    async def emit(self, event: str, data: Any, *, room: str) -> None:
        self.emitted.append((event, data, room))


async def test_a_new_notification_is_pushed_to_its_users_room_at_once(hub: Hub) -> None:
    broadcaster = RecordingBroadcaster()
    hub.client.app.state.registry.runtime.broadcaster = broadcaster

    await hub.create(hub.owner, assignee_id=str(hub.editor.id))
    await hub.settle()

    pushed = [(data, room) for event, data, room in broadcaster.emitted if event == "notification.created"]
    ((payload, room),) = pushed
    assert room == f"user:{hub.editor.id}"
    # The payload carries the notification exactly as the REST API lists it.
    (listed,) = await hub.inbox(hub.editor)
    assert payload["notification"] == listed
    assert payload["user_id"] == str(hub.editor.id)

    await hub.client.post(f"{URL}/read-all", headers=hub.editor.headers)
    await hub.settle()
    rooms = {(event, room) for event, _, room in broadcaster.emitted if event.startswith("notification.")}
    assert ("notification.read_all", f"user:{hub.editor.id}") in rooms
