from __future__ import annotations

import asyncio
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.projects.conftest import Sessions, Team, wait_for_a_lock_wait
from tests.support import Api
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.errors import Conflict
from workhub.projects.schemas import ProjectCreate
from workhub.projects.services import ProjectService


async def test_creator_becomes_owner_and_sees_the_project(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    resp = await client.post(
        "/api/v1/projects",
        json={"key": "ops", "name": "  Operations ", "description": "d"},
        headers=user.headers,
    )
    assert resp.status_code == 201, resp.text
    project = resp.json()
    assert project["key"] == "OPS"
    assert project["name"] == "Operations"
    assert project["my_role"] == "owner"
    assert project["archived"] is False

    got = await client.get(f"/api/v1/projects/{project['id']}", headers=user.headers)
    assert got.status_code == 200
    assert got.json()["my_role"] == "owner"
    listed = await client.get("/api/v1/projects", headers=user.headers)
    assert [p["key"] for p in listed.json()["items"]] == ["OPS"]

    other = await api.user()
    assert (await client.get("/api/v1/projects", headers=other.headers)).json()["items"] == []


async def test_project_key_is_unique_whatever_the_case(client: AsyncTestClient[Any], api: Api) -> None:
    first, second = await api.user(), await api.user()
    await api.project(first, key="OPS")
    resp = await client.post("/api/v1/projects", json={"key": "Ops", "name": "Again"}, headers=second.headers)
    assert resp.status_code == 409
    body = resp.json()
    assert body["code"] == "project_key_taken"
    assert body["title"] == "This project key is already taken"
    ru = await client.post(
        "/api/v1/projects",
        json={"key": "ops", "name": "Again"},
        headers={**second.headers, "Accept-Language": "ru"},
    )
    assert ru.status_code == 409


async def test_two_creators_racing_for_one_key_get_a_409_not_a_500(api: Api, sessions: Sessions) -> None:
    first, second = await api.user(), await api.user()
    async with sessions() as one, sessions() as two:
        with acting_as(Actor(kind="user", id=first.id)):
            await ProjectService(session=one).create_project(ProjectCreate(key="RACE", name="A"), first.id)
        with acting_as(Actor(kind="user", id=second.id)):
            racing = asyncio.create_task(
                ProjectService(session=two).create_project(ProjectCreate(key="race", name="B"), second.id)
            )
        assert await wait_for_a_lock_wait(sessions), "the second insert did not wait for the first"
        await one.commit()
        with pytest.raises(Conflict) as raised:
            await racing
        assert raised.value.code == "project_key_taken"
        await two.rollback()


@pytest.mark.parametrize("key", ["", "A", "1AB", "A-B", "ABCDEFGHIJK", "ПРО", "A B"])
async def test_bad_project_keys_are_422(client: AsyncTestClient[Any], api: Api, key: str) -> None:
    user = await api.user()
    resp = await client.post("/api/v1/projects", json={"key": key, "name": "X"}, headers=user.headers)
    assert resp.status_code == 422, resp.text
    assert resp.json()["code"] == "validation_error"
    assert any(e["field"] == "key" for e in resp.json()["errors"])


async def test_owner_renames_and_the_change_is_audited(team: Team) -> None:
    resp = await team.client.patch(team.url, json={"name": "Renamed"}, headers=team.owner.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["name"] == "Renamed"
    (record,) = await team.audit("project.updated")
    assert record["changes"] == {"name": ["Team", "Renamed"]}
    assert record["actor_id"] == str(team.owner.id)


async def test_owner_changes_the_key_and_every_task_key_follows(team: Team) -> None:
    task = await team.client.post(f"{team.url}/tasks", json={"title": "Keyed"}, headers=team.owner.headers)
    assert task.json()["key"].endswith("-1")
    other = await team.api.project(team.owner, key="TAKEN")
    taken = await team.client.patch(team.url, json={"key": "taken"}, headers=team.owner.headers)
    assert taken.status_code == 409 and taken.json()["code"] == "project_key_taken"
    moved = await team.client.patch(team.url, json={"key": "ops2"}, headers=team.owner.headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["key"] == "OPS2"
    again = await team.client.get(f"/api/v1/tasks/{task.json()['id']}", headers=team.owner.headers)
    assert again.json()["key"] == "OPS2-1"
    (record,) = [r for r in await team.audit("project.updated") if "key" in r["changes"]]
    assert record["changes"]["key"][1] == "OPS2"
    assert other["key"] == "TAKEN"  # untouched
    bad = await team.client.patch(team.url, json={"key": "1-X"}, headers=team.owner.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "key"


async def test_editor_cannot_rename(team: Team) -> None:
    editor = await team.member("editor")
    resp = await team.client.patch(team.url, json={"name": "Mine"}, headers=editor.headers)
    assert resp.status_code == 403


async def test_archived_project_is_read_only_until_restored(team: Team) -> None:
    client, owner = team.client, team.owner
    viewer = await team.member("viewer")

    assert (await client.delete(team.url, headers=owner.headers)).status_code == 204
    assert (await client.get("/api/v1/projects", headers=owner.headers)).json()["items"] == []
    archived = await client.get("/api/v1/projects", params={"archived": True}, headers=owner.headers)
    assert [p["key"] for p in archived.json()["items"]] == ["TEAM"]

    got = await client.get(team.url, headers=owner.headers)
    assert got.status_code == 200
    assert got.json()["archived"] is True
    assert (await client.get(f"{team.url}/members", headers=owner.headers)).status_code == 200

    writes = [
        client.patch(team.url, json={"name": "X"}, headers=owner.headers),
        client.patch(team.url, json={"archived": False}, headers=owner.headers),
        client.post(
            f"{team.url}/invitations",
            json={"email": "a@example.com", "role": "viewer"},
            headers=owner.headers,
        ),
        client.patch(f"{team.url}/members/{viewer.id}", json={"role": "editor"}, headers=owner.headers),
        client.delete(f"{team.url}/members/{viewer.id}", headers=owner.headers),
    ]
    for write in writes:
        resp = await write
        assert resp.status_code == 409, resp.text
        assert resp.json()["code"] == "project_archived"

    # A non-owner cannot bring it back; an outsider does not see it at all.
    assert (await client.post(f"{team.url}/restore", headers=viewer.headers)).status_code == 403
    outsider = await team.api.user()
    assert (await client.post(f"{team.url}/restore", headers=outsider.headers)).status_code == 404

    restored = await client.post(f"{team.url}/restore", headers=owner.headers)
    assert restored.status_code == 200, restored.text
    assert restored.json()["archived"] is False
    assert (await client.patch(team.url, json={"name": "Back"}, headers=owner.headers)).status_code == 200
    assert [
        p["key"] for p in (await client.get("/api/v1/projects", headers=owner.headers)).json()["items"]
    ] == ["TEAM"]

    actions = [r["action"] for r in await team.audit()]
    assert actions.index("project.restored") < actions.index("project.archived")
    (archived_record,) = await team.audit("project.archived")
    assert archived_record["changes"] == {"archived": [False, True]}


async def test_archive_by_patch(team: Team) -> None:
    resp = await team.client.patch(team.url, json={"archived": True}, headers=team.owner.headers)
    assert resp.status_code == 200
    assert resp.json()["archived"] is True
    assert len(await team.audit("project.archived")) == 1


async def test_outsider_gets_404_for_a_project(team: Team) -> None:
    outsider = await team.api.user()
    for resp in [
        await team.client.get(team.url, headers=outsider.headers),
        await team.client.patch(team.url, json={"name": "X"}, headers=outsider.headers),
        await team.client.delete(team.url, headers=outsider.headers),
    ]:
        assert resp.status_code == 404
        assert resp.json()["code"] == "not_found"
