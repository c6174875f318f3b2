"""Organisation roles: leads create projects and set tasks, managers carry them out, an administrator decides who is which."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import PASSWORD, Api, Deliver, make_admin
from workhub.settings import Settings

USERS = "/api/v1/admin/users"
PROJECTS = "/api/v1/projects"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_who_signs_up_alone_is_a_lead_and_who_is_invited_a_manager(
    client: AsyncTestClient[Any], api: Api
) -> None:
    async def sign_up(email: str) -> dict[str, Any]:
        resp = await client.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": email.split("@")[0]}
        )
        assert resp.status_code == 201, resp.text
        return resp.json()

    lead = await api.user("Lena")
    project = await api.project(lead, key="OPS")

    async def invite(email: str) -> dict[str, Any]:
        resp = await client.post(
            f"{PROJECTS}/{project['id']}/invitations",
            json={"email": email, "role": "editor"},
            headers=lead.headers,
        )
        assert resp.status_code == 201, resp.text
        return resp.json()

    assert (await sign_up("founder@example.com"))["role"] == "lead"
    await invite("Mark@Example.com")
    assert (await sign_up(" mark@example.com "))["role"] == "manager"
    revoked = await invite("gone@example.com")
    await client.delete(f"{PROJECTS}/{project['id']}/invitations/{revoked['id']}", headers=lead.headers)
    assert (await sign_up("gone@example.com"))["role"] == "lead"  # no invitation waits any more


async def test_a_manager_works_in_projects_but_creates_none(client: AsyncTestClient[Any], api: Api) -> None:
    lead = await api.user("Lena", role="lead")
    manager = await api.user("Mark", role="manager")
    admin = await make_admin(client, api)

    refused = await client.post(PROJECTS, json={"key": "MGR", "name": "Mine"}, headers=manager.headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "system_role_forbidden"
    for who, key in ((lead, "LEAD"), (admin, "ADM")):
        made = await client.post(PROJECTS, json={"key": key, "name": key}, headers=who.headers)
        assert made.status_code == 201, made.text
        assert made.json()["my_role"] == "owner"

    # Invited to the lead's project, the manager works there, and may even own it.
    project = await api.project(lead, key="OPS")
    invited = await client.post(
        f"{PROJECTS}/{project['id']}/invitations",
        json={"email": manager.email, "role": "owner"},
        headers=lead.headers,
    )
    token = invited.json()["token"]
    assert (
        await client.post(f"/api/v1/invitations/{token}/accept", headers=manager.headers)
    ).status_code == 200
    renamed = await client.patch(f"{PROJECTS}/{project['id']}", json={"name": "Ops"}, headers=manager.headers)
    assert renamed.status_code == 200, renamed.text
    task = await client.post(
        f"{PROJECTS}/{project['id']}/tasks",
        json={"title": "Call the bank", "assignee_id": str(lead.id)},
        headers=manager.headers,
    )
    assert task.status_code == 201, task.text
    # "Tasks I set" is there for everyone.
    mine = await client.get("/api/v1/tasks", params={"creator": "me"}, headers=manager.headers)
    assert [t["title"] for t in mine.json()["items"]] == ["Call the bank"]


async def test_an_administrator_makes_a_manager_a_lead_and_back(
    client: AsyncTestClient[Any], api: Api, deliver: Deliver
) -> None:
    admin = await make_admin(client, api)
    mark = await api.user("Mark", role="manager", locale="ru")

    resp = await client.patch(f"{USERS}/{mark.id}", json={"role": "lead"}, headers=admin.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["role"] == "lead"
    await deliver()
    # The old token named a manager: it is refused; the refreshed one is a lead's.
    stale = await client.post(PROJECTS, json={"key": "MRK", "name": "Mark's"}, headers=mark.headers)
    assert stale.status_code == 401
    assert stale.json()["code"] == "token_revoked"
    pair = (await client.post("/api/v1/auth/refresh", json={"refresh_token": mark.refresh_token})).json()
    made = await client.post(
        PROJECTS, json={"key": "MRK", "name": "Mark's"}, headers=bearer(pair["access_token"])
    )
    assert made.status_code == 201, made.text
    assert (await client.get(USERS, headers=bearer(pair["access_token"]))).status_code == 403  # not an admin

    resp = await client.patch(f"{USERS}/{mark.id}", json={"role": "manager"}, headers=admin.headers)
    assert resp.status_code == 200
    pair = (await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})).json()
    again = await client.post(
        PROJECTS, json={"key": "MRK2", "name": "More"}, headers=bearer(pair["access_token"])
    )
    assert again.status_code == 403
    # What he owns stays his.
    own = await client.get(f"{PROJECTS}/{made.json()['id']}", headers=bearer(pair["access_token"]))
    assert own.json()["my_role"] == "owner"

    await deliver()
    notes = await client.get("/api/v1/notifications", headers=bearer(pair["access_token"]))
    assert [n["title"] for n in reversed(notes.json()["items"])] == [
        "Ваша роль изменена: руководитель",
        "Ваша роль изменена: менеджер",
    ]
    audit = await client.get(
        USERS.replace("users", "audit"), params={"action": "user.role_changed"}, headers=admin.headers
    )
    assert [e["changes"]["role"] for e in reversed(audit.json()["items"])] == [
        ["manager", "lead"],
        ["lead", "manager"],
    ]

    # The roles there were before leads and managers are no role now.
    old = await client.patch(f"{USERS}/{mark.id}", json={"role": "member"}, headers=admin.headers)
    assert old.status_code == 422
    assert "role" in old.text


async def test_the_migration_makes_project_owners_leads_and_other_members_managers(
    settings: Settings,
) -> None:
    from alembic import command

    from workhub.migrate import alembic_config

    assert settings.database_url
    url = make_url(settings.database_url)
    server = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with server.connect() as conn:
        await conn.execute(text("DROP DATABASE IF EXISTS workhub_roles"))
        await conn.execute(text("CREATE DATABASE workhub_roles"))
    await server.dispose()
    scratch = url.set(database="workhub_roles").render_as_string(hide_password=False)
    cfg = alembic_config(scratch)
    await asyncio.to_thread(command.upgrade, cfg, "0012")

    ids = {name: uuid4() for name in ("root", "owner", "editor", "idle")}
    project = uuid4()
    engine = create_async_engine(scratch)
    async with engine.begin() as conn:
        for name, user_id in ids.items():
            await conn.execute(
                text(
                    "INSERT INTO user_account (id, email, name, role, is_active, locale, timezone,"
                    " reminder_offsets, created_at, updated_at) VALUES (:id, :email, :name, :role, true,"
                    " 'ru', 'Europe/Moscow', '{}', now(), now())"
                ),
                {
                    "id": user_id,
                    "email": f"{name}@example.com",
                    "name": name,
                    "role": "admin" if name == "root" else "member",
                },
            )
        await conn.execute(
            text(
                "INSERT INTO project (id, key, name, description, task_seq, created_at, updated_at)"
                " VALUES (:id, 'OPS', 'Ops', '', 0, now(), now())"
            ),
            {"id": project},
        )
        for name, role in (("owner", "owner"), ("editor", "editor"), ("root", "owner")):
            await conn.execute(
                text(
                    "INSERT INTO project_member (id, project_id, user_id, role, created_at, updated_at)"
                    " VALUES (:id, :project, :user, :role, now(), now())"
                ),
                {"id": uuid4(), "project": project, "user": ids[name], "role": role},
            )

    async def roles() -> dict[str, str]:
        async with engine.connect() as conn:
            return dict((await conn.execute(text("SELECT name, role FROM user_account"))).all())  # type: ignore[arg-type]

    try:
        await asyncio.to_thread(command.upgrade, cfg, "0013")
        assert await roles() == {"root": "admin", "owner": "lead", "editor": "manager", "idle": "manager"}
        await asyncio.to_thread(command.downgrade, cfg, "0012")
        assert await roles() == {"root": "admin", "owner": "member", "editor": "member", "idle": "member"}
    finally:
        await engine.dispose()


async def test_the_demo_logins_are_an_administrator_a_lead_and_a_manager(settings: Settings) -> None:
    from workhub.demo import DEMO_LOGINS, seed

    assert await seed(settings)
    engine = create_async_engine(settings.database_url or "")
    async with engine.connect() as conn:
        found = dict((await conn.execute(text("SELECT email, role FROM user_account"))).all())  # type: ignore[arg-type]
    await engine.dispose()
    assert found == {DEMO_LOGINS[0][0]: "admin", DEMO_LOGINS[1][0]: "lead", DEMO_LOGINS[2][0]: "manager"}
