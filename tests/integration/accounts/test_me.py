from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.support import PASSWORD, Api

ME = "/api/v1/me"
NEW_PASSWORD = "a brand new passphrase"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_get_me_is_the_callers_profile(client: AsyncTestClient[Any], api: Api) -> None:
    alice = await api.user("Alice")
    await api.user("Bob")
    resp = await client.get(ME, headers=alice.headers)
    assert resp.status_code == 200
    assert resp.json()["id"] == str(alice.id)
    assert resp.json()["name"] == "Alice"


async def test_patch_me_changes_only_the_fields_sent(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user("Carl")
    resp = await client.patch(
        ME,
        json={
            "name": "  Carl Jung ",
            "locale": "ru",
            "timezone": "Asia/Yekaterinburg",
            "reminder_offsets": [30, 1440, 30],
        },
        headers=user.headers,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["name"] == "Carl Jung"
    assert body["locale"] == "ru"
    assert body["timezone"] == "Asia/Yekaterinburg"
    assert body["reminder_offsets"] == [1440, 30]

    partial = await client.patch(ME, json={"locale": "en"}, headers=user.headers)
    assert partial.status_code == 200
    assert partial.json()["locale"] == "en"
    assert partial.json()["timezone"] == "Asia/Yekaterinburg"
    assert partial.json()["name"] == "Carl Jung"
    # Stored, not just echoed.
    assert (await client.get(ME, headers=user.headers)).json()["timezone"] == "Asia/Yekaterinburg"


async def test_profile_values_are_validated(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    bad: list[tuple[dict[str, Any], str]] = [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "Europe"}, "timezone"),  # a folder of the time zone database
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"locale": "de"}, "locale"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"reminder_offsets": [-5]}, "reminder_offsets"),
        ({"reminder_offsets": list(range(11))}, "reminder_offsets"),
    ]
    for payload, field in bad:
        resp = await client.patch(ME, json=payload, headers=user.headers)
        assert resp.status_code == 422, (payload, resp.status_code, resp.text)
        fields = [e["field"] for e in resp.json().get("errors", [])]
        assert any(f.startswith(field) for f in fields), (payload, fields)
    assert (await client.get(ME, headers=user.headers)).json()["timezone"] == "Europe/Moscow"


async def test_profile_change_is_audited(client: AsyncTestClient[Any], api: Api) -> None:
    from tests.support import make_admin

    user = await api.user()
    await client.patch(ME, json={"timezone": "Europe/Berlin"}, headers=user.headers)
    admin = await make_admin(client, api)
    audit = await client.get("/api/v1/admin/audit", params={"action": "user.updated"}, headers=admin.headers)
    assert audit.status_code == 200, audit.text
    entries = [e for e in audit.json()["items"] if e["entity_id"] == str(user.id)]
    assert len(entries) == 1
    assert entries[0]["changes"] == {"timezone": ["Europe/Moscow", "Europe/Berlin"]}
    assert entries[0]["actor_id"] == str(user.id)


async def test_wrong_current_password_is_refused(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    resp = await client.post(
        f"{ME}/password",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=user.headers,
    )
    assert resp.status_code == 422
    assert [e["field"] for e in resp.json()["errors"]] == ["current_password"]
    # Nothing changed: the old password still works, the session still works.
    await api.login(user.email, PASSWORD)
    assert (await client.get(ME, headers=user.headers)).status_code == 200


async def test_weak_new_password_is_refused(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    for weak in ("short", user.email.upper()):
        resp = await client.post(
            f"{ME}/password", json={"current_password": PASSWORD, "new_password": weak}, headers=user.headers
        )
        assert resp.status_code == 422
        assert [e["field"] for e in resp.json()["errors"]] == ["new_password"]


async def test_password_change_ends_every_other_session(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()  # this session changes the password
    laptop = await api.login(user.email)
    phone = await api.login(user.email)

    resp = await client.post(
        f"{ME}/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=user.headers,
    )
    assert resp.status_code == 204, resp.text

    for other in (laptop, phone):
        me = await client.get(ME, headers=bearer(other["access_token"]))
        assert me.status_code == 401
        assert me.json()["code"] == "token_revoked"
        refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
        assert refreshed.status_code == 401

    # The session that changed the password goes on.
    assert (await client.get(ME, headers=user.headers)).status_code == 200
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    ).status_code == 200

    # The old password no longer signs in; the new one does, at once.
    old = await client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert old.status_code == 401
    fresh = await api.login(user.email, NEW_PASSWORD)
    assert (await client.get(ME, headers=bearer(fresh["access_token"]))).status_code == 200


async def test_a_new_language_applies_to_the_next_request_with_the_same_token(
    client: AsyncTestClient[Any], api: Api
) -> None:
    user = await api.user(locale="en")
    missing = "/api/v1/projects/0191b3a4-0000-7000-8000-000000000000"
    assert (await client.get(missing, headers=user.headers)).json()["title"] == "Not found"
    resp = await client.patch("/api/v1/me", json={"locale": "ru"}, headers=user.headers)
    assert resp.status_code == 200 and resp.json()["locale"] == "ru"
    assert (await client.get(missing, headers=user.headers)).json()["title"] == "Не найдено"
    await client.patch("/api/v1/me", json={"locale": "en"}, headers=user.headers)
    assert (await client.get(missing, headers=user.headers)).json()["title"] == "Not found"
