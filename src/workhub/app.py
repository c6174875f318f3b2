"""``create_app()``: the Litestar application with core modules and plugins.

The core modules install through the same :class:`Registry` as plugins do;
the app is then built from what the registry holds. Start-up connects Redis,
binds the runtime, starts the outbox relay and, in ``dev``, the SAQ worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from workhub import __version__
from workhub.kernel import events
from workhub.kernel.errors import exception_handlers
from workhub.kernel.health import HealthController
from workhub.kernel.heap import freeze_startup_objects
from workhub.kernel.idempotency import IdempotencyMiddleware
from workhub.kernel.input_guard import InputGuardMiddleware
from workhub.kernel.middleware import RequestContextMiddleware, parse_networks
from workhub.kernel.openapi import document_problem_responses
from workhub.kernel.plugins import Runtime, WorkhubPlugin
from workhub.kernel.queue import SaqQueue, build_worker, stop_worker
from workhub.kernel.realtime import end_session_sockets
from workhub.kernel.redis import create_redis
from workhub.kernel.security import AuthMiddleware, TokenService, configure_password_hashing
from workhub.kernel.security_headers import security_headers
from workhub.kernel.sockets import ManagerBroadcaster, redis_broadcaster
from workhub.process import build_registry, process_db_config
from workhub.settings import Settings
from workhub.web.docs import OfflineScalar

__all__ = ("build_registry", "create_app")

logger = logging.getLogger("workhub")


def create_app(
    settings: Settings,
    *,
    plugins: Sequence[WorkhubPlugin] | None = None,
    run_worker: bool = False,
    run_relay: bool = True,
) -> Litestar:
    """Build the app for ``settings`` (URLs must be resolved by the caller)."""
    if not settings.database_url or not settings.redis_url:
        raise ValueError("create_app needs database_url and redis_url (see workhub.cli for embedded servers)")
    configure_password_hashing(fast=settings.env == "test")
    trusted_proxies = parse_networks(settings.trusted_proxies)
    registry = build_registry(settings, plugins)
    db_config = process_db_config(settings, registry)
    redis = create_redis(settings.redis_url)
    queue = SaqQueue(settings.redis_url)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        runtime = Runtime(settings=settings, db=db_config, redis=redis, queue=queue)
        # The Socket.IO server's broadcaster when wrapped (workhub.asgi), else a write-only manager.
        broadcaster: ManagerBroadcaster = app.state.broadcaster or redis_broadcaster(str(settings.redis_url))
        runtime.broadcaster = broadcaster
        # A revoked access token closes the sockets it opened, in every process, at once.
        app.state.tokens.on_denied = lambda user: end_session_sockets(broadcaster, user.id, user.jti)
        registry.bind(runtime)
        await queue.connect()
        background: list[asyncio.Task[Any]] = []
        relay = events.OutboxRelay(db_config, registry, queue)
        app.state.relay = relay
        if run_relay:
            background.append(
                asyncio.create_task(
                    relay.run_forever(gather=settings.relay_gather_ms / 1000), name="outbox-relay"
                )
            )
        worker = None
        if run_worker:
            worker = build_worker(queue, registry.jobs, registry.crons, context={"registry": registry})
            background.append(asyncio.create_task(worker.start(), name="saq-worker"))
        for status in registry.statuses:
            if not status.enabled:
                logger.warning("plugin %s is disabled: %s", status.name, status.reason)
        if settings.env != "test":  # tests build many apps in one process
            freeze_startup_objects()
        try:
            yield
        finally:
            if worker is not None:
                await stop_worker(worker)
            for task in background:
                task.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await queue.disconnect()
            await broadcaster.aclose()
            await redis.aclose()
            await db_config.get_engine().dispose()

    route_handlers: list[Any] = [HealthController, *registry.route_handlers]
    for name, handlers in registry.plugin_routes.items():
        route_handlers.append(
            Router(path=f"/api/v1/integrations/{name}", route_handlers=handlers, tags=[name])
        )

    app = Litestar(
        route_handlers=route_handlers,
        dependencies={
            "settings": Provide(lambda: settings, sync_to_thread=False),
            **registry.dependencies,
        },
        plugins=[SQLAlchemyPlugin(config=db_config)],
        middleware=[
            DefineMiddleware(
                RequestContextMiddleware, trusted_proxies=trusted_proxies, messages=registry.messages
            ),
            InputGuardMiddleware,
            DefineMiddleware(IdempotencyMiddleware, redis_getter=lambda: redis),
            DefineMiddleware(AuthMiddleware, exclude_from_auth_key="public", exclude=["/schema"]),
        ],
        exception_handlers=exception_handlers(),
        openapi_config=OpenAPIConfig(
            title="WorkHub API",
            version=__version__,
            path="/schema",
            render_plugins=[OfflineScalar()],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
            ),
            security=[{"bearer": []}],
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=2048),
        before_send=[security_headers],
        lifespan=[lifespan],
        debug=False,
    )
    document_problem_responses(app)
    app.state.settings = settings
    app.state.registry = registry
    app.state.registry_access_scopes = registry.access_scopes
    app.state.db_config = db_config
    app.state.redis = redis
    app.state.queue = queue
    app.state.tokens = TokenService(settings, redis)
    app.state.broadcaster = None
    return app
