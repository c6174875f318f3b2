from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from tests.integration.projects.conftest import Sessions, Team
from tests.support import PASSWORD
from workhub.kernel.clock import Clock
from workhub.kernel.security import hash_token


async def _raw(sessions: Sessions, sql: str, **params: Any) -> list[Any]:
    async with sessions() as session:
        return list((await session.execute(text(sql), params)).all())


async def test_invitation_shows_its_token_once_and_stores_only_a_hash(team: Team, sessions: Sessions) -> None:
    resp = await team.client.post(
        f"{team.url}/invitations",
        json={"email": "New.Person@Example.COM", "role": "editor"},
        headers=team.owner.headers,
    )
    assert resp.status_code == 201, resp.text
    created = resp.json()
    token = created["token"]
    assert len(token) >= 40
    assert created["email"] == "new.person@example.com"
    assert created["role"] == "editor"
    assert created["accept_url"] == f"{team.client.app.state.settings.base_url}/invitations/{token}"
    assert created["invited_by"] == str(team.owner.id)

    listed = await team.client.get(f"{team.url}/invitations", headers=team.owner.headers)
    assert listed.status_code == 200
    (item,) = listed.json()["items"]
    assert item["id"] == created["id"]
    assert "token" not in item
    assert "accept_url" not in item

    rows = await _raw(sessions, "SELECT token_hash FROM project_invitation")
    assert rows == [(hash_token(token),)]
    assert await _raw(sessions, "SELECT count(*) FROM outbox WHERE event = 'invitation.created'") == [(1,)]
    for table in ("outbox", "audit_log"):
        leaks = await _raw(
            sessions, f"SELECT count(*) FROM {table} WHERE CAST({table} AS text) LIKE :t", t=f"%{token}%"
        )
        assert leaks == [(0,)]
    (record,) = await team.audit("invitation.created")
    assert record["entity_id"] == created["id"]
    assert record["changes"] == {"email": [None, "new.person@example.com"], "role": [None, "editor"]}


async def test_invitee_with_the_invited_email_joins_with_the_role(team: Team) -> None:
    user = await team.api.user("Dana")
    invitation = await team.invite(user.email.upper(), "editor")
    preview = await team.client.get(f"/api/v1/invitations/{invitation['token']}")
    assert preview.status_code == 200
    assert preview.json()["project_key"] == "TEAM"
    assert preview.json()["email"] == user.email

    resp = await team.accept(invitation["token"], user)
    assert resp.status_code == 200, resp.text
    assert resp.json()["id"] == team.id
    assert resp.json()["my_role"] == "editor"
    assert (await team.members())[str(user.id)] == "editor"
    assert (await team.client.get(team.url, headers=user.headers)).json()["my_role"] == "editor"
    listed = await team.client.get(f"{team.url}/invitations", headers=team.owner.headers)
    assert listed.json()["items"] == []

    (accepted,) = await team.audit("invitation.accepted")
    assert accepted["actor_id"] == str(user.id)
    assert accepted["entity_id"] == invitation["id"]
    (added,) = await team.audit("member.added")
    assert added["entity_id"] == str(user.id)
    assert added["changes"] == {"role": [None, "editor"]}


async def test_another_users_email_is_403_and_leaves_the_invitation_usable(team: Team) -> None:
    invited, intruder = await team.api.user(), await team.api.user()
    invitation = await team.invite(invited.email, "viewer")
    resp = await team.accept(invitation["token"], intruder)
    assert resp.status_code == 403
    assert resp.json()["code"] == "invitation_email_mismatch"
    assert str(intruder.id) not in await team.members()
    assert (await team.accept(invitation["token"], invited)).status_code == 200


async def test_used_expired_revoked_and_unknown_links_all_look_the_same(
    team: Team, frozen_clock: Clock
) -> None:
    user = await team.api.user()
    used = await team.invite(user.email, "viewer")
    assert (await team.accept(used["token"], user)).status_code == 200
    assert (await team.client.post(f"{team.url}/leave", headers=user.headers)).status_code == 204

    revoked = await team.invite(user.email, "viewer")
    resp = await team.client.delete(f"{team.url}/invitations/{revoked['id']}", headers=team.owner.headers)
    assert resp.status_code == 204
    again = await team.client.delete(f"{team.url}/invitations/{revoked['id']}", headers=team.owner.headers)
    assert again.status_code == 404

    expired = await team.invite(user.email, "viewer")
    frozen_clock.shift(timedelta(days=7, seconds=1))
    listed = await team.client.get(f"{team.url}/invitations", headers=team.owner.headers)
    assert listed.json()["items"] == []

    for token in (used["token"], revoked["token"], expired["token"], "no-such-token", "x" * 500):
        resp = await team.accept(token, user)
        assert resp.status_code == 404, token
        assert resp.json()["code"] == "invitation_invalid"
        assert resp.json()["detail"] == (
            "This invitation link is not valid: it may have expired, been revoked or been used."
        )
        preview = await team.client.get(f"/api/v1/invitations/{token}")
        assert preview.status_code == 404
        assert preview.json()["code"] == "invitation_invalid"
    assert str(user.id) not in await team.members()
    assert [r["entity_id"] for r in await team.audit("invitation.revoked")] == [revoked["id"]]


async def test_invitation_still_works_just_before_it_expires(team: Team, frozen_clock: Clock) -> None:
    user = await team.api.user()
    invitation = await team.invite(user.email, "viewer")
    frozen_clock.shift(timedelta(days=7) - timedelta(minutes=1))
    assert (await team.accept(invitation["token"], user)).status_code == 200


async def test_invitation_to_an_email_without_account_is_accepted_after_registering(team: Team) -> None:
    invitation = await team.invite("newcomer@example.com", "editor")
    preview = await team.client.get(f"/api/v1/invitations/{invitation['token']}")
    assert preview.status_code == 200
    assert preview.json() == {
        "project_name": "Team",
        "project_key": "TEAM",
        "email": "newcomer@example.com",
        "role": "editor",
        "expires_at": invitation["expires_at"],
    }
    anonymous = await team.client.post(f"/api/v1/invitations/{invitation['token']}/accept")
    assert anonymous.status_code == 401

    registered = await team.client.post(
        "/api/v1/auth/register",
        json={"email": "Newcomer@Example.com", "password": PASSWORD, "name": "Newcomer"},
    )
    assert registered.status_code == 201, registered.text
    tokens = await team.api.login("newcomer@example.com")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    resp = await team.client.post(f"/api/v1/invitations/{invitation['token']}/accept", headers=headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["my_role"] == "editor"
    assert (await team.members())[registered.json()["id"]] == "editor"


async def test_inviting_a_member_is_409(team: Team) -> None:
    editor = await team.member("editor")
    for email in (editor.email, team.owner.email.upper()):
        resp = await team.client.post(
            f"{team.url}/invitations", json={"email": email, "role": "owner"}, headers=team.owner.headers
        )
        assert resp.status_code == 409
        assert resp.json()["code"] == "already_member"


async def test_a_new_invitation_to_the_same_email_replaces_the_pending_one(team: Team) -> None:
    user = await team.api.user()
    first = await team.invite(user.email, "viewer")
    second = await team.invite(user.email, "editor")
    listed = await team.client.get(f"{team.url}/invitations", headers=team.owner.headers)
    assert [i["id"] for i in listed.json()["items"]] == [second["id"]]
    assert (await team.accept(first["token"], user)).json()["code"] == "invitation_invalid"
    resp = await team.accept(second["token"], user)
    assert resp.status_code == 200
    assert resp.json()["my_role"] == "editor"
    (revoked,) = await team.audit("invitation.revoked")
    assert revoked["entity_id"] == first["id"]


async def test_invitations_page_newest_first(team: Team) -> None:
    ids = [(await team.invite(f"p{i}@example.com", "viewer"))["id"] for i in range(3)]
    first = await team.client.get(f"{team.url}/invitations", params={"limit": 2}, headers=team.owner.headers)
    body = first.json()
    assert [i["id"] for i in body["items"]] == ids[::-1][:2]
    rest = await team.client.get(
        f"{team.url}/invitations",
        params={"limit": 2, "cursor": body["next_cursor"]},
        headers=team.owner.headers,
    )
    assert [i["id"] for i in rest.json()["items"]] == [ids[0]]
    assert rest.json()["next_cursor"] is None


async def test_revoking_another_projects_invitation_is_404(team: Team) -> None:
    other = await team.api.project(team.owner, key="OTHER")
    invitation = await team.invite("someone@example.com", "viewer")
    resp = await team.client.delete(
        f"/api/v1/projects/{other['id']}/invitations/{invitation['id']}", headers=team.owner.headers
    )
    assert resp.status_code == 404
    listed = await team.client.get(f"{team.url}/invitations", headers=team.owner.headers)
    assert len(listed.json()["items"]) == 1


async def test_accepting_into_an_archived_project_is_409(team: Team) -> None:
    user = await team.api.user()
    invitation = await team.invite(user.email, "viewer")
    assert (await team.client.delete(team.url, headers=team.owner.headers)).status_code == 204
    resp = await team.accept(invitation["token"], user)
    assert resp.status_code == 409
    assert resp.json()["code"] == "project_archived"


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "role": "viewer"},
        {"email": "a@example.com", "role": "admin"},
        {"email": "a@example.com"},
        {"role": "viewer"},
    ],
)
async def test_bad_invitation_bodies_are_422(team: Team, body: dict[str, Any]) -> None:
    resp = await team.client.post(f"{team.url}/invitations", json=body, headers=team.owner.headers)
    assert resp.status_code == 422
    assert resp.json()["code"] == "validation_error"
