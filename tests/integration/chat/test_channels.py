"""Channels: the general channel, create/rename/archive, private channels and who sees them."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.chat.conftest import Chat
from tests.support import Deliver, read
from workhub.chat.models import Channel


async def _count_channels(chat: Chat) -> int:
    async def count(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(Channel)) or 0)

    return await read(chat.client, count)


async def test_a_new_project_starts_with_its_general_channel(chat: Chat) -> None:
    assert await _count_channels(chat) == 1  # created with the project, before anyone looks
    listed = await chat.channels(chat.viewer)
    assert [(c["name"], c["default"], c["private"], c["unread"]) for c in listed] == [
        ("general", True, False, 0)
    ]
    assert await _count_channels(chat) == 1


async def test_general_is_created_on_first_listing_when_a_project_has_none(chat: Chat) -> None:
    """Projects that existed before chat get theirs when their channels are first listed."""

    async def drop(session: AsyncSession) -> None:
        await session.execute(delete(Channel))
        await session.commit()

    await read(chat.client, drop)
    first = await chat.channels(chat.editor)
    second = await chat.channels(chat.owner)
    assert [c["name"] for c in first] == [c["name"] for c in second] == ["general"]
    assert first[0]["id"] == second[0]["id"]
    assert await _count_channels(chat) == 1


async def test_editors_create_channels_and_names_are_unique(chat: Chat) -> None:
    created = await chat.create_channel(chat.editor, name="  Design Team ", topic="Mockups")
    assert (created["name"], created["topic"], created["private"]) == ("design-team", "Mockups", False)
    assert created["created_by"] == str(chat.editor.id)
    again = await chat.client.post(
        chat.channels_url, json={"name": "design-team"}, headers=chat.owner.headers
    )
    assert again.status_code == 409
    assert again.json()["code"] == "channel_name_taken"
    taken = await chat.client.post(chat.channels_url, json={"name": "General"}, headers=chat.owner.headers)
    assert taken.status_code == 409
    bad = await chat.client.post(chat.channels_url, json={"name": "a/b"}, headers=chat.owner.headers)
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_channel_name"
    by_viewer = await chat.client.post(chat.channels_url, json={"name": "x"}, headers=chat.viewer.headers)
    assert by_viewer.status_code == 403
    by_outsider = await chat.client.post(chat.channels_url, json={"name": "x"}, headers=chat.outsider.headers)
    assert by_outsider.status_code == 404
    assert [c["name"] for c in await chat.channels(chat.viewer)] == ["general", "design-team"]
    cyrillic = await chat.create_channel(name="Отдел продаж")
    assert cyrillic["name"] == "отдел-продаж"


async def test_owners_rename_archive_and_restore(chat: Chat) -> None:
    channel = await chat.create_channel(chat.editor, name="releases")
    url = f"/api/v1/channels/{channel['id']}"
    by_editor = await chat.client.patch(url, json={"name": "x"}, headers=chat.editor.headers)
    assert by_editor.status_code == 403
    renamed = await chat.client.patch(
        url, json={"name": "shipping", "topic": "Dates"}, headers=chat.owner.headers
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["topic"]) == ("shipping", "Dates")
    archived = await chat.client.delete(url, headers=chat.owner.headers)
    assert archived.status_code == 204
    assert [c["name"] for c in await chat.channels(chat.viewer)] == ["general"]
    assert [c["name"] for c in await chat.channels(chat.viewer, archived="true")] == ["shipping"]
    # Readable, but nobody posts in it; its name is free for a new channel.
    assert (await chat.client.get(f"{url}/messages", headers=chat.viewer.headers)).status_code == 200
    post = await chat.client.post(f"{url}/messages", json={"text": "hi"}, headers=chat.owner.headers)
    assert post.status_code == 409
    assert post.json()["code"] == "channel_archived"
    replacement = await chat.create_channel(name="shipping")
    clash = await chat.client.patch(url, json={"archived": False}, headers=chat.owner.headers)
    assert clash.status_code == 409
    await chat.client.delete(f"/api/v1/channels/{replacement['id']}", headers=chat.owner.headers)
    restored = await chat.client.patch(url, json={"archived": False}, headers=chat.owner.headers)
    assert restored.status_code == 200
    assert restored.json()["archived"] is False
    assert [c["name"] for c in await chat.channels(chat.viewer)] == ["general", "shipping"]


async def test_general_cannot_be_archived(chat: Chat) -> None:
    general = await chat.general()
    resp = await chat.client.delete(f"/api/v1/channels/{general['id']}", headers=chat.owner.headers)
    assert resp.status_code == 409
    assert resp.json()["code"] == "default_channel"


async def test_a_private_channel_is_404_for_members_not_in_it(chat: Chat) -> None:
    private = await chat.create_channel(chat.editor, name="leads", private=True)
    assert private["member_ids"] == [str(chat.editor.id)]
    url = f"/api/v1/channels/{private['id']}"
    await chat.post(private, chat.editor, "secret plan")
    for user in (chat.viewer, chat.owner, chat.outsider):
        for method, path, body in (
            ("GET", f"{url}/messages", None),
            ("POST", f"{url}/messages", {"text": "let me in"}),
            ("POST", f"{url}/read", None),
        ):
            resp = await chat.client.request(method, path, json=body, headers=user.headers)
            assert resp.status_code == 404, (user.name, method, path, resp.status_code)
    for user in (chat.viewer, chat.outsider):
        assert (await chat.client.get(url, headers=user.headers)).status_code == 404
    assert [c["name"] for c in await chat.channels(chat.viewer)] == ["general"]
    assert [c["name"] for c in await chat.channels(chat.editor)] == ["general", "leads"]


async def test_owners_see_every_private_channel_but_read_only_those_they_are_in(chat: Chat) -> None:
    private = await chat.create_channel(
        chat.editor, name="hiring", private=True, member_ids=[str(chat.viewer.id)]
    )
    await chat.post(private, chat.editor, "the offer letter")
    url = f"/api/v1/channels/{private['id']}"
    seen = await chat.client.get(url, headers=chat.owner.headers)
    assert seen.status_code == 200
    assert set(seen.json()["member_ids"]) == {str(chat.editor.id), str(chat.viewer.id)}
    listed = {c["name"]: c for c in await chat.channels(chat.owner)}
    assert listed["hiring"]["unread"] == 0  # its messages are not the owner's to read
    assert (await chat.client.get(f"{url}/messages", headers=chat.owner.headers)).status_code == 404

    # Everyone leaves: nothing is deleted, and an owner can still bring people (or themselves) back.
    for member in (chat.editor, chat.viewer):
        assert (await chat.client.post(f"{url}/leave", headers=member.headers)).status_code == 204
    assert (await chat.client.get(url, headers=chat.owner.headers)).json()["member_ids"] == []
    joined = await chat.client.post(
        f"{url}/members", json={"user_id": str(chat.owner.id)}, headers=chat.owner.headers
    )
    assert joined.status_code == 201
    history = await chat.messages(private, chat.owner)
    assert [m["text"] for m in history["items"]] == ["the offer letter"]


async def test_owners_manage_private_channel_members(chat: Chat) -> None:
    private = await chat.create_channel(name="board", private=True, member_ids=[str(chat.editor.id)])
    assert set(private["member_ids"]) == {str(chat.owner.id), str(chat.editor.id)}
    members = f"/api/v1/channels/{private['id']}/members"
    outsider = await chat.client.post(
        members, json={"user_id": str(chat.outsider.id)}, headers=chat.owner.headers
    )
    assert outsider.status_code == 422
    assert outsider.json()["code"] == "not_project_member"
    by_editor = await chat.client.post(
        members, json={"user_id": str(chat.viewer.id)}, headers=chat.editor.headers
    )
    assert by_editor.status_code == 403
    added = await chat.client.post(members, json={"user_id": str(chat.viewer.id)}, headers=chat.owner.headers)
    assert added.status_code == 201, added.text
    assert str(chat.viewer.id) in added.json()["member_ids"]
    assert "board" in [c["name"] for c in await chat.channels(chat.viewer)]
    await chat.post(private, chat.viewer, "thanks for adding me")
    removed = await chat.client.delete(f"{members}/{chat.viewer.id}", headers=chat.owner.headers)
    assert removed.status_code == 204
    assert "board" not in [c["name"] for c in await chat.channels(chat.viewer)]
    gone = await chat.client.get(f"/api/v1/channels/{private['id']}/messages", headers=chat.viewer.headers)
    assert gone.status_code == 404
    again = await chat.client.delete(f"{members}/{chat.viewer.id}", headers=chat.owner.headers)
    assert again.status_code == 404
    left = await chat.client.post(f"/api/v1/channels/{private['id']}/leave", headers=chat.editor.headers)
    assert left.status_code == 204
    assert "board" not in [c["name"] for c in await chat.channels(chat.editor)]
    general = await chat.general()
    public = await chat.client.post(
        f"/api/v1/channels/{general['id']}/members",
        json={"user_id": str(chat.viewer.id)},
        headers=chat.owner.headers,
    )
    assert public.status_code == 422
    assert public.json()["code"] == "channel_not_private"


async def test_leaving_the_project_takes_a_member_off_private_channels(chat: Chat, deliver: Deliver) -> None:
    private = await chat.create_channel(name="core", private=True, member_ids=[str(chat.viewer.id)])
    resp = await chat.client.post(f"/api/v1/projects/{chat.id}/leave", headers=chat.viewer.headers)
    assert resp.status_code == 204
    await deliver()
    channel = (await chat.client.get(f"/api/v1/channels/{private['id']}", headers=chat.owner.headers)).json()
    assert channel["member_ids"] == [str(chat.owner.id)]
    # Back in the project, they do not get the private channel back by themselves.
    await chat.add_member(chat.viewer, "viewer")
    assert [c["name"] for c in await chat.channels(chat.viewer)] == ["general"]


async def test_admins_outside_the_project_do_not_read_its_chat(chat: Chat) -> None:
    from tests.support import make_admin

    admin = await make_admin(chat.client, chat.api)
    general = await chat.general()
    assert (await chat.client.get(chat.channels_url, headers=admin.headers)).status_code == 403
    messages = await chat.client.get(f"/api/v1/channels/{general['id']}/messages", headers=admin.headers)
    assert messages.status_code == 403
    private = await chat.create_channel(name="hidden", private=True)
    hidden = await chat.client.get(f"/api/v1/channels/{private['id']}", headers=admin.headers)
    assert hidden.status_code == 404


async def test_a_patch_may_rename_and_archive_at_once(chat: Chat) -> None:
    channel = await chat.create_channel(name="q3")
    url = f"/api/v1/channels/{channel['id']}"
    resp = await chat.client.patch(
        url, json={"name": "q3-done", "archived": True}, headers=chat.owner.headers
    )
    assert resp.status_code == 200, resp.text
    assert (resp.json()["name"], resp.json()["archived"]) == ("q3-done", True)
    still = await chat.client.patch(url, json={"topic": "x"}, headers=chat.owner.headers)
    assert still.status_code == 409
    assert still.json()["code"] == "channel_archived"


async def test_the_audit_log_keeps_private_channel_names_to_themselves(chat: Chat) -> None:
    private = await chat.create_channel(name="salary-review", topic="Raises", private=True)
    await chat.client.patch(
        f"/api/v1/channels/{private['id']}", json={"name": "hr-secret"}, headers=chat.owner.headers
    )
    public = await chat.create_channel(name="lunch")
    resp = await chat.client.get(f"/api/v1/projects/{chat.id}/audit", headers=chat.editor.headers)
    assert resp.status_code == 200, resp.text
    on_private = [e for e in resp.json()["items"] if e["entity_id"] == private["id"]]
    assert [e["action"] for e in on_private] == ["channel.updated", "channel.created"]
    assert "salary" not in resp.text and "hr-secret" not in resp.text and "Raises" not in resp.text
    (created,) = [e for e in resp.json()["items"] if e["entity_id"] == public["id"]]
    assert created["changes"]["name"] == [None, "lunch"]


async def test_an_archived_project_keeps_its_chat_readable_but_closed(chat: Chat) -> None:
    general = await chat.general()
    url = f"/api/v1/channels/{general['id']}/messages"
    posted = await chat.client.post(url, json={"text": "Before archiving"}, headers=chat.editor.headers)
    assert posted.status_code == 201, posted.text
    archived = await chat.client.delete(f"/api/v1/projects/{chat.id}", headers=chat.owner.headers)
    assert archived.status_code in (200, 204), archived.text

    assert [c["name"] for c in await chat.channels(chat.viewer)] == ["general"]
    history = await chat.client.get(url, headers=chat.viewer.headers)
    assert history.status_code == 200, history.text
    assert [m["text"] for m in history.json()["items"]] == ["Before archiving"]
    refused = await chat.client.post(url, json={"text": "After"}, headers=chat.editor.headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "project_archived"
