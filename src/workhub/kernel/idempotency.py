"""``Idempotency-Key`` for every POST, as pure ASGI middleware.

The first request with a key runs and its response is kept for a day. The
same key with the same body replays that response; with another body it is
a 422; while the first is still running it is a 409. Bodies are compared in
a canonical form (JSON with sorted keys and no whitespace), so the same JSON
written differently is the same body. Keys are scoped to the caller and the
path, so two users cannot collide: a valid access token scopes by user (a
retry after a token refresh still replays), any other credentials by their
hash, an anonymous caller by address. Responses of 5xx are not kept: a retry
runs again.

Routes whose answers are secrets (sign-in and token refresh hand out tokens)
say ``opt={"keep_replay": False}``: a key there is accepted and nothing is
stored, so a repeat runs again (see docs/api.md for what that means there).
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import TYPE_CHECKING, Any, cast

import msgspec

from workhub.kernel.context import current_context
from workhub.kernel.errors import FieldError, send_problem

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send
    from redis.asyncio import Redis

__all__ = ("IdempotencyMiddleware",)

LOCK_SECONDS = 120
KEEP_SECONDS = 24 * 3600


class _Stored(msgspec.Struct):
    state: str
    body_hash: str
    status: int = 0
    headers: list[tuple[str, str]] = []
    body: bytes = b""


class IdempotencyMiddleware:
    """Replays, refuses or runs a POST according to its ``Idempotency-Key``."""

    def __init__(self, app: ASGIApp, *, redis_getter: Any) -> None:
        self.app = app
        self.redis_getter = redis_getter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        key = headers.get(b"idempotency-key")
        if not key:
            await self.app(scope, receive, send)
            return
        if len(key) > 255:
            too_long = "Idempotency-Key is too long (255 bytes at most)."
            await self._problem(
                send,
                scope,
                422,
                "validation_error",
                "error.validation",
                too_long,
                [FieldError(field="Idempotency-Key", message=too_long)],
            )
            return
        handler = scope.get("route_handler")
        if handler is not None and handler.opt.get("keep_replay") is False:
            await self.app(scope, receive, send)  # its answer holds secrets: never kept
            return
        body = await _read_body(receive)
        caller = _caller(scope, headers.get(b"authorization"))
        scope_hash = hashlib.sha256(caller + b"|" + scope["path"].encode() + b"|" + key).hexdigest()
        body_hash = hashlib.sha256(_canonical(body)).hexdigest()
        redis: Redis = self.redis_getter()
        redis_key = f"wh:idem:{scope_hash}"
        running = msgspec.msgpack.encode(_Stored("running", body_hash))
        stored: _Stored | None = None
        for _ in range(2):  # the kept response may expire between SET NX and GET: claim again
            if await redis.set(redis_key, running, nx=True, ex=LOCK_SECONDS):
                await self._run(scope, body, send, redis, redis_key, body_hash)
                return
            raw = await redis.get(redis_key)
            if raw is not None:
                stored = msgspec.msgpack.decode(raw, type=_Stored)
                break
        if stored is None:
            await self._problem(send, scope, 409, "idempotency_conflict", "error.idempotency_conflict", None)
        elif stored.body_hash != body_hash:
            await self._problem(send, scope, 422, "idempotency_mismatch", "error.idempotency_mismatch", None)
        elif stored.state == "running":
            await self._problem(send, scope, 409, "idempotency_conflict", "error.idempotency_conflict", None)
        else:
            await self._replay(send, stored)

    async def _run(
        self, scope: Scope, body: bytes, send: Send, redis: Redis, redis_key: str, body_hash: str
    ) -> None:
        sent = False

        async def replay_receive() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        status = 500
        out_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, out_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                out_headers = [
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])
                ]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, cast("Receive", replay_receive), capture)
        except BaseException:
            await redis.delete(redis_key)
            raise
        if status >= 500:
            await redis.delete(redis_key)
            return
        kept = [(k, v) for k, v in out_headers if k.lower() not in {"x-request-id", "date", "content-length"}]
        done = _Stored("done", body_hash, status, kept, b"".join(chunks))
        await redis.set(redis_key, msgspec.msgpack.encode(done), ex=KEEP_SECONDS)

    @staticmethod
    async def _replay(send: Send, stored: _Stored) -> None:
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers]
        headers.append((b"idempotent-replayed", b"true"))
        headers.append((b"content-length", str(len(stored.body)).encode()))
        await send({"type": "http.response.start", "status": stored.status, "headers": headers})
        await send({"type": "http.response.body", "body": stored.body, "more_body": False})

    @staticmethod
    async def _problem(
        send: Send,
        scope: Scope,
        status: int,
        code: str,
        key: str,
        detail: str | None,
        errors: list[FieldError] | None = None,
    ) -> None:
        await send_problem(
            send, scope, status=status, code=code, message_key=key, detail=detail, errors=errors
        )


def _caller(scope: Scope, authorization: bytes | None) -> bytes:
    """Who is asking: the user of a valid bearer token, else a hash of the credentials, else the address."""
    if authorization:
        scheme, _, token = authorization.partition(b" ")
        tokens = getattr(getattr(scope.get("app"), "state", None), "tokens", None)
        if scheme.lower() == b"bearer" and token and tokens is not None:
            with contextlib.suppress(Exception):  # an invalid token is scoped by its hash below
                user, _ = tokens.decode(token.strip().decode("latin-1"))
                return f"user:{user.id}".encode()
        return b"auth:" + hashlib.sha256(authorization).hexdigest().encode()
    return f"ip:{current_context().ip or ''}".encode()


def _canonical(body: bytes) -> bytes:
    """JSON with sorted keys and no whitespace (the same JSON written two ways compares equal); other bodies as sent."""
    try:
        return msgspec.json.encode(msgspec.json.decode(body), order="sorted")
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return body


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.request":
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(parts)
        else:
            return b"".join(parts)
