from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import pytest

from tests.integration.projects.conftest import Sessions, Team, wait_for_a_lock_wait
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.errors import Conflict
from workhub.projects.services import MemberService, ProjectService


async def test_members_list_shows_name_email_and_role(team: Team) -> None:
    editor = await team.member("editor", "Ivan")
    viewer = await team.member("viewer", "Olga")
    resp = await team.client.get(f"{team.url}/members", headers=viewer.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [(m["name"], m["email"], m["role"]) for m in body["items"]] == [
        ("Owner", team.owner.email, "owner"),
        ("Ivan", editor.email, "editor"),
        ("Olga", viewer.email, "viewer"),
    ]
    assert body["next_cursor"] is None


async def test_members_list_pages(team: Team) -> None:
    for _ in range(3):
        await team.member("viewer")
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        resp = await team.client.get(f"{team.url}/members", params=params, headers=team.owner.headers)
        assert resp.status_code == 200
        page = resp.json()
        seen += [m["user_id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 4
    bad = await team.client.get(
        f"{team.url}/members", params={"cursor": "garbage!"}, headers=team.owner.headers
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_cursor"


async def test_owner_changes_a_role_and_it_takes_effect(team: Team) -> None:
    viewer = await team.member("viewer")
    # A viewer cannot invite...
    denied = await team.client.post(
        f"{team.url}/invitations", json={"email": "x@example.com", "role": "viewer"}, headers=viewer.headers
    )
    assert denied.status_code == 403
    resp = await team.client.patch(
        f"{team.url}/members/{viewer.id}", json={"role": "owner"}, headers=team.owner.headers
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["role"] == "owner"
    assert resp.json()["email"] == viewer.email
    # ...an owner can, with the same access token: roles are read per request.
    allowed = await team.client.post(
        f"{team.url}/invitations", json={"email": "x@example.com", "role": "viewer"}, headers=viewer.headers
    )
    assert allowed.status_code == 201
    (record,) = await team.audit("member.role_changed")
    assert record["entity_type"] == "project_member"
    assert record["entity_id"] == str(viewer.id)
    assert record["changes"] == {"role": ["viewer", "owner"]}
    assert record["actor_id"] == str(team.owner.id)


async def test_setting_the_same_role_changes_nothing(team: Team) -> None:
    editor = await team.member("editor")
    resp = await team.client.patch(
        f"{team.url}/members/{editor.id}", json={"role": "editor"}, headers=team.owner.headers
    )
    assert resp.status_code == 200
    assert await team.audit("member.role_changed") == []


@pytest.mark.parametrize("role", ["admin", "OWNER", "", None])
async def test_unknown_role_is_422(team: Team, role: Any) -> None:
    editor = await team.member("editor")
    resp = await team.client.patch(
        f"{team.url}/members/{editor.id}", json={"role": role}, headers=team.owner.headers
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "role"


async def test_removed_member_loses_access_at_once(team: Team) -> None:
    editor = await team.member("editor")
    assert (await team.client.get(team.url, headers=editor.headers)).status_code == 200
    resp = await team.client.delete(f"{team.url}/members/{editor.id}", headers=team.owner.headers)
    assert resp.status_code == 204
    assert (await team.client.get(team.url, headers=editor.headers)).status_code == 404
    assert str(editor.id) not in await team.members()
    (record,) = await team.audit("member.removed")
    assert record["entity_id"] == str(editor.id)
    assert record["changes"] == {"role": ["editor", None]}
    again = await team.client.delete(f"{team.url}/members/{editor.id}", headers=team.owner.headers)
    assert again.status_code == 404


async def test_removing_a_stranger_is_404(team: Team) -> None:
    stranger = await team.api.user()
    resp = await team.client.delete(f"{team.url}/members/{stranger.id}", headers=team.owner.headers)
    assert resp.status_code == 404
    resp = await team.client.patch(
        f"{team.url}/members/{stranger.id}", json={"role": "viewer"}, headers=team.owner.headers
    )
    assert resp.status_code == 404


async def test_member_leaves(team: Team) -> None:
    viewer = await team.member("viewer")
    resp = await team.client.post(f"{team.url}/leave", headers=viewer.headers)
    assert resp.status_code == 204
    assert (await team.client.get(team.url, headers=viewer.headers)).status_code == 404
    assert (await team.client.post(f"{team.url}/leave", headers=viewer.headers)).status_code == 404
    (record,) = await team.audit("member.removed")
    assert record["actor_id"] == str(viewer.id)
    assert record["entity_id"] == str(viewer.id)


async def test_member_may_leave_an_archived_project(team: Team) -> None:
    editor = await team.member("editor")
    assert (await team.client.delete(team.url, headers=team.owner.headers)).status_code == 204
    assert (await team.client.post(f"{team.url}/leave", headers=editor.headers)).status_code == 204
    assert str(editor.id) not in await team.members()


async def test_last_owner_cannot_step_down_be_removed_or_leave(team: Team) -> None:
    client, owner = team.client, team.owner
    editor = await team.member("editor")
    attempts = [
        client.patch(f"{team.url}/members/{owner.id}", json={"role": "editor"}, headers=owner.headers),
        client.delete(f"{team.url}/members/{owner.id}", headers=owner.headers),
        client.post(f"{team.url}/leave", headers=owner.headers),
    ]
    for attempt in attempts:
        resp = await attempt
        assert resp.status_code == 409, resp.text
        assert resp.json()["code"] == "last_owner"
        assert resp.json()["title"] == "A project must keep at least one owner"
    ru = await client.post(f"{team.url}/leave", headers={**owner.headers, "Accept-Language": "ru"})
    assert ru.json()["code"] == "last_owner"
    assert await team.members() == {str(owner.id): "owner", str(editor.id): "editor"}

    # With a second owner, the first may go.
    promoted = await client.patch(
        f"{team.url}/members/{editor.id}", json={"role": "owner"}, headers=owner.headers
    )
    assert promoted.status_code == 200
    assert (await client.post(f"{team.url}/leave", headers=owner.headers)).status_code == 204
    assert await team.members(as_user=editor) == {str(editor.id): "owner"}


async def test_two_owners_removing_each_other_at_once_leave_one_owner(team: Team, sessions: Sessions) -> None:
    """The second change waits for the first and then sees it would leave no owner."""
    second = await team.member("owner")
    project_id, first_id = UUID(team.id), team.owner.id
    async with sessions() as one, sessions() as two:
        with acting_as(Actor(kind="user", id=first_id)):
            await MemberService(session=one).change_role(project_id, first_id, "viewer")
        with acting_as(Actor(kind="user", id=second.id)):
            racing = asyncio.create_task(
                MemberService(session=two).remove_member(project_id, second.id, left=True)
            )
        assert await wait_for_a_lock_wait(sessions), "the second change did not wait for the first"
        assert not racing.done()
        await one.commit()
        with pytest.raises(Conflict) as raised:
            await racing
        assert raised.value.code == "last_owner"
        await two.rollback()
    assert await team.members(as_user=second) == {str(first_id): "viewer", str(second.id): "owner"}


async def test_add_member_for_the_seed(team: Team, sessions: Sessions) -> None:
    user = await team.api.user()
    async with sessions() as session:
        with acting_as(Actor.system("demo")):
            await ProjectService(session=session).add_member(UUID(team.id), user.id, "editor")
            with pytest.raises(Conflict) as raised:
                await ProjectService(session=session).add_member(UUID(team.id), user.id, "viewer")
        assert raised.value.code == "already_member"
        await session.commit()
    assert (await team.members())[str(user.id)] == "editor"
    (record,) = await team.audit("member.added")
    assert record["actor_kind"] == "system"
    assert record["changes"] == {"role": [None, "editor"]}
