"""Shared test fixtures: real PostgreSQL and Redis (embedded unless URLs are given).

The schema is built once per run by the real migrations; every test starts
from empty tables and an empty Redis, and with the clock where the run
started it (``WORKHUB_CLOCK_OFFSET`` moves the whole run: ``make test`` runs
the time-sensitive modules a second time a year ahead). ``client`` is an app with no installed
plugin: a test that wants plugins names them with ``make_client(plugins=...)``.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from saq import Worker
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

os.environ.setdefault("WORKHUB_ENV", "test")
logging.getLogger("pgserver").setLevel(logging.WARNING)

from tests.support import Api, Deliver, in_app  # noqa: E402  (after the environment is set)
from workhub.app import create_app  # noqa: E402
from workhub.kernel.clock import clock  # noqa: E402
from workhub.kernel.embedded import start_postgres, start_redis, stop_server  # noqa: E402
from workhub.kernel.i18n import Catalog, use_catalog, using  # noqa: E402
from workhub.process import build_registry  # noqa: E402
from workhub.settings import Settings  # noqa: E402

TIME_SENSITIVE = re.compile(r"\bclock\b|datetime|time\.time\(|\b20\d\d-[01]\d-[0-3]\d")
"""What marks a test module as touching time: the clock, datetimes, wall-clock seconds or a calendar date."""
E2E = Path(__file__).resolve().parent / "e2e"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "time_sensitive: the module touches time; `make test` runs it again with the clock a year ahead",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of a module whose source touches time (so none can be forgotten).

    The end-to-end tests are left out: the browser keeps the machine's clock,
    so moving only the server's a year ahead would test a page and a server
    that disagree about today, which no user meets.
    """
    seen: dict[Path, bool] = {}
    for item in items:
        path = Path(item.path)
        if path not in seen:
            seen[path] = E2E not in path.parents and bool(
                TIME_SENSITIVE.search(path.read_text(encoding="utf-8"))
            )
        if seen[path]:
            item.add_marker(pytest.mark.time_sensitive)


@pytest.fixture(autouse=True)
def restore_clock() -> Iterator[None]:
    """Tests that move the clock leave it where the run started it."""
    yield
    clock.reset()


@pytest.fixture(scope="session")
def core_messages() -> Catalog:
    """The texts of a process built with the core registry (no plugins)."""
    return build_registry(Settings(env="test"), plugins=[]).messages


@pytest.fixture(autouse=True)
def core_texts(core_messages: Catalog) -> Iterator[None]:
    """A test translates as a process with the core registry does (an app's requests and jobs use their own)."""
    with using(core_messages):
        yield


@pytest.fixture(scope="session")
def servers() -> Iterator[tuple[str, str]]:
    """Database and Redis URLs for the run; embedded servers live for the session."""
    handles: list[Any] = []
    tmp = Path(tempfile.mkdtemp(prefix="workhub-test-"))
    db_url = os.environ.get("WORKHUB_TEST_DATABASE_URL")
    redis_url = os.environ.get("WORKHUB_TEST_REDIS_URL")
    if not db_url:
        pg, db_url = start_postgres(tmp / "pg", database="workhub_test")
        handles.append(pg)
    if not redis_url:
        rd, redis_url = start_redis(tmp / "redis")
        handles.append(rd)
    from workhub.migrate import upgrade

    upgrade(db_url)
    yield db_url, redis_url
    for handle in reversed(handles):
        stop_server(handle)


@pytest.fixture(scope="session")
def settings(servers: tuple[str, str]) -> Settings:
    """Settings pointing at the test servers, with limits high enough for tests."""
    db_url, redis_url = servers
    return Settings(
        env="test",
        database_url=db_url,
        redis_url=redis_url,
        secret_key="test-secret-key-0123456789abcdef-0123456789",
        login_rate=1000,
        register_rate=1000,
        user_rate=100_000,
        db_pool_size=5,
    )


@pytest.fixture(autouse=True)
async def clean_state(settings: Settings) -> None:
    """Empty every table (the audit trigger bypassed) and Redis before each test."""
    from redis.asyncio import Redis

    assert settings.database_url and settings.redis_url
    engine = create_async_engine(settings.database_url)
    async with engine.begin() as conn:
        await conn.execute(text("SET session_replication_role = replica"))
        tables = (
            await conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            )
        ).scalars()
        names = ", ".join(f'"{t}"' for t in tables)
        if names:
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    redis = Redis.from_url(settings.redis_url)
    await redis.flushdb()
    await redis.aclose()


ClientFactory = Callable[..., Awaitable[AsyncTestClient[Any]]]


@pytest.fixture
async def make_client(settings: Settings) -> AsyncIterator[ClientFactory]:
    """Build a client for an app with overridden settings and named plugins."""
    clients: list[AsyncTestClient[Any]] = []

    async def factory(
        *, plugins: list[Any] | None = None, run_relay: bool = False, **overrides: Any
    ) -> AsyncTestClient[Any]:
        app = create_app(
            msgspec.structs.replace(settings, **overrides), plugins=plugins or [], run_relay=run_relay
        )
        client = AsyncTestClient(app, raise_server_exceptions=False)
        await client.__aenter__()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.__aexit__(None, None, None)


@pytest.fixture
async def client(make_client: ClientFactory) -> AsyncTestClient[Any]:
    """A client for the core app (no plugins, no background relay)."""
    return await make_client()


@pytest.fixture
def api(client: AsyncTestClient[Any]) -> Api:
    """Helpers that sign users up and in through the real API."""
    return Api(client)


@pytest.fixture
def deliver(client: AsyncTestClient[Any]) -> Deliver:
    """Relay the outbox, then run the enqueued SAQ jobs with a real worker until the queue is empty.

    This is the production path of a subscriber (outbox → relay → SAQ job →
    ``deliver_event`` → handler), driven step by step instead of by the
    background loops. Returns how many events were relayed.
    """
    return deliver_for(client)


def deliver_for(client: AsyncTestClient[Any]) -> Deliver:
    """What the ``deliver`` fixture does, for any client (one made by ``make_client`` with plugins)."""
    app = client.app

    async def run() -> int:
        relayed = 0
        while moved := await app.state.relay.run_once():
            relayed += moved
        registry = app.state.registry

        async def startup(ctx: Any) -> None:
            ctx["registry"] = registry
            use_catalog(registry.messages)  # as build_worker's start-up does

        worker = Worker(
            app.state.queue.saq,
            functions=list(registry.jobs.items()),
            startup=startup,
            burst=True,
            dequeue_timeout=0.2,
            shutdown_grace_period_s=0,  # only the upkeep loops are left when a burst ends
        )
        worker.SIGNALS = []  # the app's loop runs in a thread, where signal handlers cannot be set
        await worker.start()
        return relayed

    return lambda: in_app(client, run)
