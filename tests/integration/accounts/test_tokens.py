from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import jwt
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from tests.support import PASSWORD, Api, make_admin, read, set_role
from workhub.accounts.models import RefreshToken
from workhub.accounts.services import REFRESH_GRACE_SECONDS
from workhub.kernel.clock import clock
from workhub.kernel.security import hash_token
from workhub.settings import Settings

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def refresh_rows(client: AsyncTestClient[Any]) -> list[RefreshToken]:
    async def rows(session: Any) -> list[RefreshToken]:
        return list((await session.scalars(select(RefreshToken).order_by(RefreshToken.created_at))).all())

    return await read(client, rows)


async def test_login_answers_a_bearer_pair(
    client: AsyncTestClient[Any], api: Api, settings: Settings
) -> None:
    user = await api.user()
    resp = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60

    claims = jwt.decode(body["access_token"], settings.secret_key or "", algorithms=["HS256"])
    assert claims["sub"] == str(user.id)
    assert claims["role"] == "lead"
    assert claims["jti"]
    assert claims["exp"] - int(claims["iat"]) == 15 * 60
    assert abs(claims["exp"] - (time.time() + 15 * 60)) < 30


async def test_refresh_token_is_opaque_stored_hashed_for_30_days(
    client: AsyncTestClient[Any], api: Api
) -> None:
    user = await api.user()
    raw = user.refresh_token
    assert raw.count(".") == 0 and len(raw) >= 40  # not a JWT: an opaque random string
    rows = await refresh_rows(client)
    mine = [r for r in rows if r.user_id == user.id]
    assert len(mine) == 1
    row = mine[0]
    assert row.token_hash == hash_token(raw)
    assert raw not in {r.token_hash for r in rows}
    assert abs(row.expires_at - (clock.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert row.family_id is not None


async def test_refresh_rotates_within_one_family(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    resp = await client.post(REFRESH, json={"refresh_token": user.refresh_token})
    assert resp.status_code == 200, resp.text
    pair = resp.json()
    assert pair["refresh_token"] != user.refresh_token
    assert pair["access_token"] != user.access_token
    assert (await client.get("/api/v1/me", headers=bearer(pair["access_token"]))).status_code == 200

    rows = [r for r in await refresh_rows(client) if r.user_id == user.id]
    assert len(rows) == 2
    assert rows[0].family_id == rows[1].family_id
    assert rows[0].rotated_at is not None
    assert rows[1].rotated_at is None

    # The new one rotates again.
    again = await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    assert again.status_code == 200


async def test_parallel_refreshes_of_one_token_all_get_the_same_new_pair(
    client: AsyncTestClient[Any], api: Api
) -> None:
    """Two tabs (or a double submit) refreshing at once do not sign the user out."""
    user = await api.user()
    answers = await asyncio.gather(
        *(client.post(REFRESH, json={"refresh_token": user.refresh_token}) for _ in range(5))
    )
    assert [r.status_code for r in answers] == [200] * 5, [r.text for r in answers]
    pairs = {(r.json()["access_token"], r.json()["refresh_token"]) for r in answers}
    assert len(pairs) == 1
    [(access, refresh)] = pairs
    assert (await client.get("/api/v1/me", headers=bearer(access))).status_code == 200
    rows = [r for r in await refresh_rows(client) if r.user_id == user.id]
    assert len(rows) == 2 and all(r.revoked_at is None for r in rows)  # one rotation, nothing revoked
    again = await client.post(REFRESH, json={"refresh_token": refresh})
    assert again.status_code == 200
    # Within the window a late repeat still gets the pair; the sealed copy in Redis is not the token.
    late = await client.post(REFRESH, json={"refresh_token": user.refresh_token})
    assert late.status_code == 200 and late.json()["refresh_token"] == refresh


async def test_reusing_a_rotated_refresh_token_ends_the_whole_login(
    client: AsyncTestClient[Any], api: Api
) -> None:
    user = await api.user()
    other_login = await api.login(user.email)  # a second login of the same user, another family

    first = await client.post(REFRESH, json={"refresh_token": user.refresh_token})
    assert first.status_code == 200
    new_pair = first.json()

    clock.shift(timedelta(seconds=REFRESH_GRACE_SECONDS + 1))  # past the grace window: reuse is theft
    reused = await client.post(REFRESH, json={"refresh_token": user.refresh_token})
    assert reused.status_code == 401
    assert reused.json()["code"] == "refresh_reused"

    # Every token of that login is dead, the new refresh token too ...
    after = await client.post(REFRESH, json={"refresh_token": new_pair["refresh_token"]})
    assert after.status_code == 401
    assert after.json()["code"] == "refresh_invalid"
    # ... and so are the access tokens it issued, the new one included.
    for access in (user.access_token, new_pair["access_token"]):
        resp = await client.get("/api/v1/me", headers=bearer(access))
        assert resp.status_code == 401
        assert resp.json()["code"] == "token_revoked"

    # The user's other login is untouched.
    assert (await client.get("/api/v1/me", headers=bearer(other_login["access_token"]))).status_code == 200
    assert (
        await client.post(REFRESH, json={"refresh_token": other_login["refresh_token"]})
    ).status_code == 200

    rows = [r for r in await refresh_rows(client) if r.user_id == user.id]
    family = rows[0].family_id
    assert all(r.revoked_at is not None for r in rows if r.family_id == family)


async def test_unknown_refresh_token_is_refused(client: AsyncTestClient[Any]) -> None:
    resp = await client.post(REFRESH, json={"refresh_token": "not-a-token"})
    assert resp.status_code == 401
    assert resp.json()["code"] == "refresh_invalid"
    empty = await client.post(REFRESH, json={"refresh_token": ""})
    assert empty.status_code in (400, 422)


async def test_logout_ends_the_login_and_denies_its_access_token(
    client: AsyncTestClient[Any], api: Api
) -> None:
    user = await api.user()
    other_login = await api.login(user.email)
    resp = await client.post(LOGOUT, json={"refresh_token": user.refresh_token}, headers=user.headers)
    assert resp.status_code == 204, resp.text

    me = await client.get("/api/v1/me", headers=user.headers)
    assert me.status_code == 401
    assert me.json()["code"] == "token_revoked"
    refreshed = await client.post(REFRESH, json={"refresh_token": user.refresh_token})
    assert refreshed.status_code == 401

    # Signing out here does not sign the user out elsewhere.
    assert (await client.get("/api/v1/me", headers=bearer(other_login["access_token"]))).status_code == 200


async def test_logout_without_a_body_still_ends_the_login(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    resp = await client.post(LOGOUT, headers=user.headers)
    assert resp.status_code == 204, resp.text
    assert (await client.get("/api/v1/me", headers=user.headers)).json()["code"] == "token_revoked"
    refreshed = await client.post(REFRESH, json={"refresh_token": user.refresh_token})
    assert refreshed.status_code == 401
    assert refreshed.json()["code"] == "refresh_invalid"


async def test_logout_ignores_someone_elses_refresh_token(client: AsyncTestClient[Any], api: Api) -> None:
    alice = await api.user("Alice")
    bob = await api.user("Bob")
    resp = await client.post(LOGOUT, json={"refresh_token": bob.refresh_token}, headers=alice.headers)
    assert resp.status_code == 204
    assert (await client.post(REFRESH, json={"refresh_token": bob.refresh_token})).status_code == 200


async def test_expired_access_token_is_token_expired(
    client: AsyncTestClient[Any], api: Api, settings: Settings
) -> None:
    user = await api.user()
    now = int(time.time())
    expired = jwt.encode(
        {"sub": str(user.id), "role": "manager", "jti": "x" * 32, "iat": now - 1000, "exp": now - 100},
        settings.secret_key or "",
        algorithm="HS256",
    )
    resp = await client.get("/api/v1/me", headers=bearer(expired))
    assert resp.status_code == 401
    assert resp.json()["code"] == "token_expired"


async def test_access_token_expires_after_its_lifetime(make_client: Any) -> None:
    short = await make_client(access_token_ttl=1)
    api = Api(short)
    user = await api.user()
    assert (await short.get("/api/v1/me", headers=user.headers)).status_code == 200
    await asyncio.sleep(2.1)
    resp = await short.get("/api/v1/me", headers=user.headers)
    assert resp.status_code == 401
    assert resp.json()["code"] == "token_expired"


async def test_bad_or_missing_credentials(client: AsyncTestClient[Any], settings: Settings, api: Api) -> None:
    user = await api.user()
    missing = await client.get("/api/v1/me")
    assert missing.status_code == 401
    assert missing.json()["code"] == "not_authenticated"
    garbage = await client.get("/api/v1/me", headers=bearer("garbage"))
    assert garbage.json()["code"] == "token_invalid"
    forged = jwt.encode(
        {"sub": str(user.id), "role": "admin", "jti": "y" * 32, "exp": int(time.time()) + 60},
        "another-secret-key-0123456789abcdef",
        algorithm="HS256",
    )
    resp = await client.get("/api/v1/admin/users", headers=bearer(forged))
    assert resp.status_code == 401
    assert resp.json()["code"] == "token_invalid"


async def test_admin_routes_read_the_role_from_the_database_not_the_token(
    client: AsyncTestClient[Any], settings: Settings, api: Api
) -> None:
    """Even a token signed with the server's own key does not make a member an administrator."""
    member = await api.user("Member")
    assert settings.secret_key is not None
    claims_admin = jwt.encode(
        {
            "sub": str(member.id),
            "role": "admin",
            "jti": "z" * 32,
            "iat": time.time(),
            "exp": int(time.time()) + 60,
        },
        settings.secret_key,
        algorithm="HS256",
    )
    resp = await client.get("/api/v1/admin/users", headers=bearer(claims_admin))
    assert resp.status_code == 403
    assert resp.json()["code"] == "admin_only"

    admin = await make_admin(client, api)
    assert (await client.get("/api/v1/admin/users", headers=admin.headers)).status_code == 200
    await set_role(settings.database_url or "", admin.id, "manager")  # demoted behind the API's back
    resp = await client.get("/api/v1/admin/users", headers=admin.headers)  # the token still says admin
    assert resp.status_code == 403


async def test_requests_checked_together_get_their_own_answers(
    client: AsyncTestClient[Any], api: Api
) -> None:
    """Concurrent requests share one Redis check; a revoked token among them is still refused alone."""
    leaving = await api.user("Leaving")
    staying = await api.user("Staying")
    assert (await client.post(LOGOUT, headers=leaving.headers)).status_code == 204

    users = [leaving, staying] * 10
    answers = await asyncio.gather(*(client.get("/api/v1/me", headers=u.headers) for u in users))

    for user, resp in zip(users, answers, strict=True):
        if user is leaving:
            assert resp.status_code == 401
            assert resp.json()["code"] == "token_revoked"
        else:
            assert resp.status_code == 200, resp.text
            assert resp.json()["id"] == str(staying.id)
