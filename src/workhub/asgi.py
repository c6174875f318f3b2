"""ASGI entry point for external servers: ``granian --interface asgi workhub.asgi:app``.

Reads settings from the environment; both URLs must be set (no embedded
servers here, since a web process must not own the database).
"""

from __future__ import annotations

from workhub.app import create_app
from workhub.settings import get_settings

__all__ = ("app",)

app = create_app(get_settings())
