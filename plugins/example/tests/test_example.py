"""The example plugin through the real app: its route, and its subscriber fed by the outbox."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from workhub.kernel.queue import build_worker
from workhub_example import plugin


async def deliver_events(client: AsyncTestClient[Any]) -> None:
    """Relay the outbox, then run a real SAQ worker until the queue is empty.

    The test client runs the app in its own event loop (with its own
    database and Redis connections), so the work is done there.
    """
    app: Litestar = client.app

    async def relay_and_work() -> None:
        await app.state.relay.drain()
        registry = app.state.registry
        worker = build_worker(app.state.queue, registry.jobs, [], context={"registry": registry}, burst=True)
        await asyncio.wait_for(worker.start(), timeout=60)

    await asyncio.to_thread(client.blocking_portal.call, relay_and_work)


async def sign_up(client: AsyncTestClient[Any], email: str) -> dict[str, str]:
    """A new user's auth headers."""
    password = "correct horse battery"
    body = {"email": email, "password": password, "name": "Owner"}
    assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_hello_greets_in_the_callers_language(make_client: Any) -> None:
    client = await make_client(plugins=[plugin])
    english = await client.get("/api/v1/integrations/example/hello")
    russian = await client.get("/api/v1/integrations/example/hello", headers={"Accept-Language": "ru"})
    assert english.status_code == russian.status_code == 200
    assert english.json() == {"message": "Hello from a WorkHub plugin", "projects_created": 0}
    assert russian.json()["message"] == "Привет от плагина WorkHub"


async def test_the_greeting_comes_from_the_plugins_settings(
    make_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKHUB_EXAMPLE_GREETING", "Hi from settings")
    client = await make_client(plugins=[plugin])
    resp = await client.get("/api/v1/integrations/example/hello")
    assert resp.json()["message"] == "Hi from settings"


async def test_the_route_is_mounted_under_the_plugins_prefix_only(make_client: Any) -> None:
    client = await make_client(plugins=[plugin])
    for path in ("/api/hello", "/api/v1/hello"):
        assert (await client.get(path)).status_code == 404
    assert (
        "json" not in (await client.get("/hello")).headers["content-type"]
    )  # a dashboard page, not the route
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/integrations/example/hello" in schema["paths"]


async def test_without_the_plugin_there_is_no_route(client: AsyncTestClient[Any]) -> None:
    assert (await client.get("/api/v1/integrations/example/hello")).status_code == 404


async def test_created_projects_are_counted_once_through_the_outbox(make_client: Any) -> None:
    client = await make_client(plugins=[plugin])
    headers = await sign_up(client, "owner@example.com")
    for key in ("ONE", "TWO"):
        resp = await client.post("/api/v1/projects", json={"key": key, "name": key}, headers=headers)
        assert resp.status_code == 201, resp.text
    hello = await client.get("/api/v1/integrations/example/hello")
    assert hello.json()["projects_created"] == 0  # nothing is counted before the relay runs

    await deliver_events(client)
    hello = await client.get("/api/v1/integrations/example/hello")
    assert hello.json()["projects_created"] == 2


async def test_a_repeated_delivery_is_not_counted_twice(make_client: Any) -> None:
    client = await make_client(plugins=[plugin])
    headers = await sign_up(client, "again@example.com")
    resp = await client.post("/api/v1/projects", json={"key": "RPT", "name": "Repeat"}, headers=headers)
    assert resp.status_code == 201
    await deliver_events(client)

    # Make the relay see the event as never delivered, as after a crash before its commit.
    async def forget_delivery() -> None:
        from sqlalchemy import text

        async with client.app.state.db_config.get_session() as session:
            await session.execute(text("UPDATE outbox SET dispatched_at = NULL"))
            await session.commit()

    await asyncio.to_thread(client.blocking_portal.call, forget_delivery)
    await deliver_events(client)
    hello = await client.get("/api/v1/integrations/example/hello")
    assert hello.json()["projects_created"] == 1


async def test_its_health_check_is_part_of_readiness(make_client: Any) -> None:
    client = await make_client(plugins=[plugin])
    resp = await client.get("/health/ready")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert {"name": "example.counter", "ok": True} in [
        {k: c[k] for k in ("name", "ok")} for c in body["checks"]
    ]
    assert body["plugins"]["example"] == "enabled"
