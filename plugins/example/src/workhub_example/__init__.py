"""The smallest complete WorkHub plugin: one route and one event subscriber.

Copy this folder to start a plugin of your own (see ``docs/plugins.md``).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get

from workhub.kernel.plugins import Registry, Runtime

__all__ = ("ExamplePlugin", "ExampleSettings", "plugin")

COUNTER_KEY = "wh:example:projects_created"


class ExampleSettings(msgspec.Struct):
    """Read from ``WORKHUB_EXAMPLE_*``; every field has a default, so it is always complete."""

    greeting: str = "Hello from a WorkHub plugin"


class Greeting(msgspec.Struct):
    """What the route answers."""

    message: str
    projects_created: int


async def count_project(event: Any, runtime: Runtime) -> None:
    """Subscriber: count created projects (idempotent per event id)."""
    if await runtime.redis.sadd(f"{COUNTER_KEY}:seen", str(event.id)):  # type: ignore[misc]  # redis-py stubs
        await runtime.redis.incr(COUNTER_KEY)


class ExampleController(Controller):
    """Mounted at ``/api/v1/integrations/example``."""

    tags = ["example"]

    @get("/hello", operation_id="ExampleHello", opt={"public": True})
    async def hello(self, settings_example: ExampleSettings, runtime_example: Runtime) -> Greeting:
        """Greet, and tell how many projects were created since the plugin was installed."""
        count = int(await runtime_example.redis.get(COUNTER_KEY) or 0)
        return Greeting(message=settings_example.greeting, projects_created=count)


class ExamplePlugin:
    """Registers the route, its dependencies and the subscriber."""

    name = "example"
    settings: type[msgspec.Struct] | None = ExampleSettings

    def setup(self, registry: Registry, settings: Any) -> None:
        """Called once at start-up with this plugin's settings."""
        from litestar.di import Provide

        registry.add_routes(ExampleController)
        registry.add_dependency("settings_example", Provide(lambda: settings, sync_to_thread=False))
        registry.add_dependency("runtime_example", Provide(lambda: registry.runtime, sync_to_thread=False))
        registry.subscribe("project.created", handler=count_project)


plugin = ExamplePlugin()
