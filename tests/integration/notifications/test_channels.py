"""Preferences, and delivery to a plugin's channel through the SAQ job: on → once, off → never."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.fixtures import ClientFactory
from tests.integration.notifications.channel_plugin import RecordingChannelPlugin
from tests.integration.notifications.conftest import Hub
from tests.support import Api, in_app, make_admin, read
from workhub.kernel.events import Outbox, deliver_event
from workhub.settings import Settings

PREFS = "/api/v1/me/notification-preferences"
CORE_KINDS = {
    "all_done",
    "comment",
    "deadline_changed",
    "member_removed",
    "project_invited",
    "status_changed",
    "system_role_changed",
    "task_assigned",
    "task_overdue",
}


@pytest.fixture
async def pigeon() -> RecordingChannelPlugin:
    return RecordingChannelPlugin("pigeon")


@pytest.fixture
async def plugged(make_client: ClientFactory, settings: Settings, pigeon: RecordingChannelPlugin) -> Hub:
    """The usual project, on an app with the pigeon channel installed."""
    assert settings.database_url
    client = await make_client(plugins=[pigeon])
    return await Hub.build(client, settings.database_url, ru=("editor",))


async def test_every_kind_is_listed_with_in_app_always_on(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user(locale="ru")
    resp = await client.get(PREFS, headers={**user.headers, "Accept-Language": "ru"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["channels"] == ["in_app"]
    kinds = {k["kind"]: k for k in body["kinds"]}
    assert kinds.keys() >= CORE_KINDS
    assert all(k["channels"] == ["in_app"] for k in body["kinds"])
    assert kinds["comment"]["label"] == "Комментарии к моим задачам"


async def test_unknown_kinds_and_channels_are_refused(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    cases = [
        (
            {"kinds": [{"kind": "weather", "channels": ["in_app"]}]},
            "unknown_notification_kind",
            "kinds[0].kind",
        ),
        (
            {"kinds": [{"kind": "comment", "channels": ["email"]}]},
            "unknown_notification_channel",
            "kinds[0].channels",
        ),
    ]
    for body, code, field in cases:
        resp = await client.put(PREFS, json=body, headers=user.headers)
        assert resp.status_code == 422, resp.text
        assert resp.json()["code"] == code
        assert [e["field"] for e in resp.json()["errors"]] == [field]
    assert (await client.put(PREFS, json={"kinds": "all"}, headers=user.headers)).status_code in (400, 422)
    # In-app may be named; it is on anyway.
    ok = await client.put(
        PREFS, json={"kinds": [{"kind": "comment", "channels": ["in_app"]}]}, headers=user.headers
    )
    assert ok.status_code == 200, ok.text


async def test_choices_are_saved_replaced_and_audited(plugged: Hub) -> None:
    client, user = plugged.client, plugged.owner
    body = {
        "kinds": [{"kind": "comment", "channels": ["pigeon", "in_app"]}, {"kind": "all_done", "channels": []}]
    }
    resp = await client.put(PREFS, json=body, headers=user.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["channels"] == ["in_app", "pigeon"]
    chosen = {
        k["kind"]: k["channels"] for k in (await client.get(PREFS, headers=user.headers)).json()["kinds"]
    }
    assert chosen["comment"] == ["in_app", "pigeon"]
    assert chosen["all_done"] == ["in_app"]

    # PUT replaces: a kind left out is back to in-app only.
    await client.put(
        PREFS, json={"kinds": [{"kind": "task_assigned", "channels": ["pigeon"]}]}, headers=user.headers
    )
    chosen = {
        k["kind"]: k["channels"] for k in (await client.get(PREFS, headers=user.headers)).json()["kinds"]
    }
    assert chosen["comment"] == ["in_app"]
    assert chosen["task_assigned"] == ["in_app", "pigeon"]

    admin = await make_admin(client, plugged.api)
    audit = await client.get(
        "/api/v1/admin/audit", params={"action": "notification.preferences_changed"}, headers=admin.headers
    )
    latest = audit.json()["items"][0]
    assert latest["actor_id"] == str(user.id)
    assert latest["changes"] == {"comment": [["pigeon"], []], "task_assigned": [[], ["pigeon"]]}


async def test_a_chosen_channel_gets_each_notification_once(
    plugged: Hub, pigeon: RecordingChannelPlugin
) -> None:
    hub, channel = plugged, pigeon.channel
    resp = await hub.client.put(
        PREFS, json={"kinds": [{"kind": "task_assigned", "channels": ["pigeon"]}]}, headers=hub.editor.headers
    )
    assert resp.status_code == 200, resp.text

    task = await hub.create(hub.owner, assignee_id=str(hub.editor.id))
    await hub.settle()
    ((sent, recipient),) = channel.delivered
    assert sent.user_id == hub.editor.id == recipient.user_id
    assert sent.kind == "task_assigned"
    assert sent.title == "Вам назначена задача OPS-1"  # in the recipient's language
    assert sent.link == f"/tasks/{task['id']}"
    assert sent.locale == "ru" == recipient.locale
    assert sent.project_id == UUID(task["project_id"])
    assert recipient.email == hub.editor.email

    # Kinds the user did not choose, and users who chose nothing, stay in-app.
    await hub.patch(task, hub.editor, status="done")  # the owners hear of it; they chose no channel
    await hub.comment(task, hub.owner, "Thanks")  # the editor hears of it in-app only
    await hub.settle()
    assert "comment" in await hub.kinds(hub.editor)
    assert len(channel.delivered) == 1

    # The delivery job run again (a retried job, a repeated event) does not deliver twice.
    await _deliver_again(hub, hub.editor.id)
    assert len(channel.delivered) == 1


async def test_a_failed_delivery_is_retried_until_it_goes_through(
    plugged: Hub, pigeon: RecordingChannelPlugin
) -> None:
    hub, channel = plugged, pigeon.channel
    await hub.client.put(
        PREFS,
        json={"kinds": [{"kind": "member_removed", "channels": ["pigeon"]}]},
        headers=hub.viewer.headers,
    )
    url = f"/api/v1/projects/{hub.project['id']}/members/{hub.viewer.id}"
    assert (await hub.client.delete(url, headers=hub.owner.headers)).status_code == 204
    channel.fail = 1
    await hub.deliver()  # member.removed → the notification
    await hub.deliver()  # notification.delivery_due → the channel job, which fails once

    assert channel.fail == 0, "the job did not try the channel"
    assert channel.delivered == []
    await _deliver_again(hub, hub.viewer.id)  # what SAQ's retry runs
    ((sent, _),) = channel.delivered
    assert sent.user_id == UUID(str(hub.viewer.id))
    assert sent.title == "You were removed from Operations"
    await _deliver_again(hub, hub.viewer.id)
    assert len(channel.delivered) == 1


async def _deliver_again(hub: Hub, user_id: UUID) -> None:
    """Run the user's delivery jobs again, as SAQ's retry or a repeated event would: same subscriber, same event."""

    async def due(session: AsyncSession) -> list[tuple[str, dict[str, Any]]]:
        rows = await session.execute(
            select(Outbox.event, Outbox.payload).where(Outbox.event == "notification.delivery_due")
        )
        return [(name, payload) for name, payload in rows.all() if payload["user_id"] == str(user_id)]

    jobs = await read(hub.client, due)
    assert jobs, "no delivery was due"
    ctx = {"registry": hub.client.app.state.registry}

    async def run() -> None:
        for name, payload in jobs:
            await deliver_event(
                ctx, subscriber="notifications.deliver_to_channel", event=name, payload=payload
            )

    await in_app(hub.client, run)


async def test_a_channel_gets_the_address_its_plugin_recorded(
    plugged: Hub, pigeon: RecordingChannelPlugin
) -> None:
    hub, channel = plugged, pigeon.channel
    resp = await hub.client.put(
        PREFS, json={"kinds": [{"kind": "task_assigned", "channels": ["pigeon"]}]}, headers=hub.editor.headers
    )
    assert resp.status_code == 200, resp.text
    runtime = hub.client.app.state.registry.runtime

    async def record(address: str | None) -> None:
        from workhub.kernel.db import session_scope

        async with session_scope(runtime.db) as session:
            await runtime.notifier.set_address(session, hub.editor.id, "pigeon", address)

    await in_app(hub.client, lambda: record("chat-42"))
    await hub.create(hub.owner, assignee_id=str(hub.editor.id))
    await hub.settle()
    ((_, recipient),) = channel.delivered
    assert recipient.address == "chat-42"

    # Forgotten: the next delivery has no address. Both changes are in the audit log.
    await in_app(hub.client, lambda: record(None))
    await hub.create(hub.owner, assignee_id=str(hub.editor.id))
    await hub.settle()
    assert channel.delivered[-1][1].address is None

    async def audited() -> list[dict[str, Any]]:
        from workhub.audit.models import AuditRecord

        async with runtime.db.get_session() as session:
            rows = await session.scalars(
                select(AuditRecord).where(AuditRecord.action == "notification.address_changed")
            )
            return [row.changes for row in rows]

    assert sorted(map(str, await in_app(hub.client, audited))) == sorted(
        map(str, [{"pigeon": [None, "chat-42"]}, {"pigeon": ["chat-42", None]}])
    )
