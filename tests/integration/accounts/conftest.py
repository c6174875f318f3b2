"""Helpers for the accounts tests: callers from other client addresses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from tests.support import in_app

__all__ = ("FromIp",)


class FromIp:
    """An HTTP caller of the same app from a given client address."""

    def __init__(self, client: AsyncTestClient[Any], ip: str) -> None:
        self.client = client
        self.ip = ip

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """POST ``url`` as the test client would, but from ``self.ip``."""

        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.client.app, client=(self.ip, 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as http:
                return await http.post(url, **kwargs)

        return await in_app(self.client, call)


@pytest.fixture
def from_ip(client: AsyncTestClient[Any]) -> Callable[[str], FromIp]:
    """``from_ip("10.0.0.7")``: call the app from that address."""
    return lambda ip: FromIp(client, ip)
