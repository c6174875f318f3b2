"""Fixtures for the chat tests: project ``OPS`` with an owner, an editor, a viewer and an outsider."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.realtime.conftest import http, live_server, sockets  # noqa: F401  (test_live.py's fixtures)
from tests.support import PASSWORD, Api, SignedInUser, own_db_config
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import session_scope
from workhub.projects.services import ProjectService
from workhub.settings import Settings


@dataclass
class Chat:
    """A project with people in every role, and helpers over the real chat API."""

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
    def channels_url(self) -> str:
        return f"/api/v1/projects/{self.id}/channels"

    async def add_member(self, user: SignedInUser, role: str) -> None:
        """Make ``user`` a project member through the projects service (an engine of the test's loop)."""
        config = own_db_config(self.client)
        try:
            with acting_as(Actor.system("test")):
                async with session_scope(config) as session:
                    await ProjectService(session=session).add_member(UUID(self.id), user.id, role)
        finally:
            await config.get_engine().dispose()

    async def channels(self, by: SignedInUser, **params: Any) -> list[dict[str, Any]]:
        """The caller's channel list."""
        resp = await self.client.get(self.channels_url, params=params, headers=by.headers)
        assert resp.status_code == 200, resp.text
        return resp.json()["items"]

    async def general(self, by: SignedInUser | None = None) -> dict[str, Any]:
        """The project's ``general`` channel, as ``by`` (the owner) lists it."""
        (found,) = [c for c in await self.channels(by or self.owner) if c["default"]]
        return found

    async def create_channel(self, by: SignedInUser | None = None, **body: Any) -> dict[str, Any]:
        """A new channel (by the owner unless ``by``)."""
        resp = await self.client.post(self.channels_url, json=body, headers=(by or self.owner).headers)
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def post(self, channel: dict[str, Any], by: SignedInUser, text: str, **body: Any) -> dict[str, Any]:
        """Post ``text`` to ``channel``."""
        resp = await self.client.post(
            f"/api/v1/channels/{channel['id']}/messages", json={"text": text, **body}, headers=by.headers
        )
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def messages(self, channel: dict[str, Any], by: SignedInUser, **params: Any) -> dict[str, Any]:
        """One page of a channel's messages."""
        resp = await self.client.get(
            f"/api/v1/channels/{channel['id']}/messages", params=params, headers=by.headers
        )
        assert resp.status_code == 200, resp.text
        return resp.json()


async def _named_user(api: Api, name: str, email: str) -> SignedInUser:
    """A user with a name of two words (``api.user`` derives the email from the name)."""
    resp = await api.client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": name, "locale": "en"}
    )
    assert resp.status_code == 201, resp.text
    tokens = await api.login(email)
    return SignedInUser(
        id=UUID(resp.json()["id"]),
        email=email,
        name=name,
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )


async def make_chat(client: AsyncTestClient[Any], settings: Settings) -> Chat:
    """Project ``OPS`` with members in every role on ``client``'s app."""
    api = Api(client)
    owner = await api.user("Owner")
    editor = await _named_user(api, "Anna Petrova", "anna.p@example.com")
    viewer = await api.user("Viewer")
    outsider = await api.user("Outsider")
    project = await api.project(owner, key="OPS", name="Operations")
    assert settings.database_url
    chat = Chat(client, api, owner, editor, viewer, outsider, project, settings.database_url)
    await chat.add_member(editor, "editor")
    await chat.add_member(viewer, "viewer")
    return chat


@pytest.fixture
async def chat(client: AsyncTestClient[Any], settings: Settings) -> Chat:
    """The chat of project ``OPS`` on the core app."""
    return await make_chat(client, settings)
