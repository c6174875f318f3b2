"""A running server for the realtime tests, and real Socket.IO clients talking to it.

The app is served as in production (:func:`workhub.asgi.create_asgi` under
uvicorn, outbox relay on) on a free port, in a thread with its own event
loop; tests reach it over HTTP and WebSocket like a browser would. One
server serves the whole module (tables and Redis are still emptied before
each test).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import httpx
import pytest
import socketio
import uvicorn
from socketio.exceptions import ConnectionError as SocketConnectionError

from workhub.asgi import create_asgi
from workhub.kernel.embedded import free_port
from workhub.settings import Settings

PASSWORD = "correct horse battery"
TIMEOUT = 5
"""How long a test waits for something that should arrive (it usually takes milliseconds)."""
_seq = count(1)


@dataclass
class LiveServer:
    """Where the running app listens."""

    url: str
    settings: Settings


@pytest.fixture(scope="module")
def live_server(settings: Settings) -> Iterator[LiveServer]:
    """The wrapped app under uvicorn in a background thread, with the outbox relay running."""
    port = free_port()
    asgi = create_asgi(settings, plugins=[], run_relay=True)
    config = uvicorn.Config(asgi, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", settings)
    server.should_exit = True
    thread.join(timeout=30)


@dataclass
class User:
    """A signed-up, signed-in user of the live server."""

    id: str
    email: str
    token: str
    refresh_token: str
    locale: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Http:
    """What a browser does over REST against the live server."""

    client: httpx.AsyncClient

    async def user(self, name: str = "user", *, locale: str = "en") -> User:
        n = next(_seq)
        email = f"{name}.{n}@example.com"
        resp = await self.client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "name": f"{name} {n}", "locale": locale},
        )
        assert resp.status_code == 201, resp.text
        tokens = await self.login(email)
        return User(resp.json()["id"], email, tokens["access_token"], tokens["refresh_token"], locale)

    async def login(self, email: str) -> dict[str, Any]:
        resp = await self.client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert resp.status_code == 200, resp.text
        return resp.json()

    async def project(self, owner: User) -> str:
        resp = await self.client.post(
            "/api/v1/projects", json={"key": f"R{next(_seq)}", "name": "Live"}, headers=owner.headers
        )
        assert resp.status_code == 201, resp.text
        return resp.json()["id"]

    async def add_member(self, project_id: str, owner: User, user: User, role: str) -> None:
        """Invite ``user`` and accept, as people join a project."""
        resp = await self.client.post(
            f"/api/v1/projects/{project_id}/invitations",
            json={"email": user.email, "role": role},
            headers=owner.headers,
        )
        assert resp.status_code == 201, resp.text
        token = resp.json()["token"]
        resp = await self.client.post(f"/api/v1/invitations/{token}/accept", headers=user.headers)
        assert resp.status_code == 200, resp.text

    async def task(self, project_id: str, owner: User, title: str = "A task") -> dict[str, Any]:
        resp = await self.client.post(
            f"/api/v1/projects/{project_id}/tasks", json={"title": title}, headers=owner.headers
        )
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def patch_task(self, task: dict[str, Any], by: User, **fields: Any) -> dict[str, Any]:
        resp = await self.client.patch(
            f"/api/v1/tasks/{task['id']}", json={"version": task["version"], **fields}, headers=by.headers
        )
        assert resp.status_code == 200, resp.text
        return resp.json()


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[Http]:
    """An HTTP client for the live server."""
    async with httpx.AsyncClient(base_url=live_server.url, timeout=10) as client:
        yield Http(client)


@dataclass
class Socket:
    """A real python-socketio client that records every event it receives."""

    url: str
    client: socketio.AsyncClient = field(default_factory=lambda: socketio.AsyncClient(reconnection=False))
    received: dict[str, asyncio.Queue[Any]] = field(default_factory=dict)
    refusal: asyncio.Future[Any] | None = None
    disconnected: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.refusal = asyncio.get_running_loop().create_future()

        async def any_event(event: str, data: Any = None) -> None:
            self._queue(event).put_nowait(data)

        async def connect_error(data: Any = None) -> None:
            if self.refusal is not None and not self.refusal.done():
                self.refusal.set_result(data)

        async def disconnect(*_: Any) -> None:
            self.disconnected.set()

        self.client.on("*", any_event)
        self.client.on("connect_error", connect_error)
        self.client.on("disconnect", disconnect)

    def _queue(self, event: str) -> asyncio.Queue[Any]:
        return self.received.setdefault(event, asyncio.Queue())

    async def connect(self, auth: dict[str, Any] | None) -> None:
        await self.client.connect(self.url, auth=auth, transports=["websocket"], wait_timeout=TIMEOUT)

    async def refused(self, auth: dict[str, Any] | None) -> dict[str, Any]:
        """Try to connect; return the refusal's ``{code, message}`` (fails if the server accepts)."""
        with pytest.raises(SocketConnectionError):
            await self.connect(auth)
        assert self.refusal is not None
        answer = await asyncio.wait_for(self.refusal, TIMEOUT)
        return answer["data"]

    async def call(self, event: str, room: str) -> dict[str, Any]:
        """Send ``subscribe``/``unsubscribe`` and return the server's ack."""
        ack = await self.client.call(event, {"room": room}, timeout=TIMEOUT)
        assert isinstance(ack, dict), ack
        return ack

    async def next(self, event: str, wait: int = TIMEOUT) -> Any:
        """The next ``event`` received (waiting up to ``wait`` seconds for it)."""
        return await asyncio.wait_for(self._queue(event).get(), wait)

    def pending(self, event: str) -> int:
        """How many ``event`` arrived and were not taken with :meth:`next`."""
        return self._queue(event).qsize()


@pytest.fixture
async def sockets(live_server: LiveServer) -> AsyncIterator[Any]:
    """A factory of connected clients; all are disconnected at the end."""
    made: list[Socket] = []

    async def connect(user: User | None = None, auth: dict[str, Any] | None = None) -> Socket:
        socket = Socket(live_server.url)
        made.append(socket)
        if user is not None:
            await socket.connect({"token": user.token})
        elif auth is not None:
            await socket.connect(auth)
        return socket

    yield connect
    for socket in made:
        if socket.client.connected:
            await socket.client.disconnect()
