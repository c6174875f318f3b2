"""Start-up plumbing shared by CLI commands: settings with signing keys and servers resolved."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from workhub.kernel.db import session_scope
from workhub.kernel.embedded import EmbeddedServers
from workhub.kernel.i18n import using
from workhub.kernel.keys import KeyRing, ensure_key_file
from workhub.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("open_runtime_session", "resolve_keys", "resolve_servers")

_servers: EmbeddedServers | None = None


def resolve_keys(settings: Settings) -> Settings:
    """Settings with a signing key that may be used, or :class:`InsecureKeyError` saying why there is none.

    ``WORKHUB_SECRET_KEY`` wins; without it, the embedded default (no
    ``WORKHUB_DATABASE_URL``) uses the key file of its data directory, made on
    the first start. Any other server refuses to start without a key.
    """
    if settings.secret_key is None and settings.database_url is None:
        signing, *previous = ensure_key_file(Path(settings.data_dir))
        settings = msgspec.structs.replace(
            settings,
            secret_key=signing,
            previous_secret_keys=",".join(filter(None, [*previous, settings.previous_secret_keys or ""])),
        )
    KeyRing.parse(settings.secret_key, settings.previous_secret_keys)
    return settings


def resolve_servers(
    settings: Settings | None = None, *, keys: bool = False
) -> tuple[Settings, EmbeddedServers]:
    """Settings whose database and Redis URLs are set, starting embedded servers for missing ones.

    ``keys``: a server's start, which also needs its signing keys (:func:`resolve_keys`).
    """
    global _servers
    settings = settings or get_settings()
    if keys:
        settings = resolve_keys(settings)
    if _servers is None:
        _servers = EmbeddedServers.ensure(Path(settings.data_dir), settings.database_url, settings.redis_url)
    resolved = msgspec.structs.replace(
        settings, database_url=_servers.database_url, redis_url=_servers.redis_url
    )
    return resolved, _servers


@asynccontextmanager
async def open_runtime_session() -> AsyncIterator[AsyncSession]:
    """A committed-on-success session on the configured (or embedded) database, in a process built as the app's.

    The session audits (the registry's transaction listeners) and texts come
    from the registry's catalog, as in the web app and the worker.
    """
    settings, _ = resolve_servers()
    from workhub.process import build_registry, process_db_config

    registry = build_registry(settings)
    # Its sessions run the registry's transaction listeners: the command's changes are audited.
    config = process_db_config(settings, registry, pool_size=2)
    try:
        with using(registry.messages):
            async with session_scope(config) as session:
                yield session
    finally:
        await config.get_engine().dispose()
