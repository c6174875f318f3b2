"""The OpenAPI document describes every route: request, response and error schemas."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient


async def test_every_operation_documents_its_body_response_and_errors(client: AsyncTestClient[Any]) -> None:
    resp = await client.get("/schema/openapi.json")
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["openapi"].startswith("3.1")
    problem_ref = "#/components/schemas/Problem"
    assert "Problem" in doc["components"]["schemas"]
    seen = 0
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            if method not in {"get", "post", "patch", "put", "delete"}:
                continue
            seen += 1
            name = f"{method.upper()} {path}"
            assert op.get("operationId"), name
            responses = op["responses"]
            # A browser flow's success is a redirect (signing in through a provider).
            success = [code for code in responses if code.startswith(("2", "302"))]
            assert success, f"{name} documents no success response"
            errors = [code for code in responses if code[0] in "45"]
            assert "429" in errors, name
            for code in errors:
                content = responses[code]["content"]
                assert content["application/problem+json"]["schema"]["$ref"] == problem_ref, (name, code)
            if method in {"post", "patch", "put"} and "requestBody" in op:
                assert op["requestBody"]["content"], name
            if op.get("security") == [{}]:  # public: anonymous callers allowed, 401 only for bad credentials
                assert "401" not in errors or "Not signed in" not in responses["401"]["description"], name
            else:
                assert "401" in errors, f"{name} does not document 401"
            if "{" in path:
                assert "404" in errors, name
    assert seen >= 40


async def test_guarded_routes_document_403_and_404(client: AsyncTestClient[Any]) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    update_task = doc["paths"]["/api/v1/tasks/{task_id}"]["patch"]["responses"]
    assert {"401", "403", "404", "409", "422"} <= set(update_task)
    admin = doc["paths"]["/api/v1/admin/users"]["get"]["responses"]
    assert "403" in admin
    assert doc["paths"]["/api/v1/auth/login"]["post"]["security"] == [{}]
    assert "401" in doc["paths"]["/api/v1/auth/login"]["post"]["responses"]  # a wrong password
    assert "404" in doc["paths"]["/api/v1/calendar/feeds"]["post"]["responses"]  # a project one may not read
    assert "content" not in doc["paths"]["/api/v1/auth/logout"]["post"]["responses"]["204"]
    assert "security" not in doc["paths"]["/api/v1/me"]["get"]  # the document's default: a bearer token
