"""The app the benchmark serves: ``granian --interface asgi --factory bench.server:create_bench_app``.

The production app plus :class:`bench.plugin.BenchPlugin`; settings come from
``WORKHUB_*`` variables set by :mod:`bench.run` (both URLs must be given).

``WORKHUB_BENCH_EXPERIMENTS`` (comma-separated, for investigations only;
the recorded results use none) changes one thing to measure what it costs:

* ``relay``: the outbox relay also runs in the web process (``workhub run``
  leaves it to ``workhub worker``; ``workhub dev`` runs both in one process);
* ``gc-freeze``: ``gc.freeze()`` once the app is built (the app now does
  this itself at start-up, so this switch only repeats it);
* ``pool-20``: a database pool of 20 connections (now the default size);
* ``auth-unbatched``: every request runs its own Redis auth check, as before
  concurrent requests shared one call (:mod:`workhub.kernel.script_batch`);
* ``guard-query``: ``in_statement`` guards send their own access query and
  decide before the handler, as before the project task list's page
  brought the caller's role along (the page still carries it, unused);
* ``gc-young-50k``: the collector's first generation at 50,000 allocations
  instead of 700;
* ``no-outbox-notify``: the outbox's insert trigger is disabled, so commits
  send no ``NOTIFY`` (PostgreSQL serialises committing transactions that
  notify); every other run enables it again at start-up.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from typing import TYPE_CHECKING, Any

import asyncpg
import msgspec

from bench.plugin import BenchPlugin
from workhub.asgi import create_asgi
from workhub.settings import get_settings

if TYPE_CHECKING:
    import socketio

__all__ = ("EXPERIMENTS", "create_bench_app")

EXPERIMENTS = (
    "relay",
    "gc-freeze",
    "pool-20",
    "auth-unbatched",
    "guard-query",
    "gc-young-50k",
    "no-outbox-notify",
)


def create_bench_app() -> socketio.ASGIApp:
    """The served app with the bench plugin, as ``workhub run`` serves it (behind Socket.IO; the worker relays)."""
    settings = get_settings()
    experiments = {e for e in os.environ.get("WORKHUB_BENCH_EXPERIMENTS", "").split(",") if e}
    unknown = experiments - set(EXPERIMENTS)
    if unknown:
        raise ValueError(f"unknown WORKHUB_BENCH_EXPERIMENTS: {', '.join(sorted(unknown))}")
    if "auth-unbatched" in experiments:
        _unbatched_auth()
    if "guard-query" in experiments:
        _guard_queries()
    if "pool-20" in experiments:
        settings = msgspec.structs.replace(settings, db_pool_size=20)
    asyncio.run(_outbox_notify(settings.database_url, enabled="no-outbox-notify" not in experiments))
    app = create_asgi(
        settings,
        plugins=[BenchPlugin(pool_size=settings.db_pool_size)],
        run_relay="relay" in experiments,
    )
    if "gc-young-50k" in experiments:
        gc.set_threshold(50_000, 10, 10)
    if "gc-freeze" in experiments:
        gc.collect()
        gc.freeze()
    return app


_SINGLE_CHECK = """
local denied = redis.call('EXISTS', KEYS[1])
local cut = redis.call('GET', KEYS[2])
local count = redis.call('INCR', KEYS[3])
if count == 1 then redis.call('EXPIRE', KEYS[3], 61) end
return {denied, cut, count}
"""


async def _outbox_notify(database_url: str | None, *, enabled: bool) -> None:
    """Enable or disable the outbox's NOTIFY trigger (each run sets it, as runs alternate on one database)."""
    assert database_url
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        action = "ENABLE" if enabled else "DISABLE"
        await connection.execute(f"ALTER TABLE outbox {action} TRIGGER outbox_notify")
    finally:
        await connection.close()


def _unbatched_auth() -> None:
    """Authenticate as before the shared script calls: one ``EVALSHA`` per request (same checks)."""
    from workhub.kernel import security

    scripts: dict[int, Any] = {}

    async def authenticate(self: security.TokenService, token: str) -> security.CurrentUser:
        user, issued_at = self.decode(token)
        window = int(time.time()) // 60
        keys = (f"wh:deny:{user.jti}", f"wh:cut:{user.id}", f"wh:rate:user:{user.id}:{window}")
        script = scripts.get(id(self)) or scripts.setdefault(
            id(self), self.redis.register_script(_SINGLE_CHECK)
        )
        denied, cut, count = await script(keys=keys)
        if denied or (cut is not None and issued_at <= float(cut)):
            raise security.Unauthorized("The access token was revoked.", code="token_revoked")
        if int(count) > self.settings.user_rate:
            raise security.RateLimited(headers={"Retry-After": "60"})
        return user

    security.TokenService.authenticate = authenticate  # type: ignore[method-assign]


def _guard_queries() -> None:
    """``in_statement`` guards query and decide up front; the handler's settling changes nothing."""
    from workhub.kernel import guards

    class Settled(guards.PendingAccess):
        def settle(self, found: guards.Access | None) -> guards.Access:
            return self._state.access

        async def resolve(self, session: Any) -> guards.Access:
            return self._state.access

    async def call(self: guards.ProjectGuard, connection: Any, _: Any) -> None:
        state = connection.app.state
        resolver = state.registry_access_scopes[self.scope]
        object_id = connection.path_params[self.param]
        session = state.db_config.provide_session(state, connection.scope)
        connection.state.access = self.decide(
            await resolver(session, object_id, connection.user.id), connection.user
        )
        if self.in_statement:
            connection.state.pending_access = Settled(
                self, resolver, object_id, connection.user, connection.state
            )

    guards.ProjectGuard.__call__ = call  # type: ignore[method-assign]
