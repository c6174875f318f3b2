from __future__ import annotations

import asyncio
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from tests.support import PASSWORD, Api, Deliver, make_admin, read
from workhub.notifications.models import Notification

USERS = "/api/v1/admin/users"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def notifications_of(client: AsyncTestClient[Any], user_id: Any) -> list[Notification]:
    async def rows(session: Any) -> list[Notification]:
        stmt = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        return list((await session.scalars(stmt)).all())

    return await read(client, rows)


async def test_leads_and_managers_get_403_on_admin_routes(client: AsyncTestClient[Any], api: Api) -> None:
    for role in ("lead", "manager"):
        user = await api.user(role=role)
        assert (await client.get(USERS, headers=user.headers)).status_code == 403
        resp = await client.patch(f"{USERS}/{user.id}", json={"role": "admin"}, headers=user.headers)
        assert resp.status_code == 403
    assert (await client.get(USERS)).status_code == 401


async def test_list_users_pages_by_cursor(client: AsyncTestClient[Any], api: Api) -> None:
    admin = await make_admin(client, api)
    for i in range(4):
        await api.user(f"Page{i}")
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        resp = await client.get(USERS, params=params, headers=admin.headers)
        assert resp.status_code == 200, resp.text
        page = resp.json()
        assert len(page["items"]) <= 2
        seen += [u["email"] for u in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5
    assert seen == sorted(seen)
    assert len(set(seen)) == 5

    bad = await client.get(USERS, params={"cursor": "%%%not-a-cursor"}, headers=admin.headers)
    assert bad.status_code == 422
    assert (await client.get(USERS, params={"limit": 0}, headers=admin.headers)).status_code in (400, 422)


async def test_list_users_filters(client: AsyncTestClient[Any], api: Api) -> None:
    admin = await make_admin(client, api, "Root")
    olga = await api.user("Olga")
    await api.user("Oleg")
    await api.user("Pavel", role="manager")
    await client.patch(f"{USERS}/{olga.id}", json={"is_active": False}, headers=admin.headers)

    async def names(**params: Any) -> set[str]:
        resp = await client.get(USERS, params=params, headers=admin.headers)
        assert resp.status_code == 200, resp.text
        return {u["name"] for u in resp.json()["items"]}

    assert await names(q="ol") == {"Olga", "Oleg"}
    assert await names(q="OLEG") == {"Oleg"}
    assert await names(q="pavel.") == {"Pavel"}  # by email
    assert await names(q="%") == set()  # wildcards are literal text
    assert await names(q="_") == set()
    assert await names(role="admin") == {"Root"}
    assert await names(role="lead") == {"Olga", "Oleg"}
    assert await names(role="manager") == {"Pavel"}
    assert await names(active="false") == {"Olga"}
    assert await names(active="true", q="ol") == {"Oleg"}
    for unknown in ("owner", "member"):  # a project role; the system role before leads and managers
        bad = await client.get(USERS, params={"role": unknown}, headers=admin.headers)
        assert bad.status_code in (400, 422)


async def test_role_change_notifies_the_user_in_their_language_and_is_audited(
    client: AsyncTestClient[Any], api: Api, deliver: Deliver
) -> None:
    admin = await make_admin(client, api)
    ivan = await api.user("Ivan", role="manager", locale="ru")
    jane = await api.user("Jane", role="manager", locale="en")

    for user in (ivan, jane):
        resp = await client.patch(f"{USERS}/{user.id}", json={"role": "lead"}, headers=admin.headers)
        assert resp.status_code == 200, resp.text
        assert resp.json()["role"] == "lead"
    assert await deliver() > 0

    (ru,) = await notifications_of(client, ivan.id)
    assert ru.kind == "system_role_changed"
    assert ru.title == "Ваша роль изменена: руководитель"
    assert ru.body == "Администратор изменил вашу роль в WorkHub: была «менеджер», теперь «руководитель»."
    assert ru.data == {"old_role": "manager", "new_role": "lead"}
    assert ru.read_at is None
    assert ru.link is None
    (en,) = await notifications_of(client, jane.id)
    assert en.title == "Your role changed to lead"
    assert en.body == "An administrator changed your role in WorkHub from manager to lead."
    assert await notifications_of(client, admin.id) == []

    audit = await client.get(
        "/api/v1/admin/audit", params={"action": "user.role_changed"}, headers=admin.headers
    )
    entries = {e["entity_id"]: e for e in audit.json()["items"]}
    assert entries[str(ivan.id)]["changes"] == {"role": ["manager", "lead"]}
    assert entries[str(ivan.id)]["actor_id"] == str(admin.id)
    assert entries[str(ivan.id)]["actor_name"] == admin.name  # named as the user is called now

    # Back to manager, then administrator: a notification each.
    await client.patch(f"{USERS}/{ivan.id}", json={"role": "manager"}, headers=admin.headers)
    await deliver()
    await client.patch(f"{USERS}/{ivan.id}", json={"role": "admin"}, headers=admin.headers)
    await deliver()
    titles = [n.title for n in await notifications_of(client, ivan.id)]
    assert titles == [
        "Ваша роль изменена: руководитель",
        "Ваша роль изменена: менеджер",
        "Ваша роль изменена: администратор",
    ]


async def test_role_notification_is_written_once_per_event(
    client: AsyncTestClient[Any], api: Api, deliver: Deliver
) -> None:
    from workhub.kernel.events import Outbox, deliver_event

    admin = await make_admin(client, api)
    user = await api.user()
    await client.patch(f"{USERS}/{user.id}", json={"role": "admin"}, headers=admin.headers)
    await deliver()

    async def redeliver() -> None:
        async with client.app.state.db_config.get_session() as session:
            payload = await session.scalar(select(Outbox.payload).where(Outbox.event == "user.role_changed"))
        ctx = {"registry": client.app.state.registry}
        # The same event again, as a retried job or a relay that crashed before marking it would bring it.
        await deliver_event(
            ctx, subscriber="notifications.on_user_role_changed", event="user.role_changed", payload=payload
        )

    from tests.support import in_app

    await in_app(client, redeliver)
    assert len(await notifications_of(client, user.id)) == 1


async def test_same_role_again_changes_nothing(
    client: AsyncTestClient[Any], api: Api, deliver: Deliver
) -> None:
    admin = await make_admin(client, api)
    user = await api.user()
    resp = await client.patch(f"{USERS}/{user.id}", json={"role": "lead"}, headers=admin.headers)
    assert resp.status_code == 200
    await deliver()
    assert await notifications_of(client, user.id) == []
    assert (await client.get("/api/v1/me", headers=user.headers)).status_code == 200


async def test_demoted_admin_loses_admin_access_at_once(client: AsyncTestClient[Any], api: Api) -> None:
    root = await make_admin(client, api, "Root")
    other = await make_admin(client, api, "Other")
    resp = await client.patch(f"{USERS}/{other.id}", json={"role": "lead"}, headers=root.headers)
    assert resp.status_code == 200, resp.text

    stale = await client.get(USERS, headers=other.headers)
    assert stale.status_code == 401
    assert stale.json()["code"] == "token_revoked"
    # The refresh token still works and the new access token carries the new role.
    pair = (await client.post("/api/v1/auth/refresh", json={"refresh_token": other.refresh_token})).json()
    assert (await client.get(USERS, headers=bearer(pair["access_token"]))).status_code == 403
    assert (await client.get("/api/v1/me", headers=bearer(pair["access_token"]))).json()["role"] == "lead"


async def test_last_active_admin_can_be_neither_demoted_nor_deactivated(
    client: AsyncTestClient[Any], api: Api
) -> None:
    root = await make_admin(client, api, "Root")
    for change in ({"role": "manager"}, {"is_active": False}):
        resp = await client.patch(f"{USERS}/{root.id}", json=change, headers=root.headers)
        assert resp.status_code == 409, resp.text
        assert resp.json()["code"] == "last_admin"
    assert (await client.get("/api/v1/me", headers=root.headers)).json()["role"] == "admin"

    # With a second active admin the first may step down.
    second = await make_admin(client, api, "Second")
    resp = await client.patch(f"{USERS}/{root.id}", json={"role": "manager"}, headers=second.headers)
    assert resp.status_code == 200
    # ... and now the second is the last one.
    resp = await client.patch(f"{USERS}/{second.id}", json={"is_active": False}, headers=second.headers)
    assert resp.status_code == 409
    assert resp.json()["code"] == "last_admin"


async def test_deactivated_admins_do_not_count(client: AsyncTestClient[Any], api: Api) -> None:
    root = await make_admin(client, api, "Root")
    sleeper = await make_admin(client, api, "Sleeper")
    assert (
        await client.patch(f"{USERS}/{sleeper.id}", json={"is_active": False}, headers=root.headers)
    ).status_code == 200
    resp = await client.patch(f"{USERS}/{root.id}", json={"role": "manager"}, headers=root.headers)
    assert resp.status_code == 409
    assert resp.json()["code"] == "last_admin"


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    client: AsyncTestClient[Any], api: Api
) -> None:
    a = await make_admin(client, api, "A")
    b = await make_admin(client, api, "B")
    results = await asyncio.gather(
        client.patch(f"{USERS}/{b.id}", json={"role": "manager"}, headers=a.headers),
        client.patch(f"{USERS}/{a.id}", json={"role": "manager"}, headers=b.headers),
    )
    codes = sorted(r.status_code for r in results)
    assert codes in ([200, 409], [200, 401]), [r.text for r in results]
    third = await make_admin(client, api, "Third")
    admins = await client.get(USERS, params={"role": "admin", "active": "true"}, headers=third.headers)
    names = {u["name"] for u in admins.json()["items"]}
    assert names in ({"A", "Third"}, {"B", "Third"})


async def test_deactivated_user_cannot_sign_in_and_their_tokens_stop(
    client: AsyncTestClient[Any], api: Api
) -> None:
    admin = await make_admin(client, api)
    user = await api.user()
    resp = await client.patch(f"{USERS}/{user.id}", json={"is_active": False}, headers=admin.headers)
    assert resp.status_code == 200
    assert resp.json()["is_active"] is False

    me = await client.get("/api/v1/me", headers=user.headers)
    assert me.status_code == 401
    assert me.json()["code"] == "token_revoked"
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert refreshed.status_code == 401
    login = await client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert login.status_code == 401
    assert login.json()["code"] == "invalid_credentials"

    # Reactivated, they sign in again.
    await client.patch(f"{USERS}/{user.id}", json={"is_active": True}, headers=admin.headers)
    again = await api.login(user.email)
    assert (await client.get("/api/v1/me", headers=bearer(again["access_token"]))).status_code == 200


async def test_patch_unknown_user_is_404(client: AsyncTestClient[Any], api: Api) -> None:
    admin = await make_admin(client, api)
    resp = await client.patch(
        f"{USERS}/00000000-0000-7000-8000-000000000000", json={"role": "admin"}, headers=admin.headers
    )
    assert resp.status_code == 404
    bad = await client.patch(f"{USERS}/{admin.id}", json={"role": "owner"}, headers=admin.headers)
    assert bad.status_code == 422
