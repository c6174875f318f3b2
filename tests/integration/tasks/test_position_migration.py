"""Migration 0012 places the tasks that existed before it newest first, and undoes cleanly."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from workhub.settings import Settings

SCRATCH = "workhub_position_migration"

_SEED = """
INSERT INTO project (id, key, name, description, task_seq, created_at, updated_at)
VALUES ('01900000-0000-7000-8000-000000000001', 'OLD', 'Old', '', 3, now(), now());
INSERT INTO task (id, project_id, number, title, description, status, overdue, priority, labels,
                  source, version, created_at, updated_at, deleted_at)
SELECT ('01900000-0000-7000-8000-00000000010' || n)::uuid, '01900000-0000-7000-8000-000000000001', n,
       'Task ' || n, '', 'todo', false, 'normal', '{}', 'web', 1, now(), now(),
       CASE WHEN n = 2 THEN now() END
FROM generate_series(1, 3) AS n;
"""


async def test_existing_tasks_get_minus_their_number(settings: Settings) -> None:
    from alembic import command

    from workhub.migrate import alembic_config

    assert settings.database_url
    url = make_url(settings.database_url)
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH}"))
        await conn.execute(text(f"CREATE DATABASE {SCRATCH}"))
    await admin.dispose()
    scratch = url.set(database=SCRATCH).render_as_string(hide_password=False)
    cfg = alembic_config(scratch)
    await asyncio.to_thread(command.upgrade, cfg, "0011")

    engine = create_async_engine(scratch)
    try:
        async with engine.begin() as conn:
            for statement in filter(str.strip, _SEED.split(";")):
                await conn.execute(text(statement))
        await asyncio.to_thread(command.upgrade, cfg, "0012")
        async with engine.connect() as conn:
            rows = list(
                (await conn.execute(text("SELECT number, position FROM task ORDER BY position, id"))).all()
            )
            nullable = await conn.scalar(
                text(
                    "SELECT is_nullable FROM information_schema.columns"
                    " WHERE table_name = 'task' AND column_name = 'position'"
                )
            )
        assert [(r[0], r[1]) for r in rows] == [(3, -3.0), (2, -2.0), (1, -1.0)]
        assert nullable == "NO"
        await asyncio.to_thread(command.downgrade, cfg, "0011")
        async with engine.connect() as conn:
            columns = set(
                (
                    await conn.execute(
                        text("SELECT column_name FROM information_schema.columns WHERE table_name = 'task'")
                    )
                ).scalars()
            )
        assert "position" not in columns and "number" in columns
    finally:
        await engine.dispose()
        admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
        await admin.dispose()
