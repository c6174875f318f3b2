"""Messages: posting, paging both ways, editing, tombstones, limits, task links and the rate limit."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.fixtures import ClientFactory
from tests.integration.chat.conftest import Chat, make_chat
from workhub.settings import Settings


async def test_messages_are_listed_newest_first_with_before_and_after(chat: Chat) -> None:
    general = await chat.general()
    posted = [await chat.post(general, chat.editor if n % 2 else chat.viewer, f"m{n}") for n in range(7)]
    first = await chat.messages(general, chat.owner, limit=3)
    assert [m["text"] for m in first["items"]] == ["m6", "m5", "m4"]
    assert first["has_more"] is True
    assert first["items"][0]["author_id"] == str(chat.viewer.id)
    older = await chat.messages(general, chat.owner, limit=3, before=first["items"][-1]["id"])
    assert [m["text"] for m in older["items"]] == ["m3", "m2", "m1"]
    last = await chat.messages(general, chat.owner, limit=3, before=older["items"][-1]["id"])
    assert [m["text"] for m in last["items"]] == ["m0"]
    assert last["has_more"] is False
    # Catching up after m1: the messages right after it, still newest first.
    newer = await chat.messages(general, chat.owner, limit=3, after=posted[1]["id"])
    assert [m["text"] for m in newer["items"]] == ["m4", "m3", "m2"]
    assert newer["has_more"] is True
    rest = await chat.messages(general, chat.owner, limit=3, after=newer["items"][0]["id"])
    assert [m["text"] for m in rest["items"]] == ["m6", "m5"]
    assert rest["has_more"] is False
    between = await chat.messages(general, chat.owner, after=posted[2]["id"], before=posted[5]["id"])
    assert [m["text"] for m in between["items"]] == ["m4", "m3"]
    bad = await chat.client.get(
        f"/api/v1/channels/{general['id']}/messages", params={"before": "nope"}, headers=chat.owner.headers
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "before"


async def test_a_message_carries_its_metadata(chat: Chat) -> None:
    general = await chat.general()
    message = await chat.post(general, chat.viewer, "with data", metadata={"client": "web", "reply_to": None})
    assert message["metadata"] == {"client": "web", "reply_to": None}
    assert message["channel_id"] == general["id"]
    assert message["project_id"] == chat.id
    assert (message["deleted"], message["edited_at"]) == (False, None)
    url = f"/api/v1/channels/{general['id']}/messages"
    too_big = await chat.client.post(
        url, json={"text": "x", "metadata": {"blob": "y" * 5000}}, headers=chat.viewer.headers
    )
    assert too_big.status_code == 422
    assert too_big.json()["code"] == "metadata_too_large"
    not_object = await chat.client.post(url, json={"text": "x", "metadata": [1]}, headers=chat.viewer.headers)
    assert not_object.status_code == 422


async def test_text_is_one_to_ten_thousand_characters(chat: Chat) -> None:
    general = await chat.general()
    url = f"/api/v1/channels/{general['id']}/messages"
    longest = await chat.client.post(url, json={"text": "я" * 10_000}, headers=chat.viewer.headers)
    assert longest.status_code == 201
    assert len(longest.json()["text"]) == 10_000
    too_long = await chat.client.post(url, json={"text": "я" * 10_001}, headers=chat.viewer.headers)
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "text"
    for blank in ("", "   \n"):
        resp = await chat.client.post(url, json={"text": blank}, headers=chat.viewer.headers)
        assert resp.status_code == 422, blank
    edit = await chat.client.patch(
        f"/api/v1/messages/{longest.json()['id']}", json={"text": "я" * 10_001}, headers=chat.viewer.headers
    )
    assert edit.status_code == 422


async def test_authors_edit_their_own_messages(chat: Chat) -> None:
    general = await chat.general()
    message = await chat.post(general, chat.editor, "first draft")
    url = f"/api/v1/messages/{message['id']}"
    for other in (chat.owner, chat.viewer):
        resp = await chat.client.patch(url, json={"text": "rewrite"}, headers=other.headers)
        assert resp.status_code == 403
        assert resp.json()["code"] == "not_message_author"
    assert (
        await chat.client.patch(url, json={"text": "x"}, headers=chat.outsider.headers)
    ).status_code == 404
    edited = await chat.client.patch(url, json={"text": "final text"}, headers=chat.editor.headers)
    assert edited.status_code == 200
    assert edited.json()["text"] == "final text"
    assert edited.json()["edited_at"] is not None
    listed = await chat.messages(general, chat.viewer)
    assert [m["text"] for m in listed["items"]] == ["final text"]


async def test_deleting_leaves_a_tombstone_and_owners_delete_anyones(chat: Chat) -> None:
    general = await chat.general()
    mine = await chat.post(general, chat.viewer, "oops", metadata={"k": 1})
    theirs = await chat.post(general, chat.editor, "rude remark")
    kept = await chat.post(general, chat.editor, "fine")
    other = await chat.client.delete(f"/api/v1/messages/{theirs['id']}", headers=chat.viewer.headers)
    assert other.status_code == 403
    own = await chat.client.delete(f"/api/v1/messages/{mine['id']}", headers=chat.viewer.headers)
    assert own.status_code == 204
    by_owner = await chat.client.delete(f"/api/v1/messages/{theirs['id']}", headers=chat.owner.headers)
    assert by_owner.status_code == 204
    items = (await chat.messages(general, chat.editor))["items"]
    assert [(m["id"], m["deleted"], m["text"], m["metadata"]) for m in items] == [
        (kept["id"], False, "fine", None),
        (theirs["id"], True, "", None),
        (mine["id"], True, "", None),
    ]
    again = await chat.client.delete(f"/api/v1/messages/{mine['id']}", headers=chat.viewer.headers)
    assert again.status_code == 204
    edit = await chat.client.patch(
        f"/api/v1/messages/{mine['id']}", json={"text": "back"}, headers=chat.viewer.headers
    )
    assert edit.status_code == 409
    assert edit.json()["code"] == "message_deleted"


async def test_task_keys_become_links_to_tasks_of_the_project(chat: Chat) -> None:
    tasks_url = f"/api/v1/projects/{chat.id}/tasks"
    first = (await chat.client.post(tasks_url, json={"title": "One"}, headers=chat.owner.headers)).json()
    second = (await chat.client.post(tasks_url, json={"title": "Two"}, headers=chat.owner.headers)).json()
    await chat.client.delete(f"/api/v1/tasks/{second['id']}", headers=chat.owner.headers)
    other_project = await chat.api.project(chat.owner, key="DEV")
    foreign = (
        await chat.client.post(
            f"/api/v1/projects/{other_project['id']}/tasks",
            json={"title": "Elsewhere"},
            headers=chat.owner.headers,
        )
    ).json()
    assert foreign["key"] == "DEV-1"
    general = await chat.general()
    text = (
        "Done with OPS-1 (see ops-1 again), OPS-2 is deleted, OPS-99 never was, DEV-1 is elsewhere, XOPS-1 no"
    )
    message = await chat.post(general, chat.viewer, text)
    expected = [{"key": "OPS-1", "task_id": first["id"], "url": f"/tasks/{first['id']}"}]
    assert message["task_refs"] == expected
    listed = await chat.messages(general, chat.viewer)
    assert listed["items"][0]["task_refs"] == expected
    plain = await chat.post(general, chat.viewer, "no references here")
    assert plain["task_refs"] == []


async def test_posting_is_rate_limited_per_user_and_channel(
    make_client: ClientFactory, settings: Settings
) -> None:
    client: AsyncTestClient[Any] = await make_client(chat_rate=3, chat_rate_window=60)
    chat = await make_chat(client, settings)
    general = await chat.general()
    other = await chat.create_channel(name="other")
    for n in range(3):
        await chat.post(general, chat.viewer, f"quick {n}")
    resp = await client.post(
        f"/api/v1/channels/{general['id']}/messages",
        json={"text": "one too many"},
        headers=chat.viewer.headers,
    )
    assert resp.status_code == 429
    assert resp.json()["code"] == "rate_limited"
    assert 0 < int(resp.headers["Retry-After"]) <= 60
    # Someone else, or the same person in another channel, is not held back.
    await chat.post(general, chat.editor, "my turn")
    await chat.post(other, chat.viewer, "elsewhere")
    assert [m["text"] for m in (await chat.messages(general, chat.owner))["items"]][:1] == ["my turn"]


async def test_messages_are_audited_without_their_text(chat: Chat) -> None:
    general = await chat.general()
    message = await chat.post(general, chat.editor, "confidential numbers")
    await chat.client.patch(
        f"/api/v1/messages/{message['id']}", json={"text": "edited numbers"}, headers=chat.editor.headers
    )
    await chat.client.delete(f"/api/v1/messages/{message['id']}", headers=chat.owner.headers)
    resp = await chat.client.get(
        f"/api/v1/projects/{chat.id}/audit", params={"limit": 50}, headers=chat.owner.headers
    )
    assert resp.status_code == 200, resp.text
    entries = resp.json()["items"]
    on_message = [(e["action"], e["actor_id"]) for e in entries if e["entity_id"] == message["id"]]
    assert on_message == [
        ("message.deleted", str(chat.owner.id)),
        ("message.updated", str(chat.editor.id)),
        ("message.created", str(chat.editor.id)),
    ]
    assert "numbers" not in resp.text
    created = [e for e in entries if e["action"] == "channel.created"]
    assert [(e["entity_id"], e["actor_kind"]) for e in created] == [(general["id"], "system")]
