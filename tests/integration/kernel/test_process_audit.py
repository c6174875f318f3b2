"""Every process audits by construction: its sessions carry the transaction listeners of the registry it built.

There is no process-wide switch to forget: a CLI command that builds the
registry and its database (as ``workhub create-admin`` does, without the web
app) writes audit records, and a session opened without a registry's
listeners refuses to publish rather than write a change with no record.
"""

from __future__ import annotations

import asyncio
import sys
from uuid import UUID

import pytest
from sqlalchemy import select

from tests.support import server_env
from workhub.accounts.models import User
from workhub.accounts.schemas import RegisterRequest
from workhub.accounts.services import UserService
from workhub.audit.models import AuditRecord
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import build_db_config, session_scope
from workhub.kernel.events import UnauditedSessionError
from workhub.settings import Settings

CLI_PROCESS = """
import sys
from workhub.cli import main
main(["create-admin", "--email", "root@example.com", "--name", "Root"], standalone_mode=False)
print("workhub.app imported:", "workhub.app" in sys.modules)
"""


async def test_a_cli_process_without_the_web_app_writes_audit_records(settings: Settings) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CLI_PROCESS,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=server_env(settings, WORKHUB_PLUGINS="", WORKHUB_ADMIN_PASSWORD="administrator passphrase"),
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()
    assert "workhub.app imported: False" in out.decode(), out.decode()
    user_id = UUID(out.decode().split("(", 1)[1].split(")", 1)[0])

    assert settings.database_url
    config = build_db_config(settings.database_url, pool_size=1)
    try:
        async with config.get_session() as session:
            records = (
                await session.scalars(select(AuditRecord).where(AuditRecord.entity_id == user_id))
            ).all()
    finally:
        await config.get_engine().dispose()
    assert [(r.action, r.actor_kind, r.actor_name) for r in records] == [("user.registered", "system", "cli")]


async def test_a_session_without_a_registrys_listeners_refuses_to_publish(settings: Settings) -> None:
    assert settings.database_url
    config = build_db_config(settings.database_url, pool_size=1)  # no listeners: read-only use
    try:
        request = RegisterRequest(email="ghost@example.com", password="a long enough password", name="Ghost")
        with acting_as(Actor.system("test")), pytest.raises(UnauditedSessionError):
            async with session_scope(config) as session:
                await UserService(session=session).register(request, role="lead")
        async with config.get_session() as session:  # rolled back: no account without its audit record
            assert (await session.scalars(select(User))).all() == []
            assert (await session.scalars(select(AuditRecord))).all() == []
    finally:
        await config.get_engine().dispose()
