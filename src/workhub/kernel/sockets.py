"""The Socket.IO server: token-checked connections, permission-checked rooms, emits across processes.

:class:`SocketServer` wraps the Litestar app (``/socket.io`` is served by the
same ASGI app; lifespan events pass through to Litestar). A client connects
with ``auth: {token}``; its socket joins ``user:<id>`` and may ``subscribe``
to ``project:`` rooms and those of the kinds modules registered
(``channel:``, ``job:``; :meth:`~workhub.kernel.plugins.Registry.add_room_kind`)
after the same access check the REST guards make (the registry's access
scopes and permission table).

Every web process uses a Redis client manager, so an emit from any process
reaches sockets held by any other; workers emit through a write-only manager
(:func:`redis_broadcaster`). Socket.IO is imported only here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

import engineio.packet
import msgspec
import socketio
import socketio.packet
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from workhub.kernel.errors import AppError
from workhub.kernel.i18n import negotiate
from workhub.kernel.realtime import LEAVE_EVENT, SESSION_END_EVENT

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig

    from workhub.kernel.i18n import Catalog
    from workhub.kernel.plugins import Registry
    from workhub.kernel.realtime import RoomKind
    from workhub.kernel.security import CurrentUser, TokenService
    from workhub.settings import Settings

__all__ = ("CHANNEL", "ManagerBroadcaster", "SocketServer", "parse_room", "redis_broadcaster")

logger = logging.getLogger("workhub.realtime")

CHANNEL = "workhub:socketio"
"""The Redis pub/sub channel every process's manager shares."""

NAMESPACE = "/"


class ManagerBroadcaster:
    """A :class:`~workhub.kernel.realtime.Broadcaster` over a Socket.IO server's or manager's ``emit``."""

    def __init__(
        self,
        emit: Callable[..., Awaitable[Any]],
        close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._emit = emit
        self._close = close

    async def emit(self, event: str, data: Any, *, room: str) -> None:
        """Send ``event`` to ``room`` in whichever process holds its sockets."""
        await self._emit(event, msgspec.to_builtins(data), room=room)

    async def emit_rooms(self, event: str, data: Any, rooms: list[str]) -> None:
        """Send ``event`` once to every socket in any of ``rooms`` (a socket in two of them gets it once)."""
        await self._emit(event, msgspec.to_builtins(data), room=list(rooms))

    async def aclose(self) -> None:
        """Release the manager's Redis connection."""
        if self._close is not None:
            await self._close()


def redis_broadcaster(redis_url: str) -> ManagerBroadcaster:
    """The broadcaster of a process without a Socket.IO server (the worker): a write-only manager."""
    manager = socketio.AsyncRedisManager(redis_url, channel=CHANNEL, write_only=True, logger=logger)

    async def emit(event: str, data: Any, *, room: str | list[str]) -> None:
        await manager.emit(event, data, namespace=NAMESPACE, room=room)

    async def close() -> None:
        if manager.redis is not None:
            await manager.redis.aclose()

    return ManagerBroadcaster(emit, close)


class _Manager(socketio.AsyncRedisManager):
    """The Redis manager of a web process, which acts on leave controls instead of forwarding them."""

    def __init__(
        self, url: str, controls: dict[str, Callable[[str, dict[str, Any]], Awaitable[None]]]
    ) -> None:
        super().__init__(url, channel=CHANNEL, logger=logger)
        self._controls = controls

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        """Local and remote emits both pass here: act on control emits, fan out plain emits fast."""
        control = self._controls.get(message.get("event") or "")
        if control is None:
            if not await self._fan_out(message):
                await super()._handle_emit(message)
            return
        data = message.get("data")
        if isinstance(data, list) and data:
            data = data[0]
        room = message.get("room")
        if isinstance(data, dict) and isinstance(room, str):
            await control(room, data)

    async def _fan_out(self, message: dict[str, Any]) -> bool:
        """Queue one encoded packet on every local socket of the room; False to leave it to the library.

        The library creates a task per recipient to do the same; with a
        thousand sockets in a project room that was most of an emit's cost.
        Only plain emits (no ack, no binary) to a room take this path.
        """
        data = message.get("data")
        room = message.get("room")
        server = self.server
        sockets = getattr(getattr(server, "eio", None), "sockets", None)
        if (
            server is None
            or message.get("callback") is not None
            or message.get("binary")
            or not (isinstance(room, str) or (isinstance(room, list) and room))
            or not isinstance(data, list)
            or len(data) != 1
            or not isinstance(sockets, dict)
        ):
            return False
        namespace = message.get("namespace") or NAMESPACE
        if namespace not in self.rooms:
            return True
        skip = message.get("skip_sid")
        skip_sids = set(skip) if isinstance(skip, list) else {skip}
        encoded = server.packet_class(
            socketio.packet.EVENT, namespace=namespace, data=[message["event"], data[0]]
        ).encode()
        if not isinstance(encoded, str):
            return False
        eio_packet = engineio.packet.Packet(engineio.packet.MESSAGE, encoded)
        for sid, eio_sid in list(self.get_participants(namespace, room)):
            socket = sockets.get(eio_sid)
            if sid not in skip_sids and socket is not None and not socket.closed:
                socket.queue.put_nowait(eio_packet)
        return True

    async def aclose(self) -> None:
        """Stop listening to Redis (at shutdown)."""
        thread = getattr(self, "thread", None)
        if isinstance(thread, asyncio.Task):
            thread.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await thread
        if self.redis is not None:
            with contextlib.suppress(Exception):
                await self.redis.aclose()


@dataclass
class _Connection:
    """What the server remembers about one socket."""

    user: CurrentUser
    token: str
    rooms: dict[str, UUID | None] = field(default_factory=dict)
    """Joined rooms → the project their access check resolved to (for revocation by project)."""
    expiry: asyncio.TimerHandle | None = None


def parse_room(room: Any, kinds: Mapping[str, RoomKind]) -> tuple[str, UUID] | None:
    """``("project", id)`` for ``"project:<id>"``; None for anything but a room of one of ``kinds``."""
    if not isinstance(room, str):
        return None
    kind, _, raw = room.partition(":")
    if kind not in kinds:
        return None
    try:
        return kind, UUID(raw)
    except ValueError:
        return None


def _answer(code: str, locale: str | None, messages: Catalog) -> dict[str, Any]:
    """A refusal as the client receives it: a stable code and a message in the user's language."""
    return {"ok": False, "code": code, "message": messages.translate(f"realtime.{code}", locale)}


_TOKEN_CODES = frozenset({"token_invalid", "token_expired", "token_revoked", "rate_limited"})


class SocketServer:
    """The Socket.IO server of a web process and its handlers."""

    def __init__(
        self,
        settings: Settings,
        *,
        registry: Registry,
        tokens: TokenService,
        db: SQLAlchemyAsyncConfig,
    ) -> None:
        assert settings.redis_url
        self.registry = registry
        self.tokens = tokens
        self.db = db
        self.connections: dict[str, _Connection] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        origins = settings.socket_cors_origins
        cors: str | list[str] | None = None
        if origins is not None:
            cors = "*" if origins.strip() == "*" else [o.strip() for o in origins.split(",") if o.strip()]
        self.manager = _Manager(
            settings.redis_url, {LEAVE_EVENT: self._on_leave, SESSION_END_EVENT: self._on_session_end}
        )
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=self.manager,
            cors_allowed_origins=cors,
            ping_interval=settings.socket_ping_interval,
            ping_timeout=settings.socket_ping_timeout,
        )
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)
        self.sio.on("subscribe", self._subscribe)
        self.sio.on("unsubscribe", self._unsubscribe)
        self.broadcaster = ManagerBroadcaster(self.sio.emit, self.aclose)

    def asgi(self, app: Any) -> socketio.ASGIApp:
        """``app`` with ``/socket.io`` in front; no start-up hooks here, so Litestar's lifespan runs."""
        return socketio.ASGIApp(self.sio, other_asgi_app=app)

    async def aclose(self) -> None:
        """Stop timers and the Redis listener (at shutdown)."""
        for connection in self.connections.values():
            if connection.expiry is not None:
                connection.expiry.cancel()
        await self.manager.aclose()

    # --- handlers ----------------------------------------------------------

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any) -> None:
        """Accept a valid, unrevoked access token; refuse anything else with a code and a message."""
        auth = auth if isinstance(auth, dict) else {}
        locale = negotiate(environ.get("HTTP_ACCEPT_LANGUAGE"), auth.get("locale"))
        token = auth.get("token")
        if not isinstance(token, str) or not token:
            raise self._refusal("token_missing", locale)
        try:
            user = await self.tokens.authenticate(token)
        except AppError as exc:
            raise self._refusal(exc.code if exc.code in _TOKEN_CODES else "token_invalid", locale) from None
        connection = _Connection(user=user, token=token)
        self.connections[sid] = connection
        await self.sio.enter_room(sid, f"user:{user.id}")
        delay = max(0.0, user.exp - time.time())
        connection.expiry = asyncio.get_running_loop().call_later(delay, self._expire_now, sid)

    def _answer(self, code: str, locale: str | None) -> dict[str, Any]:
        return _answer(code, locale, self.registry.messages)

    def _refusal(self, code: str, locale: str | None) -> SocketRefused:
        answer = self._answer(code, locale)
        return SocketRefused(answer["message"], {"code": code, "message": answer["message"]})

    async def _disconnect(self, sid: str, reason: Any = None) -> None:
        connection = self.connections.pop(sid, None)
        if connection is not None and connection.expiry is not None:
            connection.expiry.cancel()

    async def _subscribe(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Join a room after the REST permission check; the ack says whether it worked."""
        connection = self.connections.get(sid)
        if connection is None:
            return self._answer("token_invalid", None)
        locale = connection.user.locale
        room = data.get("room") if isinstance(data, dict) else None
        target = parse_room(room, self.registry.room_kinds)
        if target is None:
            return self._answer("room_invalid", locale)
        kind, object_id = target
        spec = self.registry.room_kinds[kind]
        resolver = self.registry.access_scopes.get(spec.scope)
        if resolver is None:
            return self._answer("room_invalid", locale)
        try:  # a token revoked since connecting (sign-out, deactivation) joins nothing more
            await self.tokens.authenticate(connection.token)
        except AppError as exc:
            return self._answer(exc.code if exc.code in _TOKEN_CODES else "token_invalid", locale)
        user = connection.user
        async with self.db.get_session() as session:
            found = await resolver(session, object_id, user.id)
        if found is None or not spec.admits(self.registry.permissions, found.role, is_admin=user.is_admin):
            return self._answer("not_found", locale)
        assert isinstance(room, str)
        if sid not in self.connections:  # disconnected while we looked
            return self._answer("token_invalid", locale)
        await self.sio.enter_room(sid, room)
        connection.rooms[room] = found.project_id
        return {"ok": True, "room": room}

    async def _unsubscribe(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Leave a room the socket subscribed to (its own user room stays)."""
        connection = self.connections.get(sid)
        room = data.get("room") if isinstance(data, dict) else None
        if connection is None or parse_room(room, self.registry.room_kinds) is None:
            return self._answer("room_invalid", connection.user.locale if connection else None)
        assert isinstance(room, str)
        if connection.rooms.pop(room, ...) is not ...:
            await self.sio.leave_room(sid, room)
        return {"ok": True, "room": room}

    # --- server side -------------------------------------------------------

    async def _on_leave(self, user_room: str, revocation: dict[str, Any]) -> None:
        """Apply a revocation to this process's sockets of the user."""
        project = revocation.get("project_id")
        listed = set(revocation.get("rooms") or ())
        for sid, _ in list(self.manager.get_participants(NAMESPACE, user_room)):
            connection = self.connections.get(sid)
            if connection is None:
                continue
            gone = [
                room
                for room, through in connection.rooms.items()
                if room in listed or (project is not None and str(through) == project)
            ]
            for room in gone:
                del connection.rooms[room]
                await self.sio.leave_room(sid, room)
                message = self.registry.messages.translate("realtime.access_revoked", connection.user.locale)
                await self.sio.emit(
                    "room.left",
                    {"room": room, "code": "access_revoked", "message": message},
                    to=sid,
                    ignore_queue=True,
                )

    async def _on_session_end(self, user_room: str, data: dict[str, Any]) -> None:
        """Close this process's sockets of the user that connected with the revoked token."""
        jti = data.get("jti")
        for sid, _ in list(self.manager.get_participants(NAMESPACE, user_room)):
            connection = self.connections.get(sid)
            if connection is None or connection.user.jti != jti:
                continue
            message = self.registry.messages.translate("realtime.token_revoked", connection.user.locale)
            with contextlib.suppress(Exception):
                await self.sio.emit(
                    "session.ended", {"code": "token_revoked", "message": message}, to=sid, ignore_queue=True
                )
                await self.sio.disconnect(sid, ignore_queue=True)

    async def _expire(self, sid: str) -> None:
        """Tell the client its token expired, then close the socket; it reconnects with a fresh token."""
        connection = self.connections.get(sid)
        if connection is None:
            return
        message = self.registry.messages.translate("realtime.token_expired", connection.user.locale)
        with contextlib.suppress(Exception):
            await self.sio.emit(
                "session.expired", {"code": "token_expired", "message": message}, to=sid, ignore_queue=True
            )
            await self.sio.disconnect(sid, ignore_queue=True)

    def _expire_now(self, sid: str) -> None:
        """Timer callback: run :meth:`_expire` as a task that is kept alive until it ends."""
        task = asyncio.ensure_future(self._expire(sid))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
