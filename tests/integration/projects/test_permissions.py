from __future__ import annotations

from typing import Any

import pytest

from tests.integration.projects.conftest import Sessions, Team, make_admin
from tests.support import SignedInUser


def _routes(team: Team, target: SignedInUser) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("PATCH", f"{team.url}/members/{target.id}", {"role": "owner"}),
        ("DELETE", f"{team.url}/members/{target.id}", None),
        ("POST", f"{team.url}/invitations", {"email": "z@example.com", "role": "owner"}),
        ("GET", f"{team.url}/invitations", None),
        ("DELETE", f"{team.url}/invitations/{team.id}", None),
        ("POST", f"{team.url}/restore", None),
    ]


@pytest.mark.parametrize("role", ["editor", "viewer"])
async def test_editors_and_viewers_cannot_manage_members_or_invitations(team: Team, role: str) -> None:
    caller = await team.member(role)
    target = await team.member("viewer")
    for method, url, body in _routes(team, target):
        resp = await team.client.request(method, url, json=body, headers=caller.headers)
        assert resp.status_code == 403, (method, url, resp.text)
        assert resp.json()["code"] == "forbidden"
    # They still see who is in the project.
    assert (await team.client.get(f"{team.url}/members", headers=caller.headers)).status_code == 200
    assert (await team.members())[str(target.id)] == "viewer"


async def test_outsiders_get_404_for_everything_in_the_project(team: Team) -> None:
    outsider = await team.api.user()
    target = await team.member("viewer")
    routes = [
        *_routes(team, target),
        ("GET", f"{team.url}/members", None),
        ("POST", f"{team.url}/leave", None),
    ]
    for method, url, body in routes:
        resp = await team.client.request(method, url, json=body, headers=outsider.headers)
        assert resp.status_code == 404, (method, url, resp.text)
        assert resp.json()["code"] == "not_found"
    # The same answer as for a project that does not exist.
    missing = await team.client.get(
        "/api/v1/projects/01a201b9-3aad-7016-863c-5825f5c09cf8/members", headers=outsider.headers
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


async def test_admin_outside_the_project_reads_members_but_manages_nothing(
    team: Team, sessions: Sessions
) -> None:
    admin = await make_admin(team.api, sessions)
    target = await team.member("viewer")
    assert (await team.client.get(f"{team.url}/members", headers=admin.headers)).status_code == 200
    for method, url, body in _routes(team, target):
        resp = await team.client.request(method, url, json=body, headers=admin.headers)
        assert resp.status_code == 403, (method, url, resp.text)


async def test_unauthenticated_requests_are_401(team: Team) -> None:
    for method, url in [("GET", f"{team.url}/members"), ("POST", "/api/v1/invitations/abc/accept")]:
        resp = await team.client.request(method, url)
        assert resp.status_code == 401
