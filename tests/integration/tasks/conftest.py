"""Fixtures for the tasks tests: a project with an owner, an editor, a viewer and an outsider."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient

from tests.support import Api, SignedInUser, own_db_config
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import session_scope
from workhub.projects.services import ProjectService
from workhub.settings import Settings


@asynccontextmanager
async def _as_test_system() -> AsyncIterator[None]:
    with acting_as(Actor.system("test")):
        yield


@dataclass
class Board:
    """A project with people in every role, and helpers over the real task API."""

    client: AsyncTestClient[Any]
    api: Api
    owner: SignedInUser
    editor: SignedInUser
    viewer: SignedInUser
    outsider: SignedInUser
    project: dict[str, Any]
    database_url: str

    @property
    def id(self) -> str:
        return self.project["id"]

    @property
    def project_id(self) -> UUID:
        return UUID(self.id)

    @property
    def tasks_url(self) -> str:
        return f"/api/v1/projects/{self.id}/tasks"

    async def add_member(self, user: SignedInUser, role: str, project_id: str | None = None) -> None:
        """Make ``user`` a member directly through the projects service.

        The app's engine lives on the test client's event loop, so this opens
        its own short-lived engine.
        """
        config = own_db_config(self.client)
        try:
            async with session_scope(config) as session, _as_test_system():
                await ProjectService(session=session).add_member(UUID(project_id or self.id), user.id, role)
        finally:
            await config.get_engine().dispose()

    async def create(self, by: SignedInUser | None = None, **fields: Any) -> dict[str, Any]:
        """Create a task (as the owner unless ``by``) and return it."""
        body = {"title": "A task", **fields}
        resp = await self.client.post(self.tasks_url, json=body, headers=(by or self.owner).headers)
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def patch(self, task: dict[str, Any], by: SignedInUser | None = None, **fields: Any) -> Any:
        """PATCH ``task`` at the version it was read."""
        body = {"version": task["version"], **fields}
        return await self.client.patch(
            f"/api/v1/tasks/{task['id']}", json=body, headers=(by or self.owner).headers
        )

    async def list(
        self, by: SignedInUser | None = None, url: str | None = None, **params: Any
    ) -> dict[str, Any]:
        """One page of the project's tasks (or of ``url``) with ``params``."""
        resp = await self.client.get(url or self.tasks_url, params=params, headers=(by or self.owner).headers)
        assert resp.status_code == 200, resp.text
        return resp.json()

    async def titles(
        self, by: SignedInUser | None = None, url: str | None = None, **params: Any
    ) -> list[str]:
        """Titles of one page, in order."""
        return [t["title"] for t in (await self.list(by, url, **params))["items"]]

    async def history(self, task_id: str, by: SignedInUser | None = None) -> list[dict[str, Any]]:
        """The task's history, oldest first."""
        resp = await self.client.get(
            f"/api/v1/tasks/{task_id}/history", params={"limit": 200}, headers=(by or self.owner).headers
        )
        assert resp.status_code == 200, resp.text
        return list(reversed(resp.json()["items"]))


@pytest.fixture
async def board(client: AsyncTestClient[Any], api: Api, settings: Settings) -> Board:
    """Project ``OPS`` with an owner, an editor and a viewer; the outsider is in no project."""
    owner = await api.user("Owner")
    editor = await api.user("Editor")
    viewer = await api.user("Viewer")
    outsider = await api.user("Outsider")
    project = await api.project(owner, key="OPS", name="Operations")
    assert settings.database_url
    result = Board(client, api, owner, editor, viewer, outsider, project, settings.database_url)
    await result.add_member(editor, "editor")
    await result.add_member(viewer, "viewer")
    return result
