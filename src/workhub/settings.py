"""Typed settings read from ``WORKHUB_*`` environment variables.

One Struct holds everything the core needs; plugins read their own Structs
from ``WORKHUB_<PLUGIN>_*`` through :func:`load_prefixed`.
"""

from __future__ import annotations

import os
from typing import TypeVar

import msgspec

__all__ = ("Settings", "get_settings", "load_prefixed")

T = TypeVar("T", bound=msgspec.Struct)


class Settings(msgspec.Struct, kw_only=True):
    """Core settings; every field maps to ``WORKHUB_<FIELD>``."""

    env: str = "dev"
    """``dev``, ``test`` or ``prod``."""
    data_dir: str = ".workhub"
    """Where the embedded PostgreSQL and Redis keep their data."""
    database_url: str | None = None
    """External PostgreSQL (``postgresql+asyncpg://...``); embedded when unset."""
    redis_url: str | None = None
    """External Redis (``redis://...``); embedded when unset."""
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    """The URL users open; used in links such as invitation accept links."""
    secret_key: str | None = None
    """Signs access tokens: at least 32 random bytes. Required unless on the embedded default,
    which makes one on its first start and keeps it in ``<data_dir>/secret-keys`` (kernel/keys.py)."""
    previous_secret_keys: str | None = None
    """Comma-separated keys that no longer sign but still verify, for a rotation without sign-outs."""
    access_token_ttl: int = 15 * 60
    refresh_token_ttl: int = 30 * 24 * 3600
    invitation_ttl: int = 7 * 24 * 3600
    plugins: str | None = None
    """Comma-separated allow-list of plugin names; all installed when unset."""
    login_rate: int = 10
    """Login attempts per minute per IP and per account."""
    register_rate: int = 5
    """Registrations per minute per IP."""
    user_rate: int = 600
    """Requests per minute per signed-in user."""
    lockout_threshold: int = 10
    """Wrong passwords in a row for one account from one address before that address is locked out of it."""
    lockout_seconds: int = 15 * 60
    lockout_address_threshold: int = 50
    """Wrong passwords from one address, across accounts, before it is locked out of all of them."""
    lockout_account_threshold: int = 100
    """Wrong passwords for one account from anywhere before addresses it was never signed in from are refused."""
    lockout_account_seconds: int = 3600
    db_pool_size: int = 20
    """Database connections per process (a fixed pool; see docs/performance.md)."""
    trusted_proxies: str | None = None
    """Comma-separated addresses or CIDR networks of reverse proxies (nginx) whose X-Forwarded-For is believed.

    Unset: nobody's; the TCP peer is the client (kernel/middleware.py)."""
    web_workers: int = 0
    """Web processes of ``workhub run`` (0: one per CPU core)."""
    demo_data: bool = True
    """Create demo users, a project and tasks on the first start of ``dev``."""
    socket_cors_origins: str | None = None
    """Comma-separated origins browsers may open Socket.IO connections from; unset: same origin only, ``*``: any."""
    socket_ping_interval: int = 25
    """Seconds between Socket.IO pings; a client silent for interval + timeout is dropped."""
    socket_ping_timeout: int = 20
    relay_gather_ms: int = 10
    """After a commit wakes the outbox relay, how long it waits to take a burst in one go.

    Every realtime push waits this long too; the relay runs in ``workhub
    worker``, so more relay transactions under load cost the web nothing
    (docs/performance.md)."""
    jobs_dir: str | None = None
    """Where job results (exports, import reports) and uploads are kept; ``<data_dir>/jobs`` when unset.

    The web processes and the workers must see the same directory."""
    worker_grace_seconds: int = 20
    """On SIGTERM, how long running jobs may take to finish before they are cut off (and rerun later)."""
    worker_sweep_seconds: int = 10
    """How often a worker looks for jobs abandoned by a killed worker (see docs/architecture.md)."""
    reminder_window_minutes: int = 15
    """A reminder more than this late (after an outage) is skipped rather than sent."""

    chat_rate: int = 20
    """Messages one user may post to one channel per ``chat_rate_window`` seconds (then 429)."""
    chat_rate_window: int = 10

    @property
    def base_url(self) -> str:
        """The public base URL, falling back to host and port."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def load_prefixed(struct: type[T], prefix: str, environ: dict[str, str] | None = None) -> T:
    """Build ``struct`` from environment variables that start with ``prefix``.

    Values are strings in the environment; msgspec converts them to the
    declared field types (``strict=False``), so a bad value fails loudly here
    rather than later in a request.
    """
    env = os.environ if environ is None else environ
    fields = {f.name for f in msgspec.structs.fields(struct)}
    raw = {
        key[len(prefix) :].lower(): value
        for key, value in env.items()
        if key.startswith(prefix) and key[len(prefix) :].lower() in fields
    }
    return msgspec.convert(raw, struct, strict=False)


def get_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the core settings from the environment."""
    return load_prefixed(Settings, "WORKHUB_", environ)
