"""The address rate limits and lockout count against: X-Forwarded-For only from a trusted proxy."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from tests.support import in_app
from workhub.app import create_app
from workhub.kernel.middleware import client_address, parse_networks
from workhub.settings import Settings

LOGIN = "/api/v1/auth/login"
NGINX = "10.9.0.10"


@pytest.fixture(autouse=True)
async def same_window() -> None:
    """Login limits count in fixed one-minute windows: start each test well inside one."""
    left = 60 - time.time() % 60
    if left < 10:
        await asyncio.sleep(left + 0.1)


async def post_login(client: AsyncTestClient[Any], peer: str, email: str, xff: str | None = None) -> int:
    """A wrong-password login from TCP peer ``peer``, with an X-Forwarded-For header if given."""

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=client.app, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as http:
            headers = {"X-Forwarded-For": xff} if xff else {}
            return await http.post(LOGIN, json={"email": email, "password": "wrong 12345"}, headers=headers)

    return (await in_app(client, call)).status_code


async def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(make_client: Any) -> None:
    client = await make_client(login_rate=2, trusted_proxies=NGINX)
    # Each attempt claims another address; all are counted against the peer's own.
    codes = [
        await post_login(client, "198.51.100.7", f"u{i}@example.com", f"203.0.113.{i}") for i in range(3)
    ]
    assert codes == [401, 401, 429]


async def test_the_proxy_forwards_each_client_address(make_client: Any) -> None:
    client = await make_client(login_rate=2, trusted_proxies=f"{NGINX}, 10.9.1.0/24")
    codes = [await post_login(client, NGINX, f"a{i}@example.com", "198.51.100.1") for i in range(3)]
    assert codes == [401, 401, 429]
    # Another client behind the same proxy has its own count, even through a second trusted hop.
    assert await post_login(client, NGINX, "b@example.com", "198.51.100.2, 10.9.1.4") == 401
    # What the client wrote to the left of the address nginx saw does not change whose count it is.
    assert await post_login(client, NGINX, "c@example.com", "198.51.100.2, 198.51.100.1") == 429


@pytest.mark.parametrize(
    ("peer", "xff", "expected"),
    [
        ("10.9.0.10", None, "10.9.0.10"),
        ("10.9.0.10", "198.51.100.1", "198.51.100.1"),
        ("10.9.0.10", "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        ("10.9.0.10", "198.51.100.1, 10.9.0.11", "198.51.100.1"),
        ("10.9.0.10", "10.9.0.11", "10.9.0.11"),
        ("10.9.0.10", "garbage, 198.51.100.1", "198.51.100.1"),
        ("10.9.0.10", "198.51.100.1, garbage", "10.9.0.10"),
        ("10.9.0.10", "2001:db8::1", "2001:db8::1"),
        ("198.51.100.9", "198.51.100.1", "198.51.100.9"),
        ("testclient", "198.51.100.1", None),
    ],
)
def test_client_address(peer: str, xff: str | None, expected: str | None) -> None:
    assert client_address(peer, xff, parse_networks("10.9.0.0/24")) == expected


def test_nobody_is_trusted_by_default() -> None:
    assert client_address("127.0.0.1", "198.51.100.1", parse_networks(None)) == "127.0.0.1"


def test_a_bad_trusted_proxies_value_stops_the_start(settings: Settings) -> None:
    import msgspec

    with pytest.raises(ValueError, match="WORKHUB_TRUSTED_PROXIES"):
        create_app(msgspec.structs.replace(settings, trusted_proxies="10.0.0.0/33"), plugins=[])
