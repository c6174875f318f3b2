"""Fixtures for the jobs tests: an app whose job files go to a temporary directory, and a team.

Jobs run the production way: ``job.created`` is relayed from the outbox, its
subscriber enqueues the job, and a real SAQ worker (the one ``workhub worker``
builds, in burst mode, on the app's loop) runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient

from tests.fixtures import ClientFactory
from tests.support import Api, SignedInUser, in_app, own_db_config
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import session_scope
from workhub.kernel.queue import build_worker
from workhub.projects.services import ProjectService
from workhub.settings import Settings


@pytest.fixture
def jobs_dir(tmp_path: Path) -> Path:
    return tmp_path / "jobs"


@pytest.fixture
async def client(make_client: ClientFactory, jobs_dir: Path) -> AsyncTestClient[Any]:
    """The core app with its job files under a temporary directory."""
    return await make_client(jobs_dir=str(jobs_dir))


class Recorder:
    """A broadcaster that remembers what was emitted (the realtime server's stand-in)."""

    def __init__(self) -> None:
        self.emitted: list[tuple[str, Any, str]] = []
        self.hooks: list[Any] = []

    async def emit(self, event: str, data: Any, *, room: str) -> None:
        self.emitted.append((event, data, room))
        for hook in self.hooks:
            await hook(event, data, room)


@dataclass
class Team:
    """People, a project and helpers over the jobs API."""

    client: AsyncTestClient[Any]
    api: Api
    owner: SignedInUser
    editor: SignedInUser
    viewer: SignedInUser
    outsider: SignedInUser
    project: dict[str, Any]
    database_url: str
    broadcaster: Recorder = field(default_factory=Recorder)
    _other: str | None = None

    @property
    def project_id(self) -> str:
        return str(self.project["id"])

    async def add_member(self, user: SignedInUser, role: str, project_id: str | None = None) -> None:
        config = own_db_config(self.client)
        try:
            with acting_as(Actor.system("test")):
                async with session_scope(config) as session:
                    await ProjectService(session=session).add_member(
                        UUID(project_id or self.project_id), user.id, role
                    )
        finally:
            await config.get_engine().dispose()

    async def task(self, by: SignedInUser | None = None, project_id: str | None = None, **fields: Any) -> Any:
        body = {"title": "A task", **fields}
        resp = await self.client.post(
            f"/api/v1/projects/{project_id or self.project_id}/tasks",
            json=body,
            headers=(by or self.owner).headers,
        )
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def outsider_project(self) -> str:
        """The id of project ``OUT``, the outsider's own (created on first use)."""
        if self._other is None:
            self._other = str((await self.api.project(self.outsider, key="OUT", name="Чужой"))["id"])
        return self._other

    async def outsider_project_task(self, title: str) -> Any:
        return await self.task(by=self.outsider, project_id=await self.outsider_project(), title=title)

    async def start(
        self, kind: str, params: dict[str, Any] | None = None, by: SignedInUser | None = None
    ) -> Any:
        """POST /jobs; asserts 202 and returns the job."""
        resp = await self.client.post(
            "/api/v1/jobs", json={"kind": kind, "params": params or {}}, headers=(by or self.owner).headers
        )
        assert resp.status_code == 202, resp.text
        return resp.json()

    async def get(self, job_id: str, by: SignedInUser | None = None) -> Any:
        resp = await self.client.get(f"/api/v1/jobs/{job_id}", headers=(by or self.owner).headers)
        assert resp.status_code == 200, resp.text
        return resp.json()

    async def result(self, job_id: str, by: SignedInUser | None = None) -> bytes:
        resp = await self.client.get(f"/api/v1/jobs/{job_id}/result", headers=(by or self.owner).headers)
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"] == "text/csv; charset=utf-8"  # the charset once, not repeated
        return resp.content

    async def upload(self, content: bytes, by: SignedInUser | None = None) -> str:
        resp = await self.client.post(
            "/api/v1/jobs/uploads",
            content=content,
            params={"name": "tasks.csv"},
            headers={**(by or self.owner).headers, "Content-Type": "text/csv"},
        )
        assert resp.status_code == 201, resp.text
        return str(resp.json()["id"])

    async def work(self) -> None:
        """Relay the outbox and run every queued job with the production worker, until none is left."""
        app = self.client.app
        registry = app.state.registry

        async def run() -> None:
            registry.runtime.broadcaster = self.broadcaster
            for _ in range(4):
                moved = await app.state.relay.drain()
                worker = build_worker(
                    app.state.queue,
                    registry.jobs,
                    [],
                    context={"registry": registry},
                    burst=True,
                    concurrency=1,
                )
                await worker.start()
                if not moved and not await app.state.queue.saq.count("queued"):
                    return

        await in_app(self.client, run)


@pytest.fixture
async def team(client: AsyncTestClient[Any], api: Api, settings: Settings) -> Team:
    """Project ``OPS`` (owner, editor, viewer); the outsider owns project ``OUT`` of their own."""
    owner = await api.user("Owner", locale="ru")
    editor = await api.user("Editor")
    viewer = await api.user("Viewer")
    outsider = await api.user("Outsider")
    project = await api.project(owner, key="OPS", name="Операции")
    assert settings.database_url
    result = Team(client, api, owner, editor, viewer, outsider, project, settings.database_url)
    await result.add_member(editor, "editor")
    await result.add_member(viewer, "viewer")
    return result
