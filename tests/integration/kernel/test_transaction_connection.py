"""Plain SQL on the driver commits and rolls back with the session, whichever statement comes first.

:func:`workhub.kernel.db.transaction_connection` begins the session's
transaction the way SQLAlchemy's asyncpg adapter does; if an upgrade changes
the adapter, these tests are the ones that say so. Both it and
:func:`~workhub.kernel.db.driver_connection` hand out the connection of the
session's current transaction, also after the session committed and went on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar
from uuid import uuid4

import pytest
from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from sqlalchemy import text

from workhub.kernel.db import build_db_config, driver_connection, session_scope, transaction_connection
from workhub.kernel.events import DomainEvent, publish
from workhub.settings import Settings


class Probed(DomainEvent, frozen=True, kw_only=True, tag="probe.transaction"):
    """A test event."""

    entity_type: ClassVar[str] = "probe"


_COUNT = "SELECT count(*) FROM outbox WHERE event LIKE 'probe.%'"
_INSERT = "INSERT INTO outbox (event, payload) VALUES ('probe.raw', '{}')"


@pytest.fixture
async def config(settings: Settings) -> AsyncIterator[SQLAlchemyAsyncConfig]:
    """A config of its own with one pooled connection: every session reuses it (publishing, with no listeners)."""
    assert settings.database_url
    config = build_db_config(settings.database_url, pool_size=1, listeners=())
    yield config
    await config.get_engine().dispose()


async def probes(config: SQLAlchemyAsyncConfig) -> int:
    async with config.get_session() as session:
        return int((await session.execute(text(_COUNT))).scalar_one())


async def insert_first_then_roll_back(config: SQLAlchemyAsyncConfig) -> None:
    """A new session whose first statement goes to the driver, then the session's rollback."""
    async with config.get_session() as session:
        connection = await transaction_connection(session)
        assert connection.is_in_transaction()
        await connection.execute(_INSERT)
        await session.rollback()


async def test_a_driver_statement_sent_first_rolls_back_with_the_session(
    config: SQLAlchemyAsyncConfig,
) -> None:
    await insert_first_then_roll_back(config)
    assert await probes(config) == 0


async def test_a_publish_sent_first_commits_with_the_session(config: SQLAlchemyAsyncConfig) -> None:
    async with session_scope(config) as session:
        await publish(session, Probed(entity_id=uuid4()))
        # The session's own statements see the driver's row: one transaction.
        assert (await session.execute(text(_COUNT))).scalar_one() == 1
    assert await probes(config) == 1


async def test_session_and_driver_statements_roll_back_together(config: SQLAlchemyAsyncConfig) -> None:
    async with config.get_session() as session:
        await session.execute(text(_INSERT))
        connection = await transaction_connection(session)
        await connection.execute(_INSERT)
        assert connection is await transaction_connection(session)
        assert (await session.execute(text(_COUNT))).scalar_one() == 2
        await session.rollback()
    assert await probes(config) == 0


async def test_each_session_begins_its_own_transaction(config: SQLAlchemyAsyncConfig) -> None:
    async with session_scope(config) as session:
        await (await transaction_connection(session)).execute(_INSERT)
    # The same pooled connection, after the first commit: a new transaction, rolled back alone.
    await insert_first_then_roll_back(config)
    assert await probes(config) == 1


async def test_after_a_commit_the_driver_is_the_new_transactions(settings: Settings) -> None:
    """A session that commits mid-way and goes on never reads on the connection it gave back."""
    assert settings.database_url
    config = build_db_config(settings.database_url, pool_size=2)
    try:
        async with config.get_session() as first, config.get_session() as other:
            given_back = await driver_connection(first)
            await first.commit()
            await other.execute(text("SELECT 1"))  # the other session now holds that connection
            await first.execute(text("SELECT 1"))  # and the first one's new transaction the second
            current = (await (await first.connection()).get_raw_connection()).driver_connection
            assert current is not given_back
            assert await driver_connection(first) is current
            assert await transaction_connection(first) is current
    finally:
        await config.get_engine().dispose()
