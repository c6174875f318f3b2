"""The example's event subscriber and health check."""

from __future__ import annotations

from workhub.kernel.plugins import Runtime
from workhub.projects.events import ProjectCreated

__all__ = ("COUNTER_KEY", "check_counter", "count_project", "projects_created")

COUNTER_KEY = "wh:example:projects_created"
"""A Redis set of the ids of ``project.created`` events seen (keys start with the plugin's name)."""


async def count_project(event: ProjectCreated, runtime: Runtime) -> None:
    """Count a created project once, however often the event arrives.

    Delivery is at least once: after a crash the same event can come again.
    Adding the event's id to a set is atomic and repeatable, so the count
    (the size of the set) never counts a repeat.
    """
    await runtime.redis.sadd(COUNTER_KEY, str(event.id))  # type: ignore[misc]  # redis-py stubs


async def projects_created(runtime: Runtime) -> int:
    """How many distinct ``project.created`` events were counted."""
    return int(await runtime.redis.scard(COUNTER_KEY))  # type: ignore[misc]  # redis-py stubs


async def check_counter(runtime: Runtime) -> None:
    """Readiness: the counter can be read (raise to report the plugin as not ready)."""
    await projects_created(runtime)
