"""Fixtures for the projects tests: a project with an owner, members joined by invitation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support import Api, SignedInUser, own_db_config
from workhub.kernel.clock import clock

Sessions = Callable[[], AsyncSession]


@dataclass
class Team:
    """A project and its owner, with helpers that go through the real API."""

    client: AsyncTestClient[Any]
    api: Api
    owner: SignedInUser
    project: dict[str, Any]

    @property
    def id(self) -> str:
        return self.project["id"]

    @property
    def url(self) -> str:
        return f"/api/v1/projects/{self.id}"

    async def invite(self, email: str, role: str, by: SignedInUser | None = None) -> dict[str, Any]:
        resp = await self.client.post(
            f"{self.url}/invitations", json={"email": email, "role": role}, headers=(by or self.owner).headers
        )
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def accept(self, token: str, user: SignedInUser) -> Any:
        return await self.client.post(f"/api/v1/invitations/{token}/accept", headers=user.headers)

    async def member(self, role: str, name: str | None = None) -> SignedInUser:
        """A new user who joined with ``role`` by accepting an invitation."""
        user = await self.api.user(name)
        invitation = await self.invite(user.email, role)
        resp = await self.accept(invitation["token"], user)
        assert resp.status_code == 200, resp.text
        return user

    async def members(self, as_user: SignedInUser | None = None) -> dict[str, str]:
        """user id → role."""
        resp = await self.client.get(f"{self.url}/members", headers=(as_user or self.owner).headers)
        assert resp.status_code == 200, resp.text
        return {m["user_id"]: m["role"] for m in resp.json()["items"]}

    async def audit(self, action: str | None = None) -> list[dict[str, Any]]:
        """The project's audit records (newest first), read as the owner."""
        params = {"limit": 200, **({"action": action} if action else {})}
        resp = await self.client.get(f"{self.url}/audit", params=params, headers=self.owner.headers)
        assert resp.status_code == 200, resp.text
        return resp.json()["items"]


@pytest.fixture
async def team(client: AsyncTestClient[Any], api: Api) -> Team:
    owner = await api.user("Owner")
    project = await api.project(owner, key="TEAM", name="Team")
    return Team(client=client, api=api, owner=owner, project=project)


@pytest.fixture
def frozen_clock() -> Any:
    """The shared clock (every test leaves it as it found it: ``tests/fixtures.py``)."""
    return clock


@pytest.fixture
async def sessions(client: AsyncTestClient[Any]) -> AsyncIterator[Sessions]:
    """Sessions on the test's own event loop (the app's engine lives on the client's loop), audited as the app's."""
    config = own_db_config(client, pool_size=5)
    yield config.create_session_maker()
    await config.get_engine().dispose()


async def wait_for_a_lock_wait(sessions: Sessions) -> bool:
    """True once some transaction waits on a lock held by another (polls for up to 10 s)."""
    for _ in range(200):
        async with sessions() as session:
            waiting = await session.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            )
        if waiting:
            return True
        await asyncio.sleep(0.05)
    return False


async def make_admin(api: Api, sessions: Sessions) -> SignedInUser:
    """A signed-in system administrator (the role set in the database, then a fresh sign-in)."""
    user = await api.user("Admin")
    async with sessions() as session:
        await session.execute(text("UPDATE user_account SET role = 'admin' WHERE id = :id"), {"id": user.id})
        await session.commit()
    tokens = await api.login(user.email)
    user.role = "admin"
    user.headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    return user
