"""A test-only plugin: routes that fail, wait or sleep, a switchable health check, a recording subscriber.

Tests hand it to ``make_client(plugins=[Probe()])``, or install it as a real
entry point (see ``fake_distribution``) to exercise discovery.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, JSONBody

from workhub.kernel.events import DomainEvent
from workhub.kernel.plugins import Registry, Runtime

__all__ = ("DELIVERIES", "NeedsToken", "Probe", "plugin")

DELIVERIES = "probe:deliveries"
"""Redis list: one ``<subscriber>|<event>|<entity_id>|<event id>`` entry per delivery."""


class Echo(msgspec.Struct):
    """What ``POST /wait`` answers."""

    text: str
    calls: int


class Note(msgspec.Struct):
    """The body ``POST /wait`` takes."""

    text: str


class ProbeController(Controller):
    """Mounted at ``/api/v1/integrations/probe``."""

    opt = {"public": True}

    @get("/boom", operation_id="ProbeBoom")
    async def boom(self) -> None:
        """An unexpected error whose message must not leak."""
        raise RuntimeError("password=hunter2 at db.internal:5432")

    @post("/wait", operation_id="ProbeWait")
    async def wait(self, probe: NamedDependency[Probe], data: JSONBody[Note]) -> Echo:
        """Count the call, then hold the request until the test opens the gate."""
        probe.calls += 1
        probe.entered.set()
        await probe.gate.wait()
        return Echo(text=data.text, calls=probe.calls)

    @get("/sleep", operation_id="ProbeSleep")
    async def sleep(self, seconds: FromQuery[float] = 1.0) -> dict[str, float]:
        """A slow request (graceful shutdown must let it finish)."""
        await asyncio.sleep(seconds)
        return {"slept": seconds}


async def record(event: DomainEvent, runtime: Runtime) -> None:
    """Subscriber: append each delivery to a Redis list (no dedupe, so repeats show)."""
    line = f"probe.record|{event.name}|{event.entity_id}|{event.id}"
    await runtime.redis.rpush(DELIVERIES, line)  # type: ignore[misc]  # redis-py stubs


class Probe:
    """A fresh instance per test: its gate and health are its own."""

    name = "probe"
    settings: type[msgspec.Struct] | None = None

    def __init__(self, *, events: tuple[str, ...] = ("project.created",)) -> None:
        self.gate = asyncio.Event()
        self.entered = asyncio.Event()
        self.calls = 0
        self.healthy = True
        self.events = events

    async def check(self, runtime: Runtime) -> None:
        """Health check that fails on demand."""
        if not self.healthy:
            raise RuntimeError("probe upstream is down")

    def setup(self, registry: Registry, settings: Any) -> None:
        """Register the routes, the probe itself as a dependency, a health check and a subscriber."""
        registry.add_routes(ProbeController)
        registry.add_dependency("probe", Provide(lambda: self, sync_to_thread=False))
        registry.add_health_check("upstream", self.check)
        registry.subscribe(*self.events, handler=record)


class TokenSettings(msgspec.Struct):
    """``WORKHUB_NEEDS_TOKEN_TOKEN`` is required."""

    token: str


class NeedsToken:
    """A plugin that cannot work without its settings."""

    name = "needs_token"
    settings: type[msgspec.Struct] | None = TokenSettings

    def setup(self, registry: Registry, settings: TokenSettings) -> None:
        """Nothing to register; loading is what is tested."""


plugin = Probe()
needs_token = NeedsToken()
NOT_A_PLUGIN = object()
