"""The ``workhub`` command: run, worker, dev, migrate, create-admin, seed-demo, openapi, rotate-secret-key.

Commands start embedded PostgreSQL and Redis when ``WORKHUB_DATABASE_URL`` /
``WORKHUB_REDIS_URL`` are not set, so a fresh checkout runs with nothing
installed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import click
import msgspec

from workhub.cli_support import resolve_servers
from workhub.kernel.embedded import EmbeddedServers
from workhub.kernel.keys import InsecureKeyError, rotate_key_file
from workhub.settings import Settings, get_settings

__all__ = ("main",)

logger = logging.getLogger("workhub")


def _setup_logging() -> None:
    """WorkHub's own logs at INFO (or WORKHUB_LOG_LEVEL); libraries only when they warn."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("workhub").setLevel(os.environ.get("WORKHUB_LOG_LEVEL", "INFO"))
    for noisy in ("pgserver", "saq", "alembic", "uuid_utils"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _server_start() -> tuple[Settings, EmbeddedServers]:
    """What a server command starts with; a missing or weak signing key stops it with the reason."""
    try:
        return resolve_servers(keys=True)
    except InsecureKeyError as exc:
        raise click.ClickException(f"refusing to start: {exc}") from exc


@click.group()
def main() -> None:
    """WorkHub: a task hub for small teams."""
    _setup_logging()


@main.command()
def migrate() -> None:
    """Apply database migrations."""
    from workhub.migrate import upgrade

    settings, _ = resolve_servers()
    assert settings.database_url is not None
    upgrade(settings.database_url)
    click.echo("Database is up to date.")


@main.command("seed-demo")
def seed_demo() -> None:
    """Create demo users, a project and tasks (only if the database has no users)."""
    from workhub.demo import seed

    settings, _ = resolve_servers()
    created = asyncio.run(seed(settings))
    click.echo("Demo data created." if created else "The database already has users; nothing seeded.")


def _serve(settings: Settings, *, run_worker: bool) -> None:
    """Serve HTTP in this process with uvicorn; SIGINT/SIGTERM finish in-flight requests."""
    import uvicorn

    from workhub.asgi import create_asgi

    app = create_asgi(settings, run_worker=run_worker)  # Litestar behind /socket.io
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=20,
        # The client address is decided by WORKHUB_TRUSTED_PROXIES alone (kernel/middleware.py);
        # uvicorn's own X-Forwarded-For handling would believe any local caller.
        proxy_headers=False,
        # One push goes to every socket in a room: compressing it once per socket
        # costs more CPU than the few hundred bytes it saves (docs/performance.md).
        ws_per_message_deflate=False,
    )
    server = uvicorn.Server(config)

    def exit_cleanly(signum: int, frame: object) -> None:
        raise SystemExit(0)

    # uvicorn re-raises SIGTERM after its graceful shutdown, which would kill
    # the process before the embedded servers are stopped; exit normally instead.
    signal.signal(signal.SIGTERM, exit_cleanly)
    asyncio.run(server.serve())


@main.command()
def dev() -> None:
    """Web and worker in one process on embedded servers (``make run``)."""
    from workhub.demo import DEMO_LOGINS, seed
    from workhub.migrate import upgrade

    settings, servers = _server_start()
    assert settings.database_url is not None
    try:
        upgrade(settings.database_url)
        if settings.demo_data and asyncio.run(seed(settings)):
            click.echo("Demo data created on first start.")
        click.echo(f"\nWorkHub is running at {settings.base_url}  (API docs: {settings.base_url}/schema)")
        click.echo("Demo logins:")
        for email, password, role in DEMO_LOGINS:
            click.echo(f"  {email} / {password}  ({role})")
        click.echo("Press Ctrl-C to stop.\n")
        _serve(settings, run_worker=True)
    finally:
        servers.stop()


def _serve_web(settings: Settings) -> None:
    """Serve HTTP with granian: ``WORKHUB_WEB_WORKERS`` processes, one per core by default.

    Each worker process builds ``workhub.asgi:app`` from the environment, so
    the resolved (possibly embedded) server URLs and signing keys are exported first. The
    outbox relay runs in ``workhub worker``, which must run beside this.
    SIGINT/SIGTERM let in-flight requests finish.
    """
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    assert settings.database_url is not None and settings.redis_url is not None
    assert settings.secret_key is not None
    os.environ["WORKHUB_DATABASE_URL"] = settings.database_url
    os.environ["WORKHUB_REDIS_URL"] = settings.redis_url
    os.environ["WORKHUB_SECRET_KEY"] = settings.secret_key  # the embedded default's key, from its file
    if settings.previous_secret_keys:
        os.environ["WORKHUB_PREVIOUS_SECRET_KEYS"] = settings.previous_secret_keys
    workers = settings.web_workers or os.cpu_count() or 1
    click.echo(f"WorkHub web: {settings.base_url} ({workers} worker process{'es' if workers > 1 else ''})")
    Granian(
        "workhub.asgi:app",
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        workers=workers,
        log_level=LogLevels.warning,
    ).serve()


@main.command()
def run() -> None:
    """Web only, one process per core (use ``workhub worker`` beside it)."""
    settings, servers = _server_start()
    try:
        _serve_web(settings)
    finally:
        servers.stop()


@main.command()
def worker() -> None:
    """The SAQ worker and the outbox relay, without HTTP."""
    from workhub.worker import run_worker

    settings, servers = _server_start()
    try:
        asyncio.run(run_worker(settings))
    finally:
        servers.stop()


@main.command()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), default="-", show_default=True
)
def openapi(output: str) -> None:
    """Write the OpenAPI schema of the app with the installed plugins (the dashboard's API types come from it)."""
    import json

    from workhub.app import create_app
    from workhub.kernel.keys import new_secret_key

    # The schema needs no servers: the app is built, never started.
    settings = msgspec.structs.replace(
        get_settings(),
        database_url="postgresql+asyncpg://schema@localhost/schema",
        redis_url="redis://localhost:1/0",
        secret_key=new_secret_key(),
    )
    schema = create_app(settings).openapi_schema.to_schema()
    text = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    click.open_file(output, "w", encoding="utf-8").write(text)


@main.command("rotate-secret-key")
def rotate_secret_key() -> None:
    """Make a new signing key for the embedded default; the old one keeps verifying (restart to apply)."""
    settings = get_settings()
    if settings.database_url is not None or settings.secret_key is not None:
        raise click.ClickException(
            "this server's key comes from WORKHUB_SECRET_KEY: set the new key there and move the old one "
            "to WORKHUB_PREVIOUS_SECRET_KEYS (docs/api.md, 'Signing keys')"
        )
    keys = rotate_key_file(Path(settings.data_dir))
    click.echo(
        f"A new signing key is in {Path(settings.data_dir) / 'secret-keys'} ({len(keys) - 1} kept for verifying)."
    )
    click.echo("Restart WorkHub to sign with it; tokens signed before keep working until they expire.")


def _register_plugin_commands() -> None:
    """Add the CLI commands core modules and plugins registered."""
    try:
        from workhub.process import build_registry

        registry = build_registry(get_settings())
    except Exception as exc:  # a broken plugin must not hide `workhub --help`
        click.echo(f"warning: plugin commands unavailable: {exc}", err=True)
        return
    for command in registry.cli_commands:
        main.add_command(command)


_register_plugin_commands()

if __name__ == "__main__":  # pragma: no cover
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    sys.exit(main())
