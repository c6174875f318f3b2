"""X-Request-ID: echoed when safe, made up otherwise, carried into the audit log."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.support import Api


async def test_a_safe_request_id_is_echoed(client: AsyncTestClient[Any]) -> None:
    resp = await client.get("/health/live", headers={"X-Request-ID": "lb-7f3a:0001.retry_2"})
    assert resp.status_code == 200
    assert resp.headers["x-request-id"] == "lb-7f3a:0001.retry_2"


async def test_one_is_generated_when_absent_and_differs_per_request(client: AsyncTestClient[Any]) -> None:
    first = (await client.get("/health/live")).headers["x-request-id"]
    second = (await client.get("/health/live")).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


@pytest.mark.parametrize("unsafe", ["has space", "<script>", "x" * 129, "semi;colon", "ünïcode"])
async def test_an_unsafe_request_id_is_replaced(client: AsyncTestClient[Any], unsafe: str) -> None:
    resp = await client.get("/health/live", headers=[(b"X-Request-ID", unsafe.encode())])
    echoed = resp.headers["x-request-id"]
    assert echoed != unsafe
    assert re.fullmatch(r"[0-9a-f]{32}", echoed)


async def test_each_response_carries_exactly_one_request_id(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    for resp in (
        await client.get("/api/v1/me", headers=user.headers),
        await client.get("/api/v1/projects"),  # 401 raised by the auth middleware
        await client.get("/api/v1/projects?limit=0", headers=user.headers),  # 422 from the handler
    ):
        assert len(resp.headers.get_list("x-request-id")) == 1, resp.headers


async def test_the_request_id_is_recorded_in_the_audit_log(client: AsyncTestClient[Any], api: Api) -> None:
    owner = await api.user()
    resp = await client.post(
        "/api/v1/projects",
        json={"key": "AUD", "name": "Audited"},
        headers={**owner.headers, "X-Request-ID": "trace-audit-1"},
    )
    assert resp.status_code == 201, resp.text
    project_id = resp.json()["id"]
    audit = await client.get(f"/api/v1/projects/{project_id}/audit", headers=owner.headers)
    assert audit.status_code == 200, audit.text
    created = [e for e in audit.json()["items"] if e["action"] == "project.created"]
    assert len(created) == 1
    assert created[0]["request_id"] == "trace-audit-1"
    assert created[0]["actor_id"] == str(owner.id)
