from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.accounts.conftest import FromIp
from tests.support import PASSWORD, Api, in_app

LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"
WRONG = "wrong password 123"


@pytest.fixture(autouse=True)
async def same_window() -> None:
    """Limits count in fixed one-minute windows: start each test well inside one."""
    left = 60 - time.time() % 60
    if left < 15:
        await asyncio.sleep(left + 0.1)


def assert_429(resp: Any, code: str = "rate_limited") -> None:
    assert resp.status_code == 429, resp.text
    assert resp.json()["code"] == code
    assert 1 <= int(resp.headers["retry-after"]) <= 3600


def shape(resp: Any) -> tuple[int, str, str, str, list[str]]:
    """What a client can tell from an error: everything but the request's own id and path."""
    body = resp.json()
    return resp.status_code, body["code"], body["title"], body.get("detail"), sorted(body)


async def test_login_is_limited_per_address(make_client: Any) -> None:
    client = await make_client(login_rate=3)
    from_ip: Callable[[str], FromIp] = lambda ip: FromIp(client, ip)  # noqa: E731
    caller = from_ip("10.0.0.1")
    for i in range(3):
        resp = await caller.post(LOGIN, json={"email": f"u{i}@example.com", "password": WRONG})
        assert resp.status_code == 401
    assert_429(await caller.post(LOGIN, json={"email": "u9@example.com", "password": WRONG}))
    # Another address is not affected.
    resp = await from_ip("10.0.0.2").post(LOGIN, json={"email": "u9@example.com", "password": WRONG})
    assert resp.status_code == 401


async def test_login_is_limited_per_account(make_client: Any) -> None:
    client = await make_client(login_rate=3)
    api = Api(client)
    user = await api.user()  # one login already counted for this account
    for i in range(2):
        resp = await FromIp(client, f"10.0.1.{i}").post(
            LOGIN, json={"email": user.email, "password": PASSWORD}
        )
        assert resp.status_code == 200
    limited = await FromIp(client, "10.0.1.9").post(
        LOGIN, json={"email": user.email.upper(), "password": PASSWORD}
    )
    assert_429(limited)
    # Other accounts from that address are fine.
    other = await FromIp(client, "10.0.1.9").post(LOGIN, json={"email": "x@example.com", "password": WRONG})
    assert other.status_code == 401


async def test_register_is_limited_per_address_and_per_email(make_client: Any) -> None:
    client = await make_client(register_rate=2)
    here = FromIp(client, "10.0.2.1")
    for i in range(2):
        resp = await here.post(
            REGISTER, json={"email": f"r{i}@example.com", "password": PASSWORD, "name": "R"}
        )
        assert resp.status_code == 201, resp.text
    assert_429(await here.post(REGISTER, json={"email": "r9@example.com", "password": PASSWORD, "name": "R"}))

    for i in range(2):
        await FromIp(client, f"10.0.3.{i}").post(
            REGISTER, json={"email": "same@example.com", "password": PASSWORD, "name": "S"}
        )
    assert_429(
        await FromIp(client, "10.0.3.9").post(
            REGISTER, json={"email": " SAME@example.com", "password": PASSWORD, "name": "S"}
        )
    )


async def test_unknown_email_and_wrong_password_look_the_same(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    wrong = await client.post(LOGIN, json={"email": user.email, "password": WRONG})
    unknown = await client.post(LOGIN, json={"email": "nobody@example.com", "password": WRONG})
    assert shape(wrong) == shape(unknown)
    assert shape(wrong)[:2] == (401, "invalid_credentials")
    assert wrong.headers["content-type"] == unknown.headers["content-type"]


async def test_ten_wrong_passwords_lock_that_address_out_of_the_account_not_its_owner(
    client: AsyncTestClient[Any], api: Api, from_ip: Callable[[str], FromIp]
) -> None:
    user = await api.user()
    attacker = from_ip("203.0.113.7")
    for _ in range(10):
        resp = await attacker.post(LOGIN, json={"email": user.email, "password": WRONG})
        assert resp.status_code == 401
    locked = await attacker.post(LOGIN, json={"email": user.email, "password": PASSWORD})
    assert_429(locked, "account_locked")
    assert int(locked.headers["retry-after"]) > 15 * 60 - 60
    # The lock is on the email, whatever its spelling ...
    assert_429(
        await attacker.post(LOGIN, json={"email": user.email.upper(), "password": PASSWORD}), "account_locked"
    )
    # ... and on that address only: the owner signs in from theirs.
    assert (
        await from_ip("198.51.100.5").post(LOGIN, json={"email": user.email, "password": PASSWORD})
    ).status_code == 200
    # Other accounts are not locked from the attacker's address either (until it sprays many).
    other = await api.user()
    assert (await attacker.post(LOGIN, json={"email": other.email, "password": PASSWORD})).status_code == 200


async def test_an_address_spraying_many_accounts_is_locked_out_of_all(
    make_client: Any,
) -> None:
    client = await make_client(lockout_address_threshold=6)
    api = Api(client)
    victim = await api.user()
    sprayer = FromIp(client, "203.0.113.9")
    for n in range(6):
        await sprayer.post(LOGIN, json={"email": f"guess{n}@example.com", "password": WRONG})
    assert_429(
        await sprayer.post(LOGIN, json={"email": victim.email, "password": PASSWORD}), "account_locked"
    )
    assert (
        await FromIp(client, "198.51.100.6").post(LOGIN, json={"email": victim.email, "password": PASSWORD})
    ).status_code == 200


async def test_an_account_attacked_from_everywhere_still_lets_its_owner_in_from_a_known_address(
    make_client: Any,
) -> None:
    client = await make_client(lockout_account_threshold=8, login_rate=100)
    api = Api(client)
    user = await api.user()
    home = FromIp(client, "198.51.100.10")
    assert (await home.post(LOGIN, json={"email": user.email, "password": PASSWORD})).status_code == 200
    for n in range(8):  # a botnet: each address far below the per-address lock
        await FromIp(client, f"203.0.113.{100 + n}").post(
            LOGIN, json={"email": user.email, "password": WRONG}
        )
    # A new address is refused now, the right password or not ...
    assert_429(
        await FromIp(client, "192.0.2.50").post(LOGIN, json={"email": user.email, "password": PASSWORD}),
        "account_locked",
    )
    # ... while the owner's known address gets in.
    assert (await home.post(LOGIN, json={"email": user.email, "password": PASSWORD})).status_code == 200


async def test_strangers_using_up_the_accounts_minute_do_not_hold_back_its_owner(make_client: Any) -> None:
    client = await make_client(login_rate=3)
    api = Api(client)
    user = await api.user()
    home = FromIp(client, "198.51.100.11")
    assert (await home.post(LOGIN, json={"email": user.email, "password": PASSWORD})).status_code == 200
    for n in range(3):
        await FromIp(client, f"203.0.113.{200 + n}").post(
            LOGIN, json={"email": user.email, "password": WRONG}
        )
    assert_429(
        await FromIp(client, "192.0.2.60").post(LOGIN, json={"email": user.email, "password": PASSWORD})
    )
    assert (await home.post(LOGIN, json={"email": user.email, "password": PASSWORD})).status_code == 200


async def test_the_lock_reveals_nothing_about_the_email(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    for email in (user.email, "ghost@example.com"):
        for _ in range(10):
            await client.post(LOGIN, json={"email": email, "password": WRONG})
    real = await client.post(LOGIN, json={"email": user.email, "password": WRONG})
    ghost = await client.post(LOGIN, json={"email": "ghost@example.com", "password": WRONG})
    assert shape(real) == shape(ghost)
    assert shape(real)[:2] == (429, "account_locked")


async def test_a_right_password_resets_the_count(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    for _round in range(2):
        for _ in range(9):
            assert (
                await client.post(LOGIN, json={"email": user.email, "password": WRONG})
            ).status_code == 401
        assert (await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})).status_code == 200


async def test_the_lock_expires(make_client: Any) -> None:
    client = await make_client(lockout_seconds=600)
    api = Api(client)
    user = await api.user()
    for _ in range(10):
        await client.post(LOGIN, json={"email": user.email, "password": WRONG})
    assert_429(await client.post(LOGIN, json={"email": user.email, "password": PASSWORD}), "account_locked")

    async def expire_now() -> None:
        redis = client.app.state.redis
        [key] = [k async for k in redis.scan_iter("wh:fail:*")]  # this account from this address
        assert 0 < await redis.ttl(key) <= 600
        await redis.pexpire(key, 1)

    await in_app(client, expire_now)
    import asyncio

    await asyncio.sleep(0.05)
    resp = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
