"""The migrations build exactly what the task models declare."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from workhub.models import load_all_models
from workhub.settings import Settings

MINE = {"task", "task_comment"}


def _tables(diff: Any) -> set[str]:
    """The task tables an autogenerate diff entry (a tuple, or a list of them) is about."""
    found: set[str] = set()
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item:
            if isinstance(part, str):
                name = part
            elif getattr(part, "table", None) is not None:  # an index, a constraint
                name = part.table.name
            else:
                name = getattr(part, "name", None) if hasattr(part, "columns") else None
            if name in MINE:
                found.add(name)
    return found


async def test_migrations_build_exactly_the_task_models(settings: Settings) -> None:
    metadata = load_all_models()
    assert settings.database_url
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), metadata
                )
            )
    finally:
        await engine.dispose()
    assert [d for d in diff if _tables(d)] == []
