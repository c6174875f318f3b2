"""The example's intake source, per-project configuration and notification channel, through the real app.

What a plugin written from docs/plugins.md does: an owner turns it on for a
project with a secret token, a sender posts a message with that token, the
worker makes the task, and a notification reaches the plugin's channel.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from test_example import deliver_events, sign_up  # this directory is on the path, as pytest runs it

from workhub_example import plugin
from workhub_example.channel import DELIVERIES_KEY

TOKEN = "s3cret-token-for-the-example-0123"


async def _project(client: AsyncTestClient[Any], headers: dict[str, str], key: str = "EXA") -> str:
    resp = await client.post("/api/v1/projects", json={"key": key, "name": "Example"}, headers=headers)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def _enable(
    client: AsyncTestClient[Any], headers: dict[str, str], project: str, **settings: Any
) -> Any:
    body = {"enabled": True, "settings": settings, "secrets": {"token": TOKEN}}
    return await client.put(f"/api/v1/projects/{project}/plugins/example", json=body, headers=headers)


async def _in_app(client: AsyncTestClient[Any], work: Any) -> Any:
    return await asyncio.to_thread(client.blocking_portal.call, work)


async def test_an_owner_configures_the_plugin_and_its_secret_never_comes_back(make_client: Any) -> None:
    client = await make_client(plugins=[plugin])
    owner = await sign_up(client, "owner@example.com")
    project = await _project(client, owner)

    listed = (await client.get(f"/api/v1/projects/{project}/plugins", headers=owner)).json()
    (example,) = [p for p in listed if p["plugin"] == "example"]
    assert example["configured"] is False
    assert example["secrets"] == {"token": False}
    assert example["settings"] == {"labels": ["example"], "priority": "normal"}
    assert "token" in example["secrets_schema"]["$defs"]["ExampleProjectSecrets"]["properties"]

    resp = await _enable(client, owner, project, labels=["inbox"], priority="high")
    assert resp.status_code == 200, resp.text
    assert resp.json()["secrets"] == {"token": True}
    assert resp.json()["settings"] == {"labels": ["inbox"], "priority": "high"}
    assert TOKEN not in resp.text

    # Not in the database as written, not in the audit log.
    async def sealed() -> bytes:
        async with client.app.state.db_config.get_session() as session:
            return (
                await session.execute(text("SELECT secrets_sealed FROM project_integration"))
            ).scalar_one()

    assert TOKEN.encode() not in await _in_app(client, sealed)
    audit = await client.get(f"/api/v1/projects/{project}/audit", headers=owner)
    assert TOKEN not in audit.text
    (record,) = [r for r in audit.json()["items"] if r["action"] == "project_plugin.configured"]
    assert record["changes"]["secrets.token"] == [None, "set"]
    assert record["changes"]["settings.priority"] == [None, "high"]

    # Changing the settings keeps the secret; a bad setting is named.
    kept = await client.put(
        f"/api/v1/projects/{project}/plugins/example", json={"settings": {"priority": "low"}}, headers=owner
    )
    assert kept.json()["secrets"] == {"token": True}
    bad = await client.put(
        f"/api/v1/projects/{project}/plugins/example", json={"settings": {"priority": "soon"}}, headers=owner
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_plugin_config"
    assert bad.json()["errors"][0]["field"] == "settings.priority"
    short = await client.put(
        f"/api/v1/projects/{project}/plugins/example", json={"secrets": {"token": "short"}}, headers=owner
    )
    assert short.status_code == 422
    assert short.json()["errors"][0]["field"] == "secrets.token"
    unknown = await client.put(f"/api/v1/projects/{project}/plugins/nope", json={}, headers=owner)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "unknown_plugin"


async def test_a_message_posted_with_the_token_becomes_one_task(make_client: Any) -> None:
    client = await make_client(plugins=[plugin])
    owner = await sign_up(client, "owner@example.com")
    project = await _project(client, owner)
    inbound = f"/api/v1/projects/{project}/inbound/example"
    message = {"id": "msg-1", "text": "Order toner\nThe printer on floor 2 is empty."}

    # Not enabled in the project yet: there is no such endpoint.
    assert (await client.post(inbound, json=message)).status_code == 404
    assert (await _enable(client, owner, project, labels=["inbox"], priority="high")).status_code == 200

    wrong = await client.post(inbound, json=message, headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_source_token"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert (await client.post(inbound, content=b"{not json", headers=auth)).status_code == 422

    first = await client.post(inbound, json=message, headers=auth)
    assert first.status_code == 202, first.text
    assert first.json()["status"] == "accepted"
    again = await client.post(inbound, json=message, headers=auth)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]

    await deliver_events(client)
    event = (await client.get(f"/api/v1/inbound/{first.json()['id']}", headers=owner)).json()
    assert event["status"] == "processed"
    assert event["source"] == "example"
    task = (await client.get(f"/api/v1/tasks/{event['task_id']}", headers=owner)).json()
    assert task["title"] == "Order toner"
    assert task["description"] == "The printer on floor 2 is empty."
    assert task["labels"] == ["inbox"]
    assert task["priority"] == "high"
    assert task["source"] == "example"

    # A repeat after processing still makes nothing new and reports where it stands.
    late = await client.post(inbound, json=message, headers=auth)
    assert late.status_code == 200
    assert late.json()["status"] == "processed"
    tasks = (await client.get(f"/api/v1/projects/{project}/tasks", headers=owner)).json()
    assert len(tasks["items"]) == 1

    log = (await client.get(f"/api/v1/projects/{project}/inbound?status=processed", headers=owner)).json()
    assert [e["id"] for e in log["items"]] == [first.json()["id"]]
    stranger = await sign_up(client, "stranger@example.com")
    assert (await client.get(f"/api/v1/inbound/{first.json()['id']}", headers=stranger)).status_code == 404


async def test_the_same_delivery_at_once_makes_one_event_and_one_task(make_client: Any) -> None:
    client = await make_client(plugins=[plugin])
    owner = await sign_up(client, "owner@example.com")
    project = await _project(client, owner)
    assert (await _enable(client, owner, project)).status_code == 200
    inbound = f"/api/v1/projects/{project}/inbound/example"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    answers = await asyncio.gather(
        *(client.post(inbound, json={"id": "same", "text": "Once"}, headers=auth) for _ in range(20))
    )
    assert sorted(a.status_code for a in answers) == [200] * 19 + [202]
    assert len({a.json()["id"] for a in answers}) == 1
    await deliver_events(client)
    tasks = (await client.get(f"/api/v1/projects/{project}/tasks", headers=owner)).json()
    assert [t["title"] for t in tasks["items"]] == ["Once"]


async def test_an_event_the_acting_user_may_not_act_on_fails_with_a_reason(make_client: Any) -> None:
    client = await make_client(plugins=[plugin])
    owner = await sign_up(client, "owner@example.com")
    project = await _project(client, owner)
    assert (await _enable(client, owner, project)).status_code == 200
    # The project is archived after the source was set up: nothing may be created in it any more.
    assert (await client.delete(f"/api/v1/projects/{project}", headers=owner)).status_code == 204
    resp = await client.post(
        f"/api/v1/projects/{project}/inbound/example",
        json={"id": "late", "text": "Too late"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert resp.status_code == 202
    await deliver_events(client)
    event = (await client.get(f"/api/v1/inbound/{resp.json()['id']}", headers=owner)).json()
    assert event["status"] == "failed"
    assert event["error"]["code"] == "project_archived"
    assert event["task_id"] is None


async def test_a_notification_reaches_the_plugins_channel_with_a_typed_recipient(make_client: Any) -> None:
    client = await make_client(plugins=[plugin])
    owner = await sign_up(client, "owner@example.com")
    project = await _project(client, owner)
    me = (await client.get("/api/v1/me", headers=owner)).json()
    prefs = {"kinds": [{"kind": "task_assigned", "channels": ["example"]}]}
    assert (
        await client.put("/api/v1/me/notification-preferences", json=prefs, headers=owner)
    ).status_code == 200
    other = await sign_up(client, "lead@example.com")
    other_project = await _project(client, other, key="OTH")
    invite = await client.post(
        f"/api/v1/projects/{other_project}/invitations",
        json={"email": me["email"], "role": "editor"},
        headers=other,
    )
    token = invite.json()["token"]
    assert (await client.post(f"/api/v1/invitations/{token}/accept", headers=owner)).status_code == 200
    await client.post(
        f"/api/v1/projects/{other_project}/tasks",
        json={"title": "For you", "assignee_id": me["id"]},
        headers=other,
    )
    for _ in range(3):  # task.created → notification → the channel's job
        await deliver_events(client)

    async def deliveries() -> list[bytes]:
        return await client.app.state.registry.runtime.redis.lrange(DELIVERIES_KEY, 0, -1)

    records = [msgspec.json.decode(raw) for raw in await _in_app(client, deliveries)]
    assert [(r["email"], r["locale"]) for r in records] == [(me["email"], me["locale"])]
    assert "OTH-1" in records[0]["title"]
    assert project  # the owner's own project plays no part


async def test_after_a_key_rotation_secrets_are_sealed_again_with_the_new_key(make_client: Any) -> None:
    from workhub.integrations.services import reencrypt_all
    from workhub.kernel.keys import KeyRing, new_secret_key
    from workhub.kernel.secretbox import SecretBox

    client = await make_client(plugins=[plugin])
    owner = await sign_up(client, "owner@example.com")
    project = await _project(client, owner)
    assert (await _enable(client, owner, project)).status_code == 200
    settings = client.app.state.registry.runtime.settings
    old = settings.secret_key
    rotated = SecretBox(KeyRing(new_secret_key(), [old]))

    async def reseal() -> int:
        async with client.app.state.db_config.get_session() as session:
            changed = await reencrypt_all(session, rotated)
            await session.commit()
            return changed

    assert await _in_app(client, reseal) == 1
    assert await _in_app(client, reseal) == 0  # already under the new key

    async def kid() -> str:
        async with client.app.state.db_config.get_session() as session:
            return (await session.execute(text("SELECT secrets_kid FROM project_integration"))).scalar_one()

    assert await _in_app(client, kid) == rotated.current_kid
