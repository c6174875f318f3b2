"""The project list is served from Redis, and every change to projects or memberships shows at once."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.support import Api, SignedInUser, in_app
from workhub.projects.cache import ProjectListCache


async def _keys(client: AsyncTestClient[Any], user: SignedInUser) -> list[str]:
    async def fetch() -> Any:
        return await client.app.state.redis.hkeys(ProjectListCache.key(user.id))

    return sorted(k.decode() if isinstance(k, bytes) else k for k in await in_app(client, fetch))


async def _names(client: AsyncTestClient[Any], user: SignedInUser, **params: Any) -> list[str]:
    resp = await client.get("/api/v1/projects", params=params, headers=user.headers)
    assert resp.status_code == 200, resp.text
    return [p["name"] for p in resp.json()["items"]]


async def test_project_lists_are_cached_and_changes_show_at_once(
    client: AsyncTestClient[Any], api: Api
) -> None:
    owner = await api.user("Owner")
    other = await api.user("Other")
    project = await api.project(owner, key="ALPHA", name="Alpha")
    assert await _names(client, owner) == ["Alpha"]
    assert await _keys(client, owner) == ["False:50:"]
    assert await _names(client, owner) == ["Alpha"]  # served from the cache
    await api.project(owner, key="BETA", name="Beta")
    assert await _names(client, owner) == ["Alpha", "Beta"]
    await client.patch(f"/api/v1/projects/{project['id']}", json={"name": "Alpha 2"}, headers=owner.headers)
    assert await _names(client, owner) == ["Alpha 2", "Beta"]
    # An invitation accepted by someone else changes their list.
    assert await _names(client, other) == []
    invitation = await client.post(
        f"/api/v1/projects/{project['id']}/invitations",
        json={"email": other.email, "role": "editor"},
        headers=owner.headers,
    )
    token = invitation.json()["token"]
    accepted = await client.post(f"/api/v1/invitations/{token}/accept", headers=other.headers)
    assert accepted.status_code == 200, accepted.text
    assert await _names(client, other) == ["Alpha 2"]
    await client.patch(
        f"/api/v1/projects/{project['id']}/members/{other.id}", json={"role": "viewer"}, headers=owner.headers
    )
    listed = await client.get("/api/v1/projects", headers=other.headers)
    assert listed.json()["items"][0]["my_role"] == "viewer"
    await client.delete(f"/api/v1/projects/{project['id']}/members/{other.id}", headers=owner.headers)
    assert await _names(client, other) == []
    await client.delete(f"/api/v1/projects/{project['id']}", headers=owner.headers)
    assert await _names(client, owner) == ["Beta"]
    assert await _names(client, owner, archived="true") == ["Alpha 2"]
    await client.post(f"/api/v1/projects/{project['id']}/restore", headers=owner.headers)
    assert await _names(client, owner) == ["Alpha 2", "Beta"]


async def test_a_list_stored_from_rows_read_before_a_change_is_a_miss(
    client: AsyncTestClient[Any], api: Api
) -> None:
    """A reader that read the database before a change and stores after it stores under the old generation."""
    owner = await api.user("Owner")
    await api.project(owner, key="ONE", name="One")

    async def stale_store() -> Any:
        cache = ProjectListCache(client.app.state.redis)
        _, generation = await cache.get(owner.id, "False:50:")
        from workhub.projects.schemas import ProjectPage

        await cache.bump()  # a change commits while the reader is reading
        await cache.put(owner.id, "False:50:", ProjectPage(items=[], next_cursor=None), generation)
        page, _ = await cache.get(owner.id, "False:50:")
        return page

    assert await in_app(client, stale_store) is None
    assert await _names(client, owner) == ["One"]
