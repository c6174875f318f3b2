from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.support import PASSWORD, Api


async def test_register_login_me(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user("Alice", role="manager")
    resp = await client.get("/api/v1/me", headers=user.headers)
    assert resp.status_code == 200
    body = resp.json()
    assert body["email"] == user.email
    assert body["role"] == "manager"
    assert resp.headers["x-request-id"]


async def test_wrong_password_and_unknown_email_look_the_same(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    wrong = await client.post("/api/v1/auth/login", json={"email": user.email, "password": "nope nope nope"})
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "ghost@example.com", "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["code"] == unknown.json()["code"] == "invalid_credentials"
    assert wrong.headers["content-type"].startswith("application/problem+json")
