"""Mentions notify the person named, unread counts follow the read marker, channel lists are cached."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.chat.conftest import Chat
from tests.support import Deliver, SignedInUser, in_app, read
from workhub.chat.cache import ChannelCache
from workhub.chat.schemas import ChannelCreate
from workhub.chat.services import ChannelService
from workhub.kernel.context import Actor, acting_as
from workhub.notifications.models import Notification


async def _mentions(chat: Chat, user: SignedInUser) -> list[tuple[str, str, str | None]]:
    async def fetch(session: AsyncSession) -> list[tuple[str, str, str | None]]:
        rows = await session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.kind == "chat_mention")
            .order_by(Notification.id)
        )
        return [(n.title, n.body, n.link) for n in rows]

    return await read(chat.client, fetch)


async def test_a_mention_notifies_the_member_named_and_nobody_else(chat: Chat, deliver: Deliver) -> None:
    general = await chat.general()
    message = await chat.post(general, chat.viewer, "@AnnaPetrova please check, and email anna.p@example.com")
    await chat.post(general, chat.viewer, "no mention of anyone")
    await deliver()
    got = await _mentions(chat, chat.editor)
    assert got == [
        (
            "Viewer mentioned you in #general",
            "@AnnaPetrova please check, and email anna.p@example.com",
            f"/projects/{chat.id}/channels/{general['id']}?message={message['id']}",
        )
    ]
    for other in (chat.owner, chat.viewer, chat.outsider):
        assert await _mentions(chat, other) == []
    await deliver()  # at least once: a repeat does not notify twice
    assert len(await _mentions(chat, chat.editor)) == 1


async def test_mention_by_email_name_case_insensitive_never_the_author(chat: Chat, deliver: Deliver) -> None:
    general = await chat.general()
    await chat.post(general, chat.editor, "@ANNA.P. I mention myself, and @owner too")
    await deliver()
    assert await _mentions(chat, chat.editor) == []
    assert [t for t, _, _ in await _mentions(chat, chat.owner)] == ["Anna Petrova mentioned you in #general"]
    assert await _mentions(chat, chat.viewer) == []


async def test_only_readers_of_a_private_channel_are_notified(chat: Chat, deliver: Deliver) -> None:
    private = await chat.create_channel(name="leads", private=True)
    await chat.post(private, chat.owner, "@AnnaPetrova and @viewer, can you see this?")
    await deliver()
    assert await _mentions(chat, chat.editor) == []
    assert await _mentions(chat, chat.viewer) == []
    await chat.client.post(
        f"/api/v1/channels/{private['id']}/members",
        json={"user_id": str(chat.editor.id)},
        headers=chat.owner.headers,
    )
    await chat.post(private, chat.owner, "@AnnaPetrova now you can")
    await deliver()
    assert [b for _, b, _ in await _mentions(chat, chat.editor)] == ["@AnnaPetrova now you can"]


async def test_mention_texts_are_in_the_recipients_language(chat: Chat, deliver: Deliver) -> None:
    ru = await chat.api.user("Boris", locale="ru")
    await chat.add_member(ru, "viewer")
    general = await chat.general()
    await chat.post(general, chat.editor, "@boris " + "длинный текст " * 40)
    await deliver()
    ((title, body, _),) = await _mentions(chat, ru)
    assert title == "Anna Petrova упоминает вас в #general"
    assert len(body) == 200 and body.endswith("…")


async def test_unread_counts_follow_the_read_marker(chat: Chat) -> None:
    general = await chat.general()
    other = await chat.create_channel(name="random")
    posted = [await chat.post(general, chat.editor, f"news {n}") for n in range(3)]
    await chat.post(other, chat.viewer, "my own message")
    unread = {c["name"]: c["unread"] for c in await chat.channels(chat.viewer)}
    assert unread == {"general": 3, "random": 0}  # one's own messages are not unread
    assert {c["name"]: c["unread"] for c in await chat.channels(chat.editor)} == {"general": 0, "random": 1}
    url = f"/api/v1/channels/{general['id']}/read"
    partial = await chat.client.post(url, json={"message_id": posted[0]["id"]}, headers=chat.viewer.headers)
    assert partial.status_code == 200, partial.text
    assert partial.json() == {"channel_id": general["id"], "last_read_id": posted[0]["id"], "unread": 2}
    assert {c["name"]: c["unread"] for c in await chat.channels(chat.viewer)}["general"] == 2
    everything = await chat.client.post(url, headers=chat.viewer.headers)
    assert everything.json() == {"channel_id": general["id"], "last_read_id": posted[2]["id"], "unread": 0}
    await chat.post(general, chat.owner, "one more")
    await chat.client.delete(f"/api/v1/messages/{posted[1]['id']}", headers=chat.editor.headers)
    assert {c["name"]: c["unread"] for c in await chat.channels(chat.viewer)}["general"] == 1
    # A message of another channel is not a place in this one.
    foreign = await chat.post(other, chat.owner, "elsewhere")
    wrong = await chat.client.post(url, json={"message_id": foreign["id"]}, headers=chat.viewer.headers)
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "message_not_in_channel"
    empty = await chat.client.post(
        f"/api/v1/channels/{(await chat.create_channel(name='quiet'))['id']}/read",
        headers=chat.viewer.headers,
    )
    assert empty.json()["unread"] == 0 and empty.json()["last_read_id"] is None


async def _cached(chat: Chat) -> Any:
    async def get() -> Any:
        return await ChannelCache(chat.client.app.state.redis).get(UUID(chat.id))

    return await in_app(chat.client, get)


async def test_channel_lists_are_cached_and_every_change_shows_at_once(chat: Chat) -> None:
    assert await _cached(chat) is None
    await chat.channels(chat.viewer)
    cached = await _cached(chat)
    assert [c.name for c in cached] == ["general"]
    created = await chat.create_channel(chat.editor, name="alpha")
    assert "alpha" in [c["name"] for c in await chat.channels(chat.viewer)]
    await chat.client.patch(
        f"/api/v1/channels/{created['id']}", json={"name": "beta"}, headers=chat.owner.headers
    )
    assert [c["name"] for c in await chat.channels(chat.viewer)] == ["general", "beta"]
    private = await chat.create_channel(name="gamma", private=True)
    assert "gamma" not in [c["name"] for c in await chat.channels(chat.viewer)]
    await chat.client.post(
        f"/api/v1/channels/{private['id']}/members",
        json={"user_id": str(chat.viewer.id)},
        headers=chat.owner.headers,
    )
    assert "gamma" in [c["name"] for c in await chat.channels(chat.viewer)]
    await chat.client.delete(f"/api/v1/channels/{created['id']}", headers=chat.owner.headers)
    assert [c["name"] for c in await chat.channels(chat.viewer)] == ["general", "gamma"]
    assert sorted(c.name for c in await _cached(chat)) == ["gamma", "general"]
    # Unread counts are the caller's own, never cached with the list.
    general = await chat.general()
    await chat.post(general, chat.owner, "fresh")
    assert {c["name"]: c["unread"] for c in await chat.channels(chat.viewer)}["general"] == 1


async def test_a_list_stored_while_a_change_commits_is_dropped_after_the_commit(chat: Chat) -> None:
    """A reader between the change and its commit stores the old list; the commit drops it again."""
    await chat.channels(chat.owner)
    await chat.channels(chat.owner)
    project_id = UUID(chat.id)

    async def change_while_a_reader_caches() -> Any:
        app = chat.client.app
        cache = ChannelCache(app.state.redis)
        async with app.state.db_config.get_session() as session:
            service = ChannelService(session=session).with_cache(cache)
            with acting_as(Actor.system("test")):
                await service.create_channel(project_id, ChannelCreate(name="late"), chat.owner.id)
            stale = await ChannelService(session=session).project_channels(project_id)
            await cache.put(
                project_id, [c for c in stale if c.name != "late"]
            )  # what a concurrent reader saw
            await session.commit()
        for _ in range(50):
            if await cache.get(project_id) is None:
                return None
            await asyncio.sleep(0.01)
        return await cache.get(project_id)

    assert await in_app(chat.client, change_while_a_reader_caches) is None
    assert "late" in [c["name"] for c in await chat.channels(chat.viewer)]


async def test_chat_mentions_are_a_kind_in_the_notification_preferences(chat: Chat) -> None:
    resp = await chat.client.get("/api/v1/me/notification-preferences", headers=chat.viewer.headers)
    assert resp.status_code == 200, resp.text
    kinds = {k["kind"]: k for k in resp.json()["kinds"]}
    assert kinds["chat_mention"]["label"] == "Mentions in chat"
