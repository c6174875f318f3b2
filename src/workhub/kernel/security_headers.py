"""Security headers on every response, composed with the ``secure`` library, added by Litestar's ``before_send``.

``before_send`` sees every response the app sends, error responses of the
authentication middleware included, which a route middleware would miss.

Every response says ``nosniff``, sends no referrer (feed and invitation
tokens travel in URLs) and may not be framed (``X-Frame-Options: DENY`` and
CSP ``frame-ancestors 'none'``). The Content-Security-Policy fits what is
served: the dashboard loads only its own scripts, styles (PrimeVue writes
its theme into ``<style>`` elements, hence ``'unsafe-inline'`` for styles
only), images and its own Socket.IO connection; the API docs at
``/schema`` the same, their viewer served by WorkHub too (web/docs.py). A response to a
request with credentials that sets no caching of its own is
``Cache-Control: no-store``, so a shared cache never keeps a user's data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from secure import Secure
from secure.headers import (
    ContentSecurityPolicy,
    CrossOriginOpenerPolicy,
    PermissionsPolicy,
    ReferrerPolicy,
    XContentTypeOptions,
    XFrameOptions,
)

if TYPE_CHECKING:
    from litestar.types import Message, Scope

__all__ = ("content_security_policy", "security_headers")

_SELF = "'self'"


def content_security_policy(*, docs: bool = False) -> ContentSecurityPolicy:
    """The dashboard's CSP (``docs``: the API docs', which need no socket connections)."""
    return (
        ContentSecurityPolicy()
        .default_src(_SELF)
        .script_src(_SELF)
        .style_src(_SELF, "'unsafe-inline'")
        .img_src(_SELF, "data:", "blob:")
        .font_src(_SELF, "data:")
        .connect_src(_SELF, *(("ws:", "wss:") if not docs else ()))
        .worker_src(_SELF, "blob:")
        .object_src("'none'")
        .base_uri(_SELF)
        .form_action(_SELF)
        .frame_ancestors("'none'")
    )


def _encoded(csp: ContentSecurityPolicy) -> list[tuple[bytes, bytes]]:
    headers = Secure(
        csp=csp,
        xcto=XContentTypeOptions(),
        referrer=ReferrerPolicy().no_referrer(),
        xfo=XFrameOptions().deny(),
        coop=CrossOriginOpenerPolicy().same_origin(),
        permissions=PermissionsPolicy().geolocation().microphone().camera(),
    ).headers
    return [(name.lower().encode("ascii"), value.encode("latin-1")) for name, value in headers.items()]


_PAGES = _encoded(content_security_policy())
_DOCS = _encoded(content_security_policy(docs=True))
_OURS = {name for name, _ in _PAGES}


async def security_headers(message: Message, scope: Scope) -> None:
    """Add the headers to the start of an HTTP response (a ``before_send`` hook)."""
    if message["type"] != "http.response.start":
        return
    headers: list[Any] = [h for h in message.get("headers", []) if h[0].lower() not in _OURS]
    headers.extend(_DOCS if scope.get("path", "").startswith("/schema") else _PAGES)
    credentialed = any(name in (b"authorization", b"cookie") for name, _ in scope.get("headers", []))
    if credentialed and not any(name.lower() == b"cache-control" for name, _ in headers):
        headers.append((b"cache-control", b"no-store"))
    message["headers"] = headers  # type: ignore[typeddict-unknown-key]
