"""Input no route can store or parse answers a 4xx problem naming the field, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.support import Api


def assert_problem(resp: Any, status: int, code: str, field: str | None = None) -> None:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["code"] == code
    if field is not None:
        assert [e["field"] for e in body["errors"]] == [field], body


@pytest.fixture
async def owner_project(client: AsyncTestClient[Any], api: Api) -> tuple[Any, dict[str, Any]]:
    owner = await api.user("Owner")
    return owner, await api.project(owner, key="NUL")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("tasks", {"title": "bad\u0000title"}, "title"),
        ("tasks", {"title": "ok", "labels": ["fine", "bad\u0000"]}, "labels[1]"),
        ("tasks", {"title": "ok", "description": "x\u0000y"}, "description"),
        ("channels", {"name": "ch\u0000an"}, "name"),
    ],
)
async def test_a_nul_in_any_string_is_a_422_naming_it(
    client: AsyncTestClient[Any], owner_project: tuple[Any, dict[str, Any]], path: str, body: Any, field: str
) -> None:
    owner, project = owner_project
    resp = await client.post(f"/api/v1/projects/{project['id']}/{path}", json=body, headers=owner.headers)
    assert_problem(resp, 422, "validation_error", field)


async def test_nul_in_names_and_sign_in_fields_without_signing_in(
    client: AsyncTestClient[Any], api: Api
) -> None:
    user = await api.user()
    assert_problem(
        await client.patch("/api/v1/me", json={"name": "A\u0000"}, headers=user.headers),
        422,
        "validation_error",
        "name",
    )
    assert_problem(
        await client.post("/api/v1/auth/login", json={"email": "a\u0000@example.com", "password": "x"}),
        422,
        "validation_error",
        "email",
    )
    assert_problem(
        await client.post(
            "/api/v1/auth/register",
            json={"email": "b@example.com", "password": "long enough pw", "name": "\u0000"},
        ),
        422,
        "validation_error",
        "name",
    )
    assert_problem(
        await client.get("/api/v1/tasks", params={"q": "a\u0000b"}, headers=user.headers),
        422,
        "validation_error",
        "q",
    )
    # A literal backslash-u sequence is text, not a NUL.
    fine = await client.patch("/api/v1/me", json={"name": "C:\\u0000 path"}, headers=user.headers)
    assert fine.status_code == 200 and fine.json()["name"] == "C:\\u0000 path"


async def test_a_body_that_is_not_utf8_is_a_400(client: AsyncTestClient[Any], api: Api) -> None:
    user = await api.user()
    resp = await client.patch(
        "/api/v1/me",
        content=b'{"name": "\xff\xfe"}',
        headers={**user.headers, "Content-Type": "application/json"},
    )
    assert_problem(resp, 400, "malformed_json", "body")


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 5_000 + b"1" + b"}" * 5_000])
async def test_deeply_nested_json_is_a_400(client: AsyncTestClient[Any], api: Api, body: bytes) -> None:
    user = await api.user()
    resp = await client.patch(
        "/api/v1/me", content=body, headers={**user.headers, "Content-Type": "application/json"}
    )
    assert_problem(resp, 400, "malformed_json", "body")
    unauthenticated = await client.post(
        "/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert_problem(unauthenticated, 400, "malformed_json", "body")


async def test_brackets_inside_strings_are_text(
    client: AsyncTestClient[Any], owner_project: tuple[Any, dict[str, Any]]
) -> None:
    owner, project = owner_project
    text = "[[[{{{" * 20
    resp = await client.post(
        f"/api/v1/projects/{project['id']}/tasks",
        json={"title": "Brackets", "description": text},
        headers=owner.headers,
    )
    assert resp.status_code == 201 and resp.json()["description"] == text


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/admin/users",
        "/api/v1/admin/audit",
        "/api/v1/admin/jobs/failed",
        "/api/v1/projects/0191b3a4-0000-7000-8000-000000000000",
    ],
)
async def test_options_answers_without_credentials(client: AsyncTestClient[Any], path: str) -> None:
    resp = await client.options(path)
    assert resp.status_code == 204, resp.text
    assert "OPTIONS" in resp.headers["allow"]
