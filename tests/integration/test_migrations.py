"""The migrations build exactly what the models declare, and undo it cleanly."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from workhub.models import load_all_models
from workhub.settings import Settings


async def test_migrated_schema_matches_the_models(settings: Settings) -> None:
    """Autogenerate finds nothing to do: a model change without its migration fails here."""
    metadata = load_all_models()
    assert settings.database_url
    engine = create_async_engine(settings.database_url)

    def diff(sync_conn: Any) -> list[Any]:
        context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    try:
        async with engine.connect() as conn:
            found = await conn.run_sync(diff)
    finally:
        await engine.dispose()
    assert found == []


async def test_migrations_go_down_to_nothing_and_up_again(settings: Settings) -> None:
    """Every downgrade works, on a scratch database of the same server."""
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from workhub.migrate import alembic_config

    assert settings.database_url
    url = make_url(settings.database_url)
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text("DROP DATABASE IF EXISTS workhub_migrations"))
        await conn.execute(text("CREATE DATABASE workhub_migrations"))
    await admin.dispose()
    scratch = url.set(database="workhub_migrations").render_as_string(hide_password=False)

    def round_trip() -> None:
        from alembic import command

        cfg = alembic_config(scratch)
        command.upgrade(cfg, "head")
        command.downgrade(cfg, "base")
        command.upgrade(cfg, "head")

    await asyncio.to_thread(round_trip)
    engine = create_async_engine(scratch)
    async with engine.connect() as conn:
        tables = set(
            (
                await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            ).scalars()
        )
    await engine.dispose()
    assert {"user_account", "project", "task", "audit_log", "outbox", "notification"} <= tables
