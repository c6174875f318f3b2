"""Fixtures for the notifications tests: a project with two owners, two editors, a viewer and an outsider."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient

from tests.fixtures import deliver_for
from tests.support import Api, Deliver, SignedInUser, own_db_config
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import session_scope
from workhub.projects.services import ProjectService
from workhub.settings import Settings


@dataclass
class Hub:
    """Project ``OPS`` and its people, with helpers over the real API and the real subscriber path."""

    client: AsyncTestClient[Any]
    api: Api
    deliver: Deliver
    database_url: str
    owner: SignedInUser
    owner2: SignedInUser
    editor: SignedInUser
    editor2: SignedInUser
    viewer: SignedInUser
    outsider: SignedInUser
    project: dict[str, Any]

    @classmethod
    async def build(cls, client: AsyncTestClient[Any], database_url: str, *, ru: tuple[str, ...] = ()) -> Hub:
        """Sign everyone up (those named in ``ru`` in Russian) and make the project."""
        api = Api(client)
        people = {
            name: await api.user(name.capitalize(), locale="ru" if name in ru else "en")
            for name in ("owner", "owner2", "editor", "editor2", "viewer", "outsider")
        }
        project = await api.project(people["owner"], key="OPS", name="Operations")
        hub = cls(client, api, deliver_for(client), database_url, project=project, **people)
        await hub.add_member(hub.owner2, "owner")
        await hub.add_member(hub.editor, "editor")
        await hub.add_member(hub.editor2, "editor")
        await hub.add_member(hub.viewer, "viewer")
        return hub

    @property
    def everyone(self) -> list[SignedInUser]:
        return [self.owner, self.owner2, self.editor, self.editor2, self.viewer, self.outsider]

    async def add_member(self, user: SignedInUser, role: str) -> None:
        """Make ``user`` a member through the projects service (an engine of the test's own loop)."""
        config = own_db_config(self.client)
        try:
            with acting_as(Actor.system("test")):
                async with session_scope(config) as session:
                    await ProjectService(session=session).add_member(UUID(self.project["id"]), user.id, role)
        finally:
            await config.get_engine().dispose()

    async def settle(self) -> None:
        """Run subscribers until nothing is left: events, the notifications they make, channel jobs."""
        for _ in range(10):
            if not await self.deliver():
                return
        raise AssertionError("events kept coming")

    async def create(self, by: SignedInUser, **fields: Any) -> dict[str, Any]:
        resp = await self.client.post(
            f"/api/v1/projects/{self.project['id']}/tasks",
            json={"title": "Fix the pump", **fields},
            headers=by.headers,
        )
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def patch(self, task: dict[str, Any], by: SignedInUser, **fields: Any) -> dict[str, Any]:
        resp = await self.client.patch(
            f"/api/v1/tasks/{task['id']}", json={"version": task["version"], **fields}, headers=by.headers
        )
        assert resp.status_code == 200, resp.text
        return resp.json()

    async def comment(self, task: dict[str, Any], by: SignedInUser, body: str) -> dict[str, Any]:
        resp = await self.client.post(
            f"/api/v1/tasks/{task['id']}/comments", json={"body": body}, headers=by.headers
        )
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def inbox(self, user: SignedInUser, **params: Any) -> list[dict[str, Any]]:
        """The user's notifications, newest first, as the API lists them."""
        resp = await self.client.get(
            "/api/v1/notifications", params={"limit": 200, **params}, headers=user.headers
        )
        assert resp.status_code == 200, resp.text
        return resp.json()["items"]

    async def kinds(self, user: SignedInUser) -> list[str]:
        """Kinds of the user's notifications, oldest first."""
        return [n["kind"] for n in reversed(await self.inbox(user))]

    async def kinds_by_user(self) -> dict[str, list[str]]:
        """Everyone's notification kinds (only those who got any), by user name."""
        found = {u.name.lower(): await self.kinds(u) for u in self.everyone}
        return {name: kinds for name, kinds in found.items() if kinds}


@pytest.fixture
async def hub(client: AsyncTestClient[Any], settings: Settings) -> Hub:
    assert settings.database_url
    return await Hub.build(client, settings.database_url)
