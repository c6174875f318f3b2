from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from tests.support import PASSWORD, read
from workhub.accounts.models import User

REGISTER = "/api/v1/auth/register"


async def test_register_returns_the_user_without_any_password(client: AsyncTestClient[Any]) -> None:
    resp = await client.post(
        REGISTER, json={"email": "anna@example.com", "password": PASSWORD, "name": "Anna", "locale": "ru"}
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["email"] == "anna@example.com"
    assert body["name"] == "Anna"
    assert body["role"] == "lead"
    assert body["is_active"] is True
    assert body["locale"] == "ru"
    assert body["timezone"] == "Europe/Moscow"
    assert body["reminder_offsets"] == [1440, 60]
    assert not {"password", "password_hash"} & body.keys()
    assert PASSWORD not in resp.text


async def test_email_is_trimmed_and_lower_cased_and_one_address_is_one_account(
    client: AsyncTestClient[Any],
) -> None:
    resp = await client.post(
        REGISTER, json={"email": "  Boris.Petrov@Example.COM ", "password": PASSWORD, "name": " Boris "}
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["email"] == "boris.petrov@example.com"
    assert resp.json()["name"] == "Boris"

    again = await client.post(
        REGISTER, json={"email": "BORIS.petrov@example.com", "password": PASSWORD, "name": "Other"}
    )
    assert again.status_code == 409
    assert again.json()["code"] == "email_unavailable"

    login = await client.post(
        "/api/v1/auth/login", json={"email": " Boris.PETROV@example.com", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text


async def test_password_is_stored_as_an_argon2id_hash(client: AsyncTestClient[Any]) -> None:
    resp = await client.post(REGISTER, json={"email": "hash@example.com", "password": PASSWORD, "name": "H"})
    assert resp.status_code == 201
    stored = await read(
        client, lambda s: s.scalar(select(User.password_hash).where(User.email == "hash@example.com"))
    )
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_short_password_is_refused_on_the_password_field(client: AsyncTestClient[Any]) -> None:
    resp = await client.post(
        REGISTER, json={"email": "short@example.com", "password": "123456789", "name": "S"}
    )
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "weak_password"
    assert [e["field"] for e in body["errors"]] == ["password"]
    # Nothing was created: the address is still free.
    ok = await client.post(
        REGISTER, json={"email": "short@example.com", "password": "1234567890", "name": "S"}
    )
    assert ok.status_code == 201


async def test_password_equal_to_the_email_is_refused(client: AsyncTestClient[Any]) -> None:
    resp = await client.post(
        REGISTER,
        json={"email": "same.as.email@example.com", "password": "Same.As.Email@example.com", "name": "S"},
    )
    assert resp.status_code == 422
    assert [e["field"] for e in resp.json()["errors"]] == ["password"]


async def test_malformed_sign_up_is_a_422_not_a_500(client: AsyncTestClient[Any]) -> None:
    cases: list[Any] = [
        {"email": "not-an-email", "password": PASSWORD, "name": "X"},
        {"email": "x@example.com", "password": PASSWORD, "name": ""},
        {"email": "x@example.com", "password": PASSWORD, "name": "X", "locale": "de"},
        {"email": "x@example.com", "name": "X"},
        ["not", "an", "object"],
    ]
    for payload in cases:
        resp = await client.post(REGISTER, json=payload)
        assert resp.status_code in (400, 422), (payload, resp.status_code, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")


async def test_language_defaults_to_the_browser_language(client: AsyncTestClient[Any]) -> None:
    resp = await client.post(
        REGISTER,
        json={"email": "lang@example.com", "password": PASSWORD, "name": "L"},
        headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"},
    )
    assert resp.status_code == 201
    assert resp.json()["locale"] == "ru"


async def test_sign_up_is_audited_with_the_new_user_as_actor(client: AsyncTestClient[Any]) -> None:
    from workhub.audit.models import AuditRecord

    resp = await client.post(REGISTER, json={"email": "audit@example.com", "password": PASSWORD, "name": "A"})
    user_id = resp.json()["id"]
    records = await read(
        client, lambda s: s.scalars(select(AuditRecord).where(AuditRecord.action == "user.registered"))
    )
    records = list(records)
    assert len(records) == 1
    assert str(records[0].entity_id) == user_id
    assert str(records[0].actor_id) == user_id
    assert PASSWORD not in str(records[0].changes)
