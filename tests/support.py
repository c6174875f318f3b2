"""Helpers shared by tests: users that sign up and in through the real API, work inside the app.

The test client runs the app (its engine, Redis and queue connections) on an
event loop of its own, in another thread; anything that touches the app's
connections runs there through :func:`in_app`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from workhub.accounts.models import User
from workhub.kernel.db import build_db_config
from workhub.kernel.i18n import using

if TYPE_CHECKING:
    from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig

PASSWORD = "correct horse battery"
T = TypeVar("T")
Deliver = Callable[[], Awaitable[int]]
"""The ``deliver`` fixture: relay the outbox and run the queued jobs; returns how many events moved."""
_seq = count(1)


@dataclass
class SignedInUser:
    """A signed-in user: ids and ready-made auth headers."""

    id: UUID
    email: str
    name: str
    access_token: str
    refresh_token: str
    role: str = "lead"
    headers: dict[str, str] = field(default_factory=dict)


async def set_role(database_url: str, user_id: UUID, role: str) -> None:
    """Give a user a system role directly in the database (an engine of the test's own loop)."""
    engine = create_async_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(update(User).where(User.id == user_id).values(role=role))
    await engine.dispose()


class Api:
    """Thin helpers over the HTTP API (what a client would do)."""

    def __init__(self, client: AsyncTestClient[Any]) -> None:
        self.client = client

    async def user(
        self, name: str | None = None, *, admin: bool = False, role: str = "lead", locale: str = "en"
    ) -> SignedInUser:
        """Register and sign in a new user; a role other than the one sign-up gave is set in the database.

        Someone signing up on their own is a lead (``admin=True`` is ``role="admin"``).
        """
        n = next(_seq)
        name = name or f"user{n}"
        email = f"{name.lower()}.{n}@example.com"
        resp = await self.client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "name": name, "locale": locale},
        )
        assert resp.status_code == 201, resp.text
        user_id = UUID(resp.json()["id"])
        role = "admin" if admin else role
        if resp.json()["role"] != role:
            await self.set_role(user_id, role)
        tokens = await self.login(email)
        return SignedInUser(
            id=user_id,
            email=email,
            name=name,
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
            role=role,
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )

    async def set_role(self, user_id: UUID, role: str) -> None:
        """Give a user a system role in the database (through the app's own connections)."""

        async def write(session: AsyncSession) -> None:
            await session.execute(update(User).where(User.id == user_id).values(role=role))
            await session.commit()

        await read(self.client, write)

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        """Sign in and return the token pair."""
        resp = await self.client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert resp.status_code == 200, resp.text
        return resp.json()

    async def project(
        self, owner: SignedInUser, key: str | None = None, name: str = "Project"
    ) -> dict[str, Any]:
        """Create a project owned by ``owner``."""
        key = key or f"P{next(_seq)}"
        resp = await self.client.post(
            "/api/v1/projects", json={"key": key, "name": name}, headers=owner.headers
        )
        assert resp.status_code == 201, resp.text
        return resp.json()


def server_env(settings: Any, **extra: str) -> dict[str, str]:
    """The environment of a ``workhub`` process a test starts on the test's servers, with its signing key."""
    assert settings.database_url and settings.redis_url and settings.secret_key
    return {
        **os.environ,
        "WORKHUB_ENV": "test",
        "WORKHUB_DATABASE_URL": settings.database_url,
        "WORKHUB_REDIS_URL": settings.redis_url,
        "WORKHUB_SECRET_KEY": settings.secret_key,
        **extra,
    }


async def in_app(client: AsyncTestClient[Any], fn: Callable[[], Awaitable[T]]) -> T:
    """Run ``fn`` on the app's own event loop (where its connections live), with the app's texts."""
    messages = client.app.state.registry.messages

    async def run() -> T:
        with using(messages):
            return await fn()

    return await asyncio.to_thread(client.blocking_portal.call, run)


def own_db_config(client: AsyncTestClient[Any], *, pool_size: int = 1) -> SQLAlchemyAsyncConfig:
    """A database config for the test's own loop whose sessions audit as the app's do (its transaction listeners).

    The app's engine lives on the client's loop; dispose of this one's engine when done.
    """
    app = client.app
    return build_db_config(
        app.state.settings.database_url,
        pool_size=pool_size,
        listeners=app.state.registry.transaction_listeners,
    )


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
