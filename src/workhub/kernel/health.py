"""``/health/live`` and ``/health/ready``.

Live says the process answers; ready checks the database, Redis, each
plugin's own checks, and lists plugins left disabled with the reason.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get
from sqlalchemy import text

from workhub.kernel.plugins import Registry

__all__ = ("HealthController", "Readiness")


class CheckResult(msgspec.Struct):
    """One part of readiness."""

    name: str
    ok: bool
    detail: str | None = None


class Readiness(msgspec.Struct):
    """Whether the instance can serve, and why not."""

    status: str
    checks: list[CheckResult]
    plugins: dict[str, str]


class Liveness(msgspec.Struct):
    """The process is up."""

    status: str


class HealthController(Controller):
    """Health endpoints for load balancers and orchestrators."""

    path = "/health"
    tags = ["health"]
    opt = {"public": True}

    @get("/live", operation_id="HealthLive", summary="The process answers")
    async def live(self) -> Liveness:
        """Always ok while the event loop runs."""
        return Liveness(status="ok")

    @get("/ready", operation_id="HealthReady", summary="Database, Redis and plugins are ready")
    async def ready(self, request: Request[Any, Any, Any]) -> Response[Readiness]:
        """200 when every check passes, 503 otherwise."""
        registry: Registry = request.app.state.registry
        runtime = registry.runtime

        async def database() -> None:
            async with runtime.db.get_session() as session:
                await session.execute(text("SELECT 1"))

        async def redis() -> None:
            await runtime.redis.ping()  # type: ignore[misc]  # redis-py stubs

        checks: list[tuple[str, Any]] = [("database", database), ("redis", redis)]
        checks += [(c.name, lambda c=c: c.check(runtime)) for c in registry.health_checks]
        results: list[CheckResult] = []
        for name, fn in checks:
            try:
                await asyncio.wait_for(fn(), timeout=3)
                results.append(CheckResult(name, ok=True))
            except Exception as exc:  # any failure means "not ready"
                results.append(CheckResult(name, ok=False, detail=f"{type(exc).__name__}: {exc}"))
        plugins = {
            s.name: ("enabled" if s.enabled else f"disabled: {s.reason}")
            for s in registry.statuses
            if not s.core
        }
        ok = all(r.ok for r in results)
        return Response(
            Readiness("ok" if ok else "unavailable", results, plugins), status_code=200 if ok else 503
        )
