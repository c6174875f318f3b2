"""Signing in through a plugin's identity provider, the browser's way (start → provider → callback).

The provider is a stand-in: a plugin whose ``authorize_url`` names a
made-up host and whose ``exchange`` knows a few codes, as a real provider's
token endpoint would; nothing leaves the machine. What is real is WorkHub's
side: the state in Redis and in its cookie, the account found or made, the
refresh cookie and the redirects.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec
from litestar.testing import AsyncTestClient

from tests.support import Api
from workhub.kernel.extensions import ExternalIdentity
from workhub.kernel.plugins import Registry

START = "/api/v1/auth/providers/idp/start"
CALLBACK = "/api/v1/auth/providers/idp/callback"


class StandInProvider:
    """An identity provider that knows the codes in ``identities``."""

    name = "idp"

    def __init__(self) -> None:
        self.identities: dict[str, ExternalIdentity] = {}

    def authorize_url(self, state: str, redirect_uri: str) -> str:
        return f"https://id.example/authorize?state={state}&redirect_uri={redirect_uri}"

    async def exchange(self, code: str, redirect_uri: str) -> ExternalIdentity:
        if code not in self.identities:
            raise PermissionError("bad code")
        return self.identities[code]


class StandInPlugin:
    """Offers the stand-in provider."""

    name = "idp-plugin"
    settings: type[msgspec.Struct] | None = None

    def __init__(self) -> None:
        self.provider = StandInProvider()

    def setup(self, registry: Registry, settings: Any) -> None:
        registry.add_identity_provider(self.provider)


async def _start(client: AsyncTestClient[Any], next_path: str = "/projects") -> str:
    resp = await client.get(START, params={"next": next_path}, follow_redirects=False)
    assert resp.status_code == 302, resp.text
    location = urlsplit(resp.headers["location"])
    assert location.netloc == "id.example"
    (state,) = parse_qs(location.query)["state"]
    assert client.cookies.get("workhub_signin_state") == state
    return state


async def _me(client: AsyncTestClient[Any]) -> dict[str, Any]:
    refreshed = await client.post("/api/v1/auth/refresh", json={})
    assert refreshed.status_code == 200, refreshed.text
    token = refreshed.json()["access_token"]
    return (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).json()


async def test_a_provider_signs_in_the_account_with_its_verified_email(make_client: Any) -> None:
    plugin = StandInPlugin()
    client = await make_client(plugins=[plugin])
    api = Api(client)
    existing = await api.user("ada", role="manager")
    plugin.provider.identities["good"] = ExternalIdentity(
        provider="idp", subject="1", email=existing.email.upper()
    )

    assert (await client.get("/api/v1/auth/providers")).json() == [{"name": "idp"}]
    state = await _start(client)
    back = await client.get(CALLBACK, params={"code": "good", "state": state}, follow_redirects=False)
    assert back.status_code == 302
    assert back.headers["location"] == "/projects"
    me = await _me(client)  # the refresh cookie the callback set
    assert me["id"] == str(existing.id)
    assert me["role"] == "manager"

    # The state was used up: the same callback again is refused.
    again = await client.get(CALLBACK, params={"code": "good", "state": state}, follow_redirects=False)
    assert again.headers["location"] == "/sign-in?error=signin_state_invalid"


async def test_a_new_email_makes_an_account_that_starts_a_team(make_client: Any) -> None:
    plugin = StandInPlugin()
    client = await make_client(plugins=[plugin])
    plugin.provider.identities["new"] = ExternalIdentity(
        provider="idp", subject="2", email="grace@example.com", name="Grace Hopper"
    )
    state = await _start(client, next_path="https://evil.example/steal")
    back = await client.get(CALLBACK, params={"code": "new", "state": state}, follow_redirects=False)
    assert back.headers["location"] == "/"  # never another site
    me = await _me(client)
    assert (me["email"], me["name"], me["role"]) == ("grace@example.com", "Grace Hopper", "lead")
    # The password is nobody's: signing in with a guess fails.
    login = await client.post("/api/v1/auth/login", json={"email": "grace@example.com", "password": "x" * 12})
    assert login.status_code == 401


async def test_a_callback_this_browser_did_not_start_is_refused(make_client: Any) -> None:
    plugin = StandInPlugin()
    client = await make_client(plugins=[plugin])
    plugin.provider.identities["good"] = ExternalIdentity(
        provider="idp", subject="3", email="eve@example.com"
    )
    state = await _start(client)
    client.cookies.delete("workhub_signin_state")  # another browser: the victim of a login CSRF
    resp = await client.get(CALLBACK, params={"code": "good", "state": state}, follow_redirects=False)
    assert resp.headers["location"] == "/sign-in?error=signin_state_invalid"
    assert (await client.post("/api/v1/auth/refresh", json={})).status_code == 401

    state = await _start(client)
    bad = await client.get(CALLBACK, params={"code": "wrong", "state": state}, follow_redirects=False)
    assert bad.headers["location"] == "/sign-in?error=signin_refused"
    plugin.provider.identities["anon"] = ExternalIdentity(provider="idp", subject="4")
    state = await _start(client)
    anon = await client.get(CALLBACK, params={"code": "anon", "state": state}, follow_redirects=False)
    assert anon.headers["location"] == "/sign-in?error=external_email_missing"
    assert (await client.get("/api/v1/auth/providers/nope/start")).status_code == 404
