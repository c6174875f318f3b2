"""Helpers for the accounts tests: callers from other addresses, work inside the app, event delivery.

The test client runs the app (its engine, Redis and queue connections) on an
event loop of its own, in another thread; anything that touches the app's
connections runs there through :func:`in_app`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest
from litestar.testing import AsyncTestClient
from saq import Worker
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support import Api, SignedInUser
from workhub.accounts.models import User

T = TypeVar("T")
Deliver = Callable[[], Awaitable[int]]


async def in_app(client: AsyncTestClient[Any], fn: Callable[[], Awaitable[T]]) -> T:
    """Run ``fn`` on the app's own event loop (where its connections live)."""
    return await asyncio.to_thread(client.blocking_portal.call, fn)


async def read(client: AsyncTestClient[Any], fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``fn`` with a fresh session on the app's database."""

    async def run() -> T:
        async with client.app.state.db_config.get_session() as session:
            return await fn(session)

    return await in_app(client, run)


async def make_admin(client: AsyncTestClient[Any], api: Api, name: str = "Admin") -> SignedInUser:
    """A signed-in system administrator (promoted in the database, as the first admin would be by the CLI)."""
    user = await api.user(name)

    async def promote(session: AsyncSession) -> None:
        await session.execute(update(User).where(User.id == user.id).values(role="admin"))
        await session.commit()

    await read(client, promote)
    tokens = await api.login(user.email)
    user.access_token, user.refresh_token, user.role = (
        tokens["access_token"],
        tokens["refresh_token"],
        "admin",
    )
    user.headers = {"Authorization": f"Bearer {user.access_token}"}
    return user


class FromIp:
    """An HTTP caller of the same app from a given client address."""

    def __init__(self, client: AsyncTestClient[Any], ip: str) -> None:
        self.client = client
        self.ip = ip

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """POST ``url`` as the test client would, but from ``self.ip``."""

        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.client.app, client=(self.ip, 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as http:
                return await http.post(url, **kwargs)

        return await in_app(self.client, call)


@pytest.fixture
def from_ip(client: AsyncTestClient[Any]) -> Callable[[str], FromIp]:
    """``from_ip("10.0.0.7")``: call the app from that address."""
    return lambda ip: FromIp(client, ip)


@pytest.fixture
def deliver(client: AsyncTestClient[Any]) -> Deliver:
    """Relay the outbox, then run the enqueued SAQ jobs with a real worker until the queue is empty.

    This is the production path of a subscriber (outbox → relay → SAQ job →
    ``deliver_event`` → handler), driven step by step instead of by the
    background loops. Returns how many events were relayed.
    """
    app = client.app

    async def run() -> int:
        relayed = 0
        while moved := await app.state.relay.run_once():
            relayed += moved
        registry = app.state.registry

        async def startup(ctx: Any) -> None:
            ctx["registry"] = registry

        worker = Worker(
            app.state.queue.saq,
            functions=list(registry.jobs.items()),
            startup=startup,
            burst=True,
            dequeue_timeout=0.2,
            shutdown_grace_period_s=0,  # only the upkeep loops are left when a burst ends
        )
        worker.SIGNALS = []  # the app's loop runs in a thread, where signal handlers cannot be set
        await worker.start()
        return relayed

    return lambda: in_app(client, run)
