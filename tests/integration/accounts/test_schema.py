from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from litestar.testing import AsyncTestClient

from tests.integration.accounts.conftest import in_app
from workhub.models import load_all_models

MINE = {"notification", "refresh_token", "user_account"}


def _tables(diff: Any) -> set[str]:
    """Names of this module's tables that an autogenerate diff entry (a tuple, or a list of them) is about."""
    found: set[str] = set()
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item:
            if isinstance(part, str):
                name = part
            elif getattr(part, "table", None) is not None:  # an index, a constraint
                name = part.table.name
            else:  # a table
                name = getattr(part, "name", None) if hasattr(part, "columns") else None
            if name in MINE:
                found.add(name)
    return found


async def test_migrations_build_exactly_the_accounts_and_notification_models(
    client: AsyncTestClient[Any],
) -> None:
    metadata = load_all_models()

    async def diff() -> list[Any]:
        async with client.app.state.db_config.get_engine().connect() as conn:
            return await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), metadata
                )
            )

    mine = [d for d in await in_app(client, diff) if _tables(d)]
    assert mine == []
