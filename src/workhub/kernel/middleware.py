"""Request id, client address and language for every request.

The request id comes from ``X-Request-ID`` when the client (or nginx) sends
one, otherwise it is made here; it goes back in the response and into audit
records and error bodies.

The client address (rate limits, lockout, audit) is the TCP peer's, unless
the peer is one of ``WORKHUB_TRUSTED_PROXIES``: then ``X-Forwarded-For`` is
read from the right, skipping trusted proxies, and the first other address
is the client. Anyone else's ``X-Forwarded-For`` is ignored, so a caller
cannot pick the address its attempts are counted against.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING
from uuid import uuid4

from workhub.kernel.context import Actor, RequestContext, set_context
from workhub.kernel.i18n import Catalog, current_catalog, negotiate, use_catalog

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = (
    "REQUEST_ID_HEADER",
    "RequestContextMiddleware",
    "client_address",
    "parse_networks",
    "safe_request_id",
)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

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


def parse_networks(value: str | None) -> tuple[Network, ...]:
    """``"10.0.0.5, 172.29.64.0/24"`` as networks; a bad entry fails at start-up, not per request."""
    entries = [part.strip() for part in (value or "").split(",") if part.strip()]
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as exc:
        raise ValueError(f"WORKHUB_TRUSTED_PROXIES: {exc}") from exc


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip.version == net.version and ip in net for net in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies: tuple[Network, ...]) -> str | None:
    """The client's address: ``peer``, or from a trusted proxy the last untrusted hop it forwards.

    Entries are read right to left, since only the right end was written by
    proxies we trust; the left end is whatever the client claimed. A
    malformed entry stops the walk at the last trusted hop.
    """
    address = _valid_ip(peer)
    if address is None or not proxies or not forwarded_for or not _trusted(address, proxies):
        return address
    for entry in reversed(forwarded_for.split(",")):
        hop = _valid_ip(entry.strip())
        if hop is None:
            break
        address = hop
        if not _trusted(hop, proxies):
            break
    return address


class RequestContextMiddleware:
    """Pure ASGI middleware (cheaper than Litestar's per-request wrappers).

    ``messages`` is the app's registry's catalog: the request translates with it.
    """

    def __init__(
        self, app: ASGIApp, *, trusted_proxies: tuple[Network, ...] = (), messages: Catalog | None = None
    ) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies
        self.messages = messages or current_catalog()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: dict[str, str] = {}
        for k, v in scope.get("headers", []):
            name, value = k.decode("latin-1").lower(), v.decode("latin-1")
            # Repeated X-Forwarded-For headers are one list, in order (RFC 9110, 5.3).
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        request_id = safe_request_id(headers.get(REQUEST_ID_HEADER))
        peer = scope["client"][0] if scope.get("client") else None
        ip = client_address(peer, headers.get("x-forwarded-for"), self.trusted_proxies)
        locale = negotiate(headers.get("accept-language"))
        scope.setdefault("state", {})["request_id"] = request_id  # type: ignore[typeddict-unknown-key]
        use_catalog(self.messages)
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
