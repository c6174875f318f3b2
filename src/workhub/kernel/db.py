"""Database access: the model base, the SQLAlchemy config and sessions.

Every model uses advanced-alchemy's UUIDv7 audit base (time-ordered UUID keys,
``created_at``/``updated_at``). Routes get their session from the
advanced-alchemy plugin; jobs, CLI commands and the outbox relay open one with
:func:`session_scope`, so business rules run the same way everywhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import uuid_utils.compat
from advanced_alchemy.base import UUIDv7AuditBase, orm_registry
from advanced_alchemy.extensions.litestar import (
    AlembicAsyncConfig,
    AsyncSessionConfig,
    EngineConfig,
    SQLAlchemyAsyncConfig,
)

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

    from workhub.kernel.events import TransactionListener

__all__ = (
    "TRANSACTION_LISTENERS",
    "Base",
    "build_db_config",
    "driver_connection",
    "metadata",
    "new_id",
    "request_session",
    "session_scope",
    "transaction_connection",
)

Base = UUIDv7AuditBase
"""Base class for every WorkHub model (UUIDv7 ``id``, ``created_at``, ``updated_at``)."""

metadata = orm_registry.metadata

TRANSACTION_LISTENERS = "workhub_transaction_listeners"
"""The ``session.info`` key under which a session carries its registry's transaction listeners."""


def new_id() -> UUID:
    """A time-ordered UUIDv7, for rows whose id is needed before the INSERT."""
    return uuid_utils.compat.uuid7()


def build_db_config(
    url: str,
    *,
    pool_size: int = 20,
    echo: bool = False,
    listeners: Sequence[TransactionListener] | None = None,
) -> SQLAlchemyAsyncConfig:
    """The advanced-alchemy config for ``url`` (``postgresql+asyncpg://``).

    ``listeners`` are the registry's transaction listeners (the audit log):
    every session of the config carries them in its ``info``, and
    :func:`~workhub.kernel.events.publish` runs them. A config built without
    them gives sessions that read, but refuse to publish an event, so no
    process can write a change without its audit record.

    The pool is fixed-size: overflow connections are closed when idle and
    reopened in the next burst, and that churn (a PostgreSQL backend fork per
    connection) cost more than a few idle connections (docs/performance.md).

    Routes commit through the ``autocommit`` before-send handler: a 2xx
    response commits, anything else rolls back, so a failed request leaves no
    half-written rows.

    The keys under which the config keeps its engine, session maker and
    session scope are its own: advanced-alchemy makes a taken key unique by
    recursing once per config ever built in the process, which overflows the
    stack after about a thousand apps (a test run builds more than that).
    """
    own = uuid4().hex
    return SQLAlchemyAsyncConfig(
        connection_string=url,
        session_scope_key=f"_workhub_db_scope_{own}",
        engine_app_state_key=f"workhub_db_engine_{own}",
        session_maker_app_state_key=f"workhub_db_session_maker_{own}",
        engine_config=EngineConfig(pool_size=pool_size, max_overflow=0, pool_pre_ping=False, echo=echo),
        session_config=AsyncSessionConfig(
            expire_on_commit=False,
            info={} if listeners is None else {TRANSACTION_LISTENERS: tuple(listeners)},
        ),
        before_send_handler="autocommit",
        alembic_config=AlembicAsyncConfig(script_location="migrations", version_table_name="alembic_version"),
        set_default_exception_handler=False,
        metadata=metadata,
    )


@asynccontextmanager
async def session_scope(config: SQLAlchemyAsyncConfig) -> AsyncIterator[AsyncSession]:
    """A session that commits when the block succeeds and rolls back otherwise."""
    async with config.get_session() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


def request_session(connection: ASGIConnection[Any, Any, Any, Any]) -> AsyncSession:
    """The request's session, the same one guards and ``db_session`` get.

    For handlers that already take another dependency: Litestar resolves two
    dependencies of one level in an anyio task group per request, which the
    busiest list routes avoid by asking for the session here instead.
    """
    state = connection.app.state
    return state.db_config.provide_session(state, connection.scope)


def engine_of(config: SQLAlchemyAsyncConfig) -> AsyncEngine:
    """The engine behind ``config`` (created on first use)."""
    return config.get_engine()


async def _pooled(session: AsyncSession) -> Any:
    """The pooled connection of the session's current transaction, checked out once for it.

    Remembered in ``session.info`` together with the transaction it belongs
    to: after a commit the session's next transaction may get another
    connection from the pool, so the old one must not be reused.
    """
    transaction = session.sync_session.get_transaction()
    cached = session.info.get("pooled")
    if transaction is not None and cached is not None and cached[0] is transaction:
        return cached[1]
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    session.info["pooled"] = (session.sync_session.get_transaction(), raw)
    return raw


async def driver_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under ``session`` (inside its transaction, if one is open).

    For the hot reads and access checks that skip the ORM: plain SQL on the
    driver sends no ``BEGIN``/``COMMIT`` outside a write. The guard and the
    handler of a request share one checkout.
    """
    return (await _pooled(session)).driver_connection


async def transaction_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under ``session``, inside the session's transaction on the server.

    For the busiest writes (a task's row, outbox and audit records): plain
    SQL on the driver skips SQLAlchemy's per-statement work, which was a
    third of a create's CPU (docs/performance.md), and still commits or rolls
    back with the session. SQLAlchemy's asyncpg adapter sends ``BEGIN`` only
    before the first statement it runs itself, so a statement sent to the
    driver before that would commit on its own; this begins the transaction
    the way the adapter would (its ``_start_transaction``, checked by
    ``tests/integration/kernel/test_transaction_connection.py`` on upgrades).
    """
    raw = await _pooled(session)
    adapter: Any = raw.dbapi_connection
    if adapter._transaction is None:  # private: see the docstring
        await adapter._start_transaction()
    return raw.driver_connection
