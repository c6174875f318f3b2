"""The browser's sign-in: the refresh token in an httpOnly cookie, never in the page's reach."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from tests.support import PASSWORD, Api
from workhub.kernel.clock import clock

LOGIN, REFRESH, LOGOUT = "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout"


def set_cookie(resp: Any) -> str:
    [header] = [v for k, v in resp.headers.multi_items() if k.lower() == "set-cookie"]
    return header


async def browser_login(client: AsyncTestClient[Any], email: str) -> dict[str, Any]:
    resp = await client.post(LOGIN, json={"email": email, "password": PASSWORD, "refresh": "cookie"})
    assert resp.status_code == 200, resp.text
    return resp.json() | {"set-cookie": set_cookie(resp)}


async def test_a_browser_login_puts_the_refresh_token_in_an_http_only_strict_cookie(
    client: AsyncTestClient[Any], api: Api
) -> None:
    user = await api.user()
    body = await browser_login(client, user.email)
    assert body["refresh_token"] is None and body["access_token"]
    cookie = body["set-cookie"].lower()
    assert cookie.startswith("workhub_refresh=")
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/api/v1/auth" in cookie
    assert "secure" not in cookie  # plain http here; https adds it (next test)
    assert "max-age=2592000" in cookie  # 30 days, as the token itself

    # The cookie alone refreshes, and comes back rotated.
    first = client.cookies.get("workhub_refresh")
    again = await client.post(REFRESH)
    assert again.status_code == 200, again.text
    assert again.json()["refresh_token"] is None
    rotated = client.cookies.get("workhub_refresh")
    assert rotated and rotated != first
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {again.json()['access_token']}"})
    assert me.status_code == 200

    # The old cookie is spent: using it again after the grace window is reuse, and ends the sign-in.
    clock.shift(timedelta(seconds=31))
    client.cookies.set("workhub_refresh", first or "", path="/api/v1/auth")
    reused = await client.post(REFRESH)
    assert reused.status_code == 401 and reused.json()["code"] == "refresh_reused"


async def test_the_cookie_is_secure_when_served_over_https(make_client: Any) -> None:
    client = await make_client(public_url="https://workhub.example.com")
    user = await Api(client).user()
    body = await browser_login(client, user.email)
    assert "secure" in body["set-cookie"].lower()


async def test_sign_out_clears_the_cookie_and_ends_the_sign_in(
    client: AsyncTestClient[Any], api: Api
) -> None:
    user = await api.user()
    body = await browser_login(client, user.email)
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    out = await client.post(LOGOUT, headers=headers)
    assert out.status_code == 204
    assert "max-age=0" in set_cookie(out).lower()
    assert "workhub_refresh" not in client.cookies
    assert (await client.post(REFRESH)).status_code == 401
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_sign_out_everywhere_ends_every_sign_in_of_the_user(
    client: AsyncTestClient[Any], api: Api
) -> None:
    user = await api.user()
    phone = await api.login(user.email)  # an API client's sign-in elsewhere
    body = await browser_login(client, user.email)
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    out = await client.post(LOGOUT, json={"everywhere": True}, headers=headers)
    assert out.status_code == 204
    assert (await client.post(REFRESH, json={"refresh_token": phone["refresh_token"]})).status_code == 401
    phone_headers = {"Authorization": f"Bearer {phone['access_token']}"}
    assert (await client.get("/api/v1/me", headers=phone_headers)).status_code == 401
    assert (await client.post(REFRESH)).status_code == 401


async def test_api_clients_keep_the_token_in_the_body_and_get_no_cookie(
    client: AsyncTestClient[Any], api: Api
) -> None:
    user = await api.user()
    resp = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})
    assert resp.json()["refresh_token"]
    assert "set-cookie" not in resp.headers
    missing = await client.post(REFRESH)
    assert missing.status_code == 401 and missing.json()["code"] == "refresh_invalid"
