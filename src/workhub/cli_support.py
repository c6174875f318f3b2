"""Start-up plumbing shared by CLI commands: settings with servers resolved."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from workhub.kernel.db import build_db_config, session_scope
from workhub.kernel.embedded import EmbeddedServers
from workhub.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("open_runtime_session", "resolve_servers")

_servers: EmbeddedServers | None = None


def resolve_servers(settings: Settings | None = None) -> tuple[Settings, EmbeddedServers]:
    """Settings whose database and Redis URLs are set, starting embedded servers for missing ones."""
    global _servers
    settings = settings or get_settings()
    if _servers is None:
        _servers = EmbeddedServers.ensure(Path(settings.data_dir), settings.database_url, settings.redis_url)
    resolved = msgspec.structs.replace(
        settings, database_url=_servers.database_url, redis_url=_servers.redis_url
    )
    return resolved, _servers


@asynccontextmanager
async def open_runtime_session() -> AsyncIterator[AsyncSession]:
    """A committed-on-success session on the configured (or embedded) database."""
    settings, _ = resolve_servers()
    assert settings.database_url is not None
    from workhub.app import prepare_registry

    prepare_registry(settings)  # audit records are written by its transaction listeners
    config = build_db_config(settings.database_url, pool_size=2)
    try:
        async with session_scope(config) as session:
            yield session
    finally:
        await config.get_engine().dispose()
