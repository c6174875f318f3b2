"""Where chat events are pushed: the rooms the realtime bridge emits each event to."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.chat.conftest import Chat
from tests.support import read
from workhub.kernel.events import DomainEvent, Outbox, decode_event


async def _events(client: AsyncTestClient[Any]) -> list[DomainEvent]:
    async def fetch(session: AsyncSession) -> list[DomainEvent]:
        rows = await session.execute(select(Outbox.event, Outbox.payload).order_by(Outbox.id))
        return [decode_event(name, payload) for name, payload in rows.all()]

    return await read(client, fetch)


def _rooms(client: AsyncTestClient[Any], event: DomainEvent) -> set[str]:
    registry = client.app.state.registry
    return {room for b in registry.broadcasts if b.event == event.name for room in b.rooms(event)}


async def test_messages_go_to_the_channel_room_and_channels_to_the_project(chat: Chat) -> None:
    general = await chat.general()
    message = await chat.post(general, chat.editor, "hello")
    await chat.client.patch(
        f"/api/v1/messages/{message['id']}", json={"text": "hello!"}, headers=chat.editor.headers
    )
    await chat.client.delete(f"/api/v1/messages/{message['id']}", headers=chat.editor.headers)
    events = {e.name: e for e in await _events(chat.client)}
    for name in ("message.created", "message.updated", "message.deleted"):
        assert _rooms(chat.client, events[name]) == {f"channel:{general['id']}"}, name
    assert _rooms(chat.client, events["channel.created"]) == {
        f"channel:{general['id']}",
        f"project:{chat.id}",
    }
    payload = events["message.created"]
    assert payload.message.text == "hello"  # type: ignore[attr-defined]  # the Struct the REST API returns


async def test_a_private_channel_is_pushed_to_its_members_only(chat: Chat) -> None:
    private = await chat.create_channel(name="leads", private=True)
    await chat.client.post(
        f"/api/v1/channels/{private['id']}/members",
        json={"user_id": str(chat.editor.id)},
        headers=chat.owner.headers,
    )
    await chat.client.delete(
        f"/api/v1/channels/{private['id']}/members/{chat.editor.id}", headers=chat.owner.headers
    )
    events = {
        e.name: e for e in await _events(chat.client) if getattr(e, "channel_id", None) == UUID(private["id"])
    }
    room = f"channel:{private['id']}"
    assert _rooms(chat.client, events["channel.created"]) == {room, f"user:{chat.owner.id}"}
    assert _rooms(chat.client, events["channel.member_added"]) == {room, f"user:{chat.editor.id}"}
    removed = events["channel.member_removed"]
    assert _rooms(chat.client, removed) == {room, f"user:{chat.editor.id}"}
    registry = chat.client.app.state.registry
    (revocation,) = [r.revoke(removed) for r in registry.room_revocations if r.event == removed.name]
    assert revocation.user_id == chat.editor.id
    assert revocation.rooms == (room,)
