"""Realtime delivery without importing Socket.IO: broadcasts and the broadcaster.

Modules declare which rooms an event goes to with
:meth:`~workhub.kernel.plugins.Registry.add_broadcast`; the realtime bridge
(the Socket.IO server in web processes, a write-only Redis manager in
workers) emits them. Code that must push something that is not a domain
event (a job's progress) calls ``runtime.broadcaster.emit``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ("Broadcast", "Broadcaster", "NullBroadcaster", "RoomsFn")

RoomsFn = Callable[[Any], Iterable[str]]
"""Rooms (``user:<id>``, ``project:<id>``, ``channel:<id>``, ``job:<id>``) an event goes to."""


@dataclass(frozen=True)
class Broadcast:
    """A domain event that is pushed to the rooms ``rooms(event)`` names."""

    event: str
    rooms: RoomsFn


class Broadcaster(Protocol):
    """Emits to Socket.IO rooms from any process."""

    async def emit(self, event: str, data: Any, *, room: str) -> None:
        """Send ``event`` with ``data`` (msgspec-encodable) to everyone in ``room``."""
        ...


class NullBroadcaster:
    """Used until a realtime server is attached (CLI commands, unit tests)."""

    async def emit(self, event: str, data: Any, *, room: str) -> None:
        """Drop the emit."""
