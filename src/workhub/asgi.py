"""ASGI entry point for external servers: ``granian --interface asgi workhub.asgi:app``.

``app`` is the Litestar application wrapped by the Socket.IO server
(:func:`create_asgi`), built on first access from settings in the
environment; both URLs must be set (no embedded servers here, since a web
process must not own the database). It does not relay the outbox: run
``workhub worker`` beside it, as ``workhub run`` expects too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from workhub.app import create_app
from workhub.kernel.sockets import SocketServer
from workhub.settings import Settings, get_settings

if TYPE_CHECKING:
    import socketio

    from workhub.kernel.plugins import WorkhubPlugin

__all__ = ("app", "create_asgi")

app: socketio.ASGIApp
"""The served app; built by the module ``__getattr__`` below when first read."""


def create_asgi(
    settings: Settings,
    *,
    plugins: Sequence[WorkhubPlugin] | None = None,
    run_worker: bool = False,
    run_relay: bool = True,
) -> socketio.ASGIApp:
    """The app as served: Litestar behind ``/socket.io``, emitting through the Socket.IO server.

    The Litestar app stays reachable as ``.other_asgi_app`` (its ``state``
    holds the registry, the database config and ``sockets``).
    """
    app = create_app(settings, plugins=plugins, run_worker=run_worker, run_relay=run_relay)
    server = SocketServer(
        settings, registry=app.state.registry, tokens=app.state.tokens, db=app.state.db_config
    )
    app.state.sockets = server
    app.state.broadcaster = server.broadcaster
    return server.asgi(app)


def __getattr__(name: str) -> Any:
    """Build ``app`` lazily, so importing :func:`create_asgi` needs no environment."""
    if name == "app":
        value = create_asgi(get_settings(), run_relay=False)  # `workhub worker` relays
        globals()["app"] = value
        return value
    raise AttributeError(name)
