"""The audit log is append-only in the database itself, whatever client connects."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.support import Api
from workhub.settings import Settings


def dsn(settings: Settings) -> str:
    assert settings.database_url
    return settings.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET action = 'project.deleted'",
        "UPDATE audit_log SET changes = '{}'::jsonb WHERE action = 'project.created'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "TRUNCATE audit_log CASCADE",
    ],
)
async def test_changing_audit_records_is_refused_by_the_database(
    client: AsyncTestClient[Any], api: Api, settings: Settings, statement: str
) -> None:
    owner = await api.user()
    project = await api.project(owner, key="APP")
    conn = await asyncpg.connect(dsn(settings))
    try:
        before = await conn.fetch("SELECT id, action, changes FROM audit_log ORDER BY id")
        assert any(r["action"] == "project.created" for r in before)
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(statement)
        after = await conn.fetch("SELECT id, action, changes FROM audit_log ORDER BY id")
        assert after == before
        # Appending is still allowed.
        await conn.execute(
            "INSERT INTO audit_log (id, actor_kind, action, entity_type, entity_id, changes)"
            " VALUES (gen_random_uuid(), 'system', 'probe.appended', 'project', $1, '{}'::jsonb)",
            UUID(project["id"]),
        )
        assert await conn.fetchval("SELECT count(*) FROM audit_log") == len(before) + 1
    finally:
        await conn.close()


async def test_the_append_only_rule_holds_inside_a_transaction_too(
    client: AsyncTestClient[Any], api: Api, settings: Settings
) -> None:
    owner = await api.user()
    await api.project(owner, key="TXN")
    conn = await asyncpg.connect(dsn(settings))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with conn.transaction():
                await conn.execute("DELETE FROM audit_log WHERE action = 'project.created'")
        assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'project.created'") == 1
    finally:
        await conn.close()
