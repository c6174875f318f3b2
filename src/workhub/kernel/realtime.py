"""Realtime delivery without importing Socket.IO: broadcasts, revocations and the broadcaster.

Modules declare which rooms an event goes to with
:meth:`~workhub.kernel.plugins.Registry.add_broadcast`, and which rooms a
user loses with :meth:`~workhub.kernel.plugins.Registry.add_room_revocation`;
the realtime bridge (:func:`install_bridge`, an inline subscriber of the
outbox relay) turns both into emits through ``runtime.broadcaster``: the
Socket.IO server in web processes, a write-only Redis manager in workers
(:mod:`workhub.kernel.sockets`). Code that must push something that is not a
domain event (a job's progress) calls ``runtime.broadcaster.emit``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

import msgspec

from workhub.kernel.permissions import Action

if TYPE_CHECKING:
    from workhub.kernel.events import DomainEvent
    from workhub.kernel.permissions import PermissionTable
    from workhub.kernel.plugins import Registry, Runtime

__all__ = (
    "LEAVE_EVENT",
    "PROJECT_ROOMS",
    "SESSION_END_EVENT",
    "Broadcast",
    "Broadcaster",
    "NullBroadcaster",
    "Revocation",
    "RevokeFn",
    "RoomKind",
    "RoomRevocation",
    "RoomsFn",
    "end_session_sockets",
    "install_bridge",
    "leave_rooms",
    "project_room",
)

RoomsFn = Callable[[Any], Iterable[str]]
"""Rooms (``user:<id>``, ``project:<id>``, ``channel:<id>``, ``job:<id>``) an event goes to."""

LEAVE_EVENT = "workhub:leave"
"""A control emit to ``user:<id>`` that the Socket.IO servers act on instead of forwarding."""
SESSION_END_EVENT = "workhub:session-end"
"""A control emit to ``user:<id>``: close that user's sockets signed in with one access token (``jti``)."""


@dataclass(frozen=True)
class RoomKind:
    """Who may subscribe to ``<kind>:<id>`` rooms: the access scope that resolves the id, and the action it needs.

    Registered with :meth:`~workhub.kernel.plugins.Registry.add_room_kind`;
    the access scope is looked up when a client subscribes, so it may be
    added by another module.
    """

    scope: str
    action: str
    admin_reads: bool = False
    """Whether a system administrator who is not a member may join (as they may read over REST)."""

    def admits(self, permissions: PermissionTable, role: str | None, *, is_admin: bool) -> bool:
        """Whether a caller with ``role`` in the room's project (None: no role) may join."""
        return permissions.allowed(role, self.action, is_admin=is_admin and self.admin_reads)


PROJECT_ROOMS = RoomKind("project", Action.PROJECT_READ, admin_reads=True)
"""``project:<id>``, the kernel's own room kind (every registry has it); modules add theirs."""


@dataclass(frozen=True)
class Broadcast:
    """A domain event that is pushed to the rooms ``rooms(event)`` names."""

    event: str
    rooms: RoomsFn


class Revocation(msgspec.Struct, frozen=True, kw_only=True):
    """A user lost access: their sockets leave ``rooms`` and every room joined through ``project_id``.

    A room "joined through" a project is one whose access check resolved to
    that project: the project room itself and its channels.
    """

    user_id: UUID
    project_id: UUID | None = None
    rooms: tuple[str, ...] = ()


RevokeFn = Callable[[Any], "Revocation | None"]
"""The :class:`Revocation` an event implies, or None when nobody loses access."""


@dataclass(frozen=True)
class RoomRevocation:
    """A domain event after which a user's sockets leave rooms (``revoke(event)``)."""

    event: str
    revoke: RevokeFn


class Broadcaster(Protocol):
    """Emits to Socket.IO rooms from any process."""

    async def emit(self, event: str, data: Any, *, room: str) -> None:
        """Send ``event`` with ``data`` (msgspec-encodable) to everyone in ``room``."""
        ...


class NullBroadcaster:
    """Used until a realtime server is attached (CLI commands, unit tests)."""

    async def emit(self, event: str, data: Any, *, room: str) -> None:
        """Drop the emit."""


def project_room(event: DomainEvent) -> list[str]:
    """``rooms`` for :meth:`~workhub.kernel.plugins.Registry.add_broadcast`: the event's project room."""
    return [f"project:{event.project_id}"] if event.project_id is not None else []


async def leave_rooms(broadcaster: Broadcaster, revocation: Revocation) -> None:
    """Make the user's sockets in every process leave the revoked rooms.

    Travels as a control emit to the user's own room, so it reaches the
    processes holding their sockets the same way an event would; those
    processes act on it and tell each socket ``room.left``.
    """
    await broadcaster.emit(LEAVE_EVENT, revocation, room=f"user:{revocation.user_id}")


async def end_session_sockets(broadcaster: Broadcaster, user_id: UUID, jti: str) -> None:
    """Close, in every process, the sockets that connected with the access token ``jti`` (it was revoked).

    Each is told ``session.ended`` first, so a client knows to sign in again
    rather than reconnect with the same token.
    """
    await broadcaster.emit(SESSION_END_EVENT, {"jti": jti}, room=f"user:{user_id}")


def install_bridge(registry: Registry) -> None:
    """Subscribe one inline handler to every broadcast and revocation the registry holds.

    Inline, because a push is cheap and worth doing only while it is fresh:
    it runs in the outbox relay right after the commit (woken by NOTIFY), so
    the latency is the relay's, with no SAQ job in between. It is best
    effort, like Socket.IO delivery itself: a client that was offline
    re-reads over REST.
    """
    broadcasts: dict[str, list[Broadcast]] = {}
    for item in registry.broadcasts:
        broadcasts.setdefault(item.event, []).append(item)
    revocations: dict[str, list[RoomRevocation]] = {}
    for item in registry.room_revocations:
        revocations.setdefault(item.event, []).append(item)
    tags = set(broadcasts) | set(revocations)
    if not tags:
        return

    async def realtime_bridge(event: DomainEvent, runtime: Runtime) -> None:
        """Emit ``event`` under its tag to its rooms, then apply any revocation it implies."""
        name = event.name
        rooms = list(dict.fromkeys(room for item in broadcasts.get(name, ()) for room in item.rooms(event)))
        if rooms:
            payload = msgspec.to_builtins(event)
            # One emit to all rooms reaches a socket that is in two of them once.
            emit_rooms = getattr(runtime.broadcaster, "emit_rooms", None)
            if emit_rooms is not None:
                await emit_rooms(name, payload, rooms)
            else:
                for room in rooms:
                    await runtime.broadcaster.emit(name, payload, room=room)
        for item in revocations.get(name, ()):
            revocation = item.revoke(event)
            if revocation is not None:
                await leave_rooms(runtime.broadcaster, revocation)

    registry.subscribe(*sorted(tags), handler=realtime_bridge, inline=True)
    # First in line: the relay then pushes before it enqueues the event's jobs.
    registry.subscribers.insert(0, registry.subscribers.pop())
