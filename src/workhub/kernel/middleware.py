"""Request id, client address and language for every request.

The request id comes from ``X-Request-ID`` when the client (or nginx) sends
one, otherwise it is made here; it goes back in the response and into audit
records and error bodies.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING
from uuid import uuid4

from workhub.kernel.context import Actor, RequestContext, set_context
from workhub.kernel.i18n import negotiate

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ("REQUEST_ID_HEADER", "RequestContextMiddleware", "safe_request_id")

REQUEST_ID_HEADER = "x-request-id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def safe_request_id(value: str | None) -> str:
    """``value`` when it is a short token safe to log and echo, otherwise a new id.

    A client or proxy may send its own id to correlate logs; anything longer
    than 128 characters or with characters outside ``[A-Za-z0-9._:-]`` (log
    injection, header splitting) is replaced.
    """
    if value and _SAFE_ID.match(value):
        return value
    return uuid4().hex


def _valid_ip(value: str | None) -> str | None:
    """The address if it is one (test clients and unix sockets give names)."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


class RequestContextMiddleware:
    """Pure ASGI middleware (cheaper than Litestar's per-request wrappers)."""

    def __init__(self, app: ASGIApp, *, trust_proxy: bool = False) -> None:
        self.app = app
        self.trust_proxy = trust_proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        request_id = safe_request_id(headers.get(REQUEST_ID_HEADER))
        ip = scope["client"][0] if scope.get("client") else None
        if self.trust_proxy and headers.get("x-forwarded-for"):
            ip = headers["x-forwarded-for"].split(",")[0].strip()
        ip = _valid_ip(ip)
        locale = negotiate(headers.get("accept-language"))
        scope.setdefault("state", {})["request_id"] = request_id  # type: ignore[typeddict-unknown-key]
        set_context(
            RequestContext(
                actor=Actor(kind="system", name="anonymous"), request_id=request_id, ip=ip, locale=locale
            )
        )

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent = list(message.get("headers", []))
                if not any(k.lower() == b"x-request-id" for k, _ in sent):
                    sent.append((b"x-request-id", request_id.encode()))
                message["headers"] = sent  # type: ignore[typeddict-item]
            await send(message)

        await self.app(scope, receive, send_with_id)
