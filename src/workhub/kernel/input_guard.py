r"""What no route can store or parse is refused at the edge, with a 4xx that names the field.

PostgreSQL cannot store a NUL character in text, so a ``\u0000`` anywhere in
a JSON body, a query parameter or a path segment is a 422 naming where it
was; a JSON body that is not UTF-8 is a 400; JSON nested deeper than
:data:`MAX_DEPTH` is a 400 (deep nesting is never a WorkHub request and
costs recursion in every parser after this one). The common case costs two
byte scans: the body is decoded and walked only when it contains an escaped
NUL or more brackets than the depth limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl, unquote_to_bytes

import msgspec

from workhub.kernel.errors import FieldError, send_problem

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

__all__ = ("MAX_DEPTH", "InputGuardMiddleware", "find_nul")

MAX_DEPTH = 32
_JSON = (b"application/json", b"application/problem+json")
_NUL_MESSAGE = "must not contain the NUL character (\\u0000)"


def find_nul(value: Any) -> str | None:
    """The dotted path (``labels[2]``, ``metadata.note``) of the first string or key holding a NUL, if any."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return path or "body"
        elif isinstance(item, dict):
            for key, child in cast("dict[str, Any]", item).items():
                where = f"{path}.{key}" if path else key
                if "\x00" in key:
                    return where
                stack.append((child, where))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{n}]") for n, child in enumerate(cast("list[Any]", item)))
    return None


class InputGuardMiddleware:
    """Refuses NUL characters, bodies that are not UTF-8 and over-deep JSON before anything parses them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check one HTTP request; answer the problem or pass it on with its body replayed."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = _query_problem(scope)
        if problem is not None:
            await send_problem(send, scope, **problem)
            return
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"").split(b";")[0].strip().lower()
        if scope["method"] not in ("POST", "PUT", "PATCH") or content_type not in _JSON:
            await self.app(scope, receive, send)
            return
        body = await _read(receive)
        problem = _body_problem(body)
        if problem is not None:
            await send_problem(send, scope, **problem)
            return
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, cast("Receive", replay), send)


def _invalid(field: str, message: str) -> dict[str, Any]:
    return {
        "status": 422,
        "code": "validation_error",
        "message_key": "error.validation",
        "detail": f"{field} {message}",
        "errors": [FieldError(field=field, message=message)],
    }


def _malformed(detail: str) -> dict[str, Any]:
    return {
        "status": 400,
        "code": "malformed_json",
        "message_key": "error.malformed_json",
        "detail": detail,
        "errors": [FieldError(field="body", message=detail)],
    }


def _query_problem(scope: Scope) -> dict[str, Any] | None:
    """A NUL in the path or the query string."""
    if "\x00" in scope["path"]:
        return _invalid("path", _NUL_MESSAGE)
    query = scope.get("query_string", b"")
    if b"%00" not in query and b"\x00" not in query:
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in value or b"\x00" in unquote_to_bytes(value.encode("latin-1")):
            return _invalid(name, _NUL_MESSAGE)
    return _invalid("query", _NUL_MESSAGE)


def _body_problem(body: bytes) -> dict[str, Any] | None:
    """A JSON body that is not UTF-8, nests too deeply or holds a NUL (checked only when it might)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _malformed(f"The body is not valid UTF-8 (byte {exc.start}).")
    brackets = body.count(b"[") + body.count(b"{")
    if b"\\u0000" not in body and brackets <= MAX_DEPTH:
        return None
    if brackets > MAX_DEPTH and _nesting(body) > MAX_DEPTH:
        return _malformed(f"The JSON nests deeper than {MAX_DEPTH} levels.")
    try:
        value = msgspec.json.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return None  # the route's own decoding answers malformed JSON
    where = find_nul(value)
    return _invalid(where, _NUL_MESSAGE) if where is not None else None


def _nesting(body: bytes) -> int:
    """The deepest bracket nesting outside strings, by a scan (the parser's recursion is what this spares)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


async def _read(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts)
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)
