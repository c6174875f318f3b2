"""Idempotency-Key on POST: replay, mismatch, in-flight conflict, per-caller scope."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.testing import AsyncTestClient

from tests.integration.kernel.conftest import Serve
from tests.integration.kernel.probe import Probe
from tests.support import Api


async def project_count(client: AsyncTestClient[Any], headers: dict[str, str]) -> int:
    resp = await client.get("/api/v1/projects", headers=headers)
    assert resp.status_code == 200, resp.text
    return len(resp.json()["items"])


async def test_same_key_and_body_replays_the_first_response_once(
    client: AsyncTestClient[Any], api: Api
) -> None:
    owner = await api.user()
    headers = {**owner.headers, "Idempotency-Key": "create-ops-1"}
    body = {"key": "OPS", "name": "Operations"}
    first = await client.post("/api/v1/projects", json=body, headers=headers)
    second = await client.post("/api/v1/projects", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert second.headers["content-type"] == first.headers["content-type"]
    assert second.headers["x-request-id"] != first.headers["x-request-id"]
    assert await project_count(client, owner.headers) == 1
    # Without the header the same body is a new request: the key is taken now.
    again = await client.post("/api/v1/projects", json=body, headers=owner.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "project_key_taken"


async def test_a_replayed_error_is_the_same_error(client: AsyncTestClient[Any], api: Api) -> None:
    owner = await api.user()
    await api.project(owner, key="DUP")
    headers = {**owner.headers, "Idempotency-Key": "dup-1"}
    first = await client.post("/api/v1/projects", json={"key": "DUP", "name": "x"}, headers=headers)
    second = await client.post("/api/v1/projects", json={"key": "DUP", "name": "x"}, headers=headers)
    assert first.status_code == second.status_code == 409
    assert first.json()["code"] == second.json()["code"] == "project_key_taken"
    assert second.headers["idempotent-replayed"] == "true"


async def test_same_key_other_body_is_a_422_mismatch(client: AsyncTestClient[Any], api: Api) -> None:
    owner = await api.user()
    headers = {**owner.headers, "Idempotency-Key": "k-2", "Accept-Language": "ru"}
    first = await client.post("/api/v1/projects", json={"key": "ONE", "name": "One"}, headers=headers)
    assert first.status_code == 201
    other = await client.post("/api/v1/projects", json={"key": "TWO", "name": "Two"}, headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    problem = other.json()
    assert problem["code"] == "idempotency_mismatch"
    assert problem["title"] == "Этот Idempotency-Key уже использован с другим телом запроса"
    assert problem["request_id"] == other.headers["x-request-id"]
    assert await project_count(client, owner.headers) == 1


async def test_a_key_still_running_is_a_409_conflict(serve: Serve) -> None:
    probe = Probe()
    _, client = await serve(plugins=[probe])
    headers = {"Idempotency-Key": "slow-1"}
    first = asyncio.create_task(
        client.post("/api/v1/integrations/probe/wait", json={"text": "hi"}, headers=headers)
    )
    await asyncio.wait_for(probe.entered.wait(), timeout=10)
    during = await client.post("/api/v1/integrations/probe/wait", json={"text": "hi"}, headers=headers)
    assert during.status_code == 409
    assert during.json()["code"] == "idempotency_conflict"
    probe.gate.set()
    done = await asyncio.wait_for(first, timeout=10)
    assert done.status_code == 201
    assert done.json() == {"text": "hi", "calls": 1}
    after = await client.post("/api/v1/integrations/probe/wait", json={"text": "hi"}, headers=headers)
    assert after.json() == {"text": "hi", "calls": 1}
    assert after.headers["idempotent-replayed"] == "true"
    assert probe.calls == 1


async def test_keys_are_scoped_per_caller(client: AsyncTestClient[Any], api: Api) -> None:
    alice, bob = await api.user("Alice"), await api.user("Bob")
    a = await client.post(
        "/api/v1/projects",
        json={"key": "ALI", "name": "A"},
        headers={**alice.headers, "Idempotency-Key": "same"},
    )
    b = await client.post(
        "/api/v1/projects",
        json={"key": "BOB", "name": "B"},
        headers={**bob.headers, "Idempotency-Key": "same"},
    )
    assert a.status_code == b.status_code == 201
    assert "idempotent-replayed" not in b.headers
    assert a.json()["id"] != b.json()["id"]


async def test_a_new_access_token_of_the_same_user_still_replays(
    client: AsyncTestClient[Any], api: Api
) -> None:
    owner = await api.user()
    body = {"key": "TOK", "name": "Tokens"}
    first = await client.post(
        "/api/v1/projects", json=body, headers={**owner.headers, "Idempotency-Key": "refresh-1"}
    )
    fresh = await api.login(owner.email)
    retry = await client.post(
        "/api/v1/projects",
        json=body,
        headers={"Authorization": f"Bearer {fresh['access_token']}", "Idempotency-Key": "refresh-1"},
    )
    assert first.status_code == retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]


async def test_an_overlong_key_is_refused(client: AsyncTestClient[Any], api: Api) -> None:
    owner = await api.user()
    resp = await client.post(
        "/api/v1/projects",
        json={"key": "LNG", "name": "x"},
        headers={**owner.headers, "Idempotency-Key": "k" * 300},
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "Idempotency-Key"
    assert await project_count(client, owner.headers) == 0


async def test_the_same_json_written_differently_is_the_same_body(
    client: AsyncTestClient[Any], api: Api
) -> None:
    owner = await api.user()
    headers = {**owner.headers, "Idempotency-Key": "canon-1", "Content-Type": "application/json"}
    first = await client.post("/api/v1/projects", content=b'{"key": "CAN", "name": "Canon"}', headers=headers)
    second = await client.post(
        "/api/v1/projects", content=b'{\n  "name":"Canon",\n  "key":"CAN"\n}', headers=headers
    )
    assert first.status_code == second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    other = await client.post("/api/v1/projects", content=b'{"name": "Canon", "key": "CAX"}', headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"


async def test_sign_in_with_a_key_keeps_no_token_in_redis(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    headers = {"Idempotency-Key": "login-1"}
    body = {"email": user.email, "password": "correct horse battery"}
    first = await client.post("/api/v1/auth/login", json=body, headers=headers)
    second = await client.post("/api/v1/auth/login", json=body, headers=headers)
    assert first.status_code == second.status_code == 200
    assert "idempotent-replayed" not in second.headers  # a repeat signs in again
    assert second.json()["access_token"] != first.json()["access_token"]
    redis = client.app.state.redis

    async def everything() -> list[bytes]:
        keys = [k async for k in redis.scan_iter("*")]
        return [
            v for k in keys if (await redis.type(k)) == b"string" and (v := await redis.get(k)) is not None
        ]

    from tests.support import in_app

    values = b"".join(await in_app(client, everything))
    for pair in (first.json(), second.json()):
        assert pair["refresh_token"].encode() not in values
        assert pair["access_token"].encode() not in values
