"""Fixtures for the digest tests: people in two time zones, a project, and a clock that is set back after each test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support import Api, SignedInUser, in_app, read
from workhub.kernel.clock import clock
from workhub.notifications.digest_models import DigestSent
from workhub.notifications.digests import run_digests
from workhub.notifications.models import Notification


def set_clock(moment: datetime) -> None:
    """Move the shared clock so that it reads ``moment`` now."""
    clock.shift(moment - clock.now())


@dataclass
class Desk:
    """The app, its API helpers and ways to run the digest cron and read what it did."""

    client: AsyncTestClient[Any]
    api: Api

    async def person(self, name: str, *, timezone: str, locale: str = "en", **profile: Any) -> SignedInUser:
        user = await self.api.user(name, locale=locale)
        resp = await self.client.patch(
            "/api/v1/me", json={"timezone": timezone, **profile}, headers=user.headers
        )
        assert resp.status_code == 200, resp.text
        return user

    async def project(self, owner: SignedInUser, key: str, *members: SignedInUser) -> str:
        project = await self.api.project(owner, key=key)
        for member in members:
            await self.add(project["id"], owner, member, "editor")
        return project["id"]

    async def add(self, project_id: str, owner: SignedInUser, member: SignedInUser, role: str) -> None:
        from workhub.kernel.context import Actor, acting_as
        from workhub.projects.services import ProjectService

        async def add(session: AsyncSession) -> None:
            with acting_as(Actor.system("test")):
                await ProjectService(session=session).add_member(UUID(project_id), member.id, role)
            await session.commit()

        await read(self.client, add)

    async def task(self, project_id: str, by: SignedInUser, **fields: Any) -> dict[str, Any]:
        body = {"title": "A task", **fields}
        for name in ("deadline",):
            if isinstance(body.get(name), datetime):
                body[name] = body[name].isoformat()
        for name in ("assignee_id",):
            if isinstance(body.get(name), UUID):
                body[name] = str(body[name])
        resp = await self.client.post(f"/api/v1/projects/{project_id}/tasks", json=body, headers=by.headers)
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def patch(self, task: dict[str, Any], by: SignedInUser, **fields: Any) -> dict[str, Any]:
        resp = await self.client.patch(
            f"/api/v1/tasks/{task['id']}", json={"version": task["version"], **fields}, headers=by.headers
        )
        assert resp.status_code == 200, resp.text
        return resp.json()

    async def run(self) -> int:
        """One run of the digest cron at the clock's now, in the app's process."""
        db = self.client.app.state.db_config
        return await in_app(self.client, lambda: run_digests(db))

    async def digests(self, user: SignedInUser) -> list[Notification]:
        """The user's digest notifications, oldest first."""

        async def fetch(session: AsyncSession) -> list[Notification]:
            rows = await session.scalars(
                select(Notification)
                .where(Notification.user_id == user.id, Notification.kind == "digest")
                .order_by(Notification.id)
            )
            return list(rows)

        return await read(self.client, fetch)

    async def days(self, user: SignedInUser) -> list[tuple[str, bool]]:
        """The user's digest days: (local date, whether a notification went out)."""

        async def fetch(session: AsyncSession) -> list[tuple[str, bool]]:
            rows = await session.execute(
                select(DigestSent.local_date, DigestSent.notified)
                .where(DigestSent.user_id == user.id)
                .order_by(DigestSent.local_date)
            )
            return [(d.isoformat(), n) for d, n in rows]

        return await read(self.client, fetch)


@pytest.fixture
def desk(client: AsyncTestClient[Any], api: Api) -> Desk:
    return Desk(client, api)
