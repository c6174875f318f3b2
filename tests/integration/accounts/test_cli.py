from __future__ import annotations

import asyncio
from typing import Any

from click.testing import CliRunner, Result
from litestar.testing import AsyncTestClient

from tests.support import Api
from workhub.settings import Settings

ADMIN_PASSWORD = "administrator passphrase"


async def create_admin(settings: Settings, *args: str, password: str | None = ADMIN_PASSWORD) -> Result:
    """Run ``workhub create-admin`` as a shell would, against the test database and Redis."""
    from workhub.cli import main

    env = {"WORKHUB_DATABASE_URL": settings.database_url, "WORKHUB_REDIS_URL": settings.redis_url}
    env["WORKHUB_ADMIN_PASSWORD"] = password
    # The command runs its own event loop: give it a thread of its own.
    return await asyncio.to_thread(
        CliRunner().invoke, main, ["create-admin", *args], env=env, catch_exceptions=False
    )


async def test_create_admin_makes_an_administrator_who_can_sign_in(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    result = await create_admin(settings, "--email", " Chief@Example.com ", "--name", "Chief")
    assert result.exit_code == 0, result.output
    assert "chief@example.com" in result.output

    resp = await client.post(
        "/api/v1/auth/login", json={"email": "chief@example.com", "password": ADMIN_PASSWORD}
    )
    assert resp.status_code == 200, resp.text
    headers = {"Authorization": f"Bearer {resp.json()['access_token']}"}
    me = (await client.get("/api/v1/me", headers=headers)).json()
    assert me["role"] == "admin"
    assert me["name"] == "Chief"
    assert (await client.get("/api/v1/admin/users", headers=headers)).status_code == 200


async def test_create_admin_refuses_a_taken_email(
    client: AsyncTestClient[Any], api: Api, settings: Settings
) -> None:
    user = await api.user()
    result = await create_admin(settings, "--email", user.email, "--name", "Dup")
    assert result.exit_code == 1
    assert "cannot be used" in result.output
    assert (await client.get("/api/v1/me", headers=user.headers)).json()["role"] == "lead"


async def test_create_admin_refuses_bad_input(client: AsyncTestClient[Any], settings: Settings) -> None:
    weak = await create_admin(settings, "--email", "weak@example.com", "--name", "W", password="short")
    assert weak.exit_code == 1
    assert "10 characters" in weak.output
    bad_email = await create_admin(settings, "--email", "not-an-email", "--name", "B")
    assert bad_email.exit_code == 1
    assert "email" in bad_email.output
    missing = await create_admin(settings, "--name", "No email")
    assert missing.exit_code == 2
    for email in ("weak@example.com", "not-an-email"):
        login = await client.post("/api/v1/auth/login", json={"email": email, "password": "short"})
        assert login.status_code == 401


async def test_create_admin_asks_for_the_password_when_the_environment_has_none(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    from workhub.cli import main

    env = {
        "WORKHUB_DATABASE_URL": settings.database_url,
        "WORKHUB_REDIS_URL": settings.redis_url,
        "WORKHUB_ADMIN_PASSWORD": None,
    }
    typed = f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n"
    result = await asyncio.to_thread(
        CliRunner().invoke,
        main,
        ["create-admin", "--email", "prompted@example.com", "--name", "P"],
        env=env,
        input=typed,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert ADMIN_PASSWORD not in result.output  # typed hidden
    resp = await client.post(
        "/api/v1/auth/login", json={"email": "prompted@example.com", "password": ADMIN_PASSWORD}
    )
    assert resp.status_code == 200
