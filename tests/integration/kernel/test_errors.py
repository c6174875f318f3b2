"""Every error leaves as problem+json: stable code, translated title, request id, named fields."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.kernel.probe import Probe
from tests.support import Api

PROBLEM = "application/problem+json"


def assert_problem(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith(PROBLEM)
    body = resp.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith(f"/{code}")
    assert body["title"]
    assert body["request_id"] == resp.headers["x-request-id"]
    return body


def fields(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body.get("errors") or []}


async def test_malformed_json_body_is_a_400_naming_the_body(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    resp = await client.post(
        "/api/v1/projects",
        content=b'{"key": "ABC", "name": ',
        headers={**user.headers, "content-type": "application/json"},
    )
    body = assert_problem(resp, 400, "malformed_json")
    assert fields(body) == {"body"}


async def test_wrong_type_names_the_field(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    resp = await client.post("/api/v1/projects", json={"key": 42, "name": "Ops"}, headers=user.headers)
    body = assert_problem(resp, 422, "validation_error")
    assert fields(body) == {"key"}
    assert "str" in body["errors"][0]["message"]


async def test_missing_field_names_the_missing_field(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    resp = await client.post("/api/v1/projects", json={"name": "Ops"}, headers=user.headers)
    body = assert_problem(resp, 422, "validation_error")
    assert fields(body) == {"key"}


async def test_constraint_violation_names_the_field(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    resp = await client.post(
        "/api/v1/projects", json={"key": "not a key!", "name": "Ops"}, headers=user.headers
    )
    assert fields(assert_problem(resp, 422, "validation_error")) == {"key"}


@pytest.mark.parametrize("query", ["limit=abc", "limit=0", "limit=100000"])
async def test_bad_query_parameter_names_it(client: AsyncTestClient[Any], api: Api, query: str) -> None:
    user = await api.user()
    resp = await client.get(f"/api/v1/projects?{query}", headers=user.headers)
    assert fields(assert_problem(resp, 422, "validation_error")) == {"limit"}


async def test_bad_path_uuid_names_the_parameter(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    resp = await client.get("/api/v1/projects/not-a-uuid", headers=user.headers)
    body = assert_problem(resp, 422, "validation_error")
    assert fields(body) == {"project_id"}


async def test_unknown_route_is_a_404_problem_with_request_id(client: AsyncTestClient[Any]) -> None:
    resp = await client.get("/api/v1/no-such-thing", headers={"X-Request-ID": "trace-404"})
    body = assert_problem(resp, 404, "not_found")
    assert body["request_id"] == "trace-404"
    assert body["instance"] == "/api/v1/no-such-thing"


async def test_wrong_method_is_a_405_problem(client: AsyncTestClient[Any]) -> None:
    resp = await client.put("/health/live")
    assert_problem(resp, 405, "method_not_allowed")
    assert "GET" in resp.headers.get("allow", "")


async def test_missing_token_is_a_401_problem(client: AsyncTestClient[Any]) -> None:
    resp = await client.get("/api/v1/projects")
    assert_problem(resp, 401, "not_authenticated")


@pytest.mark.parametrize(
    ("accept", "title"),
    [("ru-RU,ru;q=0.9,en;q=0.5", "Не найдено"), ("en-GB", "Not found"), ("de", "Not found")],
)
async def test_title_follows_accept_language(client: AsyncTestClient[Any], accept: str, title: str) -> None:
    resp = await client.get("/api/v1/no-such-thing", headers={"Accept-Language": accept})
    assert assert_problem(resp, 404, "not_found")["title"] == title


async def test_title_follows_the_users_locale_from_the_token(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user(locale="ru")
    resp = await client.get("/api/v1/projects?limit=0", headers=user.headers)
    assert assert_problem(resp, 422, "validation_error")["title"] == "Запрос содержит ошибки"
    other = await api.user(locale="en")
    resp = await client.get("/api/v1/projects?limit=0", headers=other.headers)
    assert assert_problem(resp, 422, "validation_error")["title"] == "The request is not valid"


async def test_unexpected_exception_is_a_500_revealing_nothing(make_client: Any) -> None:
    client = await make_client(plugins=[Probe()])
    resp = await client.get("/api/v1/integrations/probe/boom", headers={"Accept-Language": "ru"})
    body = assert_problem(resp, 500, "internal_error")
    assert body["title"] == "Внутренняя ошибка сервера"
    assert "hunter2" not in resp.text
    assert "RuntimeError" not in resp.text
    assert "detail" not in body
    assert set(body) == {"type", "title", "status", "code", "instance", "request_id"}
