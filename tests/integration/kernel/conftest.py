"""Helpers for the kernel's tests: installing test plugins as real entry points, apps built by discovery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import uvicorn
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from workhub.app import create_app
from workhub.kernel.embedded import free_port
from workhub.settings import Settings

InstallPlugins = Callable[[dict[str, str]], Path]
DiscoveredClient = Callable[..., Awaitable[AsyncTestClient[Any]]]
Serve = Callable[..., Awaitable[tuple[Litestar, httpx.AsyncClient]]]


def write_distribution(root: Path, entries: dict[str, str], name: str = "workhub-probe") -> Path:
    """A minimal installed distribution (``*.dist-info``) declaring ``entries`` as WorkHub plugins."""
    dist = root / f"{name.replace('-', '_')}-0.1.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    lines = "".join(f"{ep} = {target}\n" for ep, target in entries.items())
    (dist / "entry_points.txt").write_text(f"[workhub.plugins]\n{lines}")
    return root


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    """A client of the test Redis (answers as bytes; a test module may override it)."""
    assert settings.redis_url
    client = Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def install_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> InstallPlugins:
    """Install entry points for this test only: ``install_plugins({"probe": "module:object"})``.

    importlib.metadata finds distributions on ``sys.path``, exactly as it
    finds a pip-installed plugin.
    """

    def install(entries: dict[str, str]) -> Path:
        root = write_distribution(tmp_path / "site", entries)
        monkeypatch.syspath_prepend(str(root))
        return root

    return install


@pytest.fixture
async def discovered_client(settings: Settings) -> AsyncIterator[DiscoveredClient]:
    """A client for an app that discovers installed plugins itself (``plugins=None``)."""
    clients: list[AsyncTestClient[Any]] = []

    async def factory(**overrides: Any) -> AsyncTestClient[Any]:
        app = create_app(msgspec.structs.replace(settings, **overrides), plugins=None, run_relay=False)
        client = AsyncTestClient(app, raise_server_exceptions=False)
        await client.__aenter__()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.__aexit__(None, None, None)


@pytest.fixture
async def serve(settings: Settings) -> AsyncIterator[Serve]:
    """Run an app under uvicorn in this event loop and return it with an HTTP client.

    Litestar's test client runs the app in another thread and blocks on each
    request, so requests cannot overlap; a real server lets a test keep one
    request in flight while it sends another.
    """
    running: list[tuple[uvicorn.Server, asyncio.Task[None], httpx.AsyncClient]] = []

    async def factory(
        *, plugins: list[Any] | None = None, run_relay: bool = False, **overrides: Any
    ) -> tuple[Litestar, httpx.AsyncClient]:
        app = create_app(
            msgspec.structs.replace(settings, **overrides), plugins=plugins or [], run_relay=run_relay
        )
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning")
        )
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.02)
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20)
        running.append((server, task, client))
        return app, client

    yield factory
    for server, task, client in running:
        await client.aclose()
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)


async def sign_up(client: httpx.AsyncClient, name: str = "owner") -> tuple[str, dict[str, str]]:
    """Register and sign in a user over HTTP; returns their id and auth headers."""
    email = f"{name}.{free_port()}@example.com"
    password = "correct horse battery"
    resp = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": password, "name": name}
    )
    assert resp.status_code == 201, resp.text
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    return resp.json()["id"], {"Authorization": f"Bearer {login.json()['access_token']}"}
