"""WorkHub behind nginx, for real: ``workhub dev`` and Debian's nginx as subprocesses.

The server runs on a database (``workhub_deploy``) and Redis database (2)
of its own, like the end-to-end tests' (tests/e2e/conftest.py), serving the
dashboard's build (``WORKHUB_E2E_STATIC_DIR``, else ``src/workhub/static``).
nginx runs the tests' variant of ``nginx/``: the same ``workhub/*.conf``
files, with a plain-HTTP server on a local port instead of the TLS ones and
no HSTS. It connects to the app from ``PROXY_ADDRESS``, the one address the
app trusts (``WORKHUB_TRUSTED_PROXIES``); tests call it from other loopback
addresses, so each is a different client to nginx and the app alike.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from workhub.kernel.embedded import free_port
from workhub.migrate import upgrade
from workhub.settings import Settings

REPO = Path(__file__).resolve().parents[3]
NGINX_DIR = REPO / "nginx"
ARTIFACTS = REPO / "test-artifacts"
WORKHUB = Path(sys.executable).with_name("workhub")
PROXY_ADDRESS = "127.0.0.3"
LOGIN_RATE = 5
"""Sign-ins per minute per client address in the server under test (the client-address test uses it)."""


@dataclass
class Deployment:
    """The app's own address, nginx's in front of it, and nginx's folder (its logs)."""

    app_url: str
    url: str
    prefix: Path


def nginx_binary() -> str:
    """Debian's nginx (``make test`` installs it)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        pytest.fail("nginx is not installed: `make test` installs Debian's (apt-get install nginx)")
    return found


def writable(path: Path) -> Path:
    """A folder nginx's workers may write to (they run as nobody when the tests run as root)."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o777)
    return path


def nginx_test_config(prefix: Path, *, listen: str, app: str) -> Path:
    """nginx's main file for the tests, around the production ``workhub/*.conf`` files."""
    shutil.copytree(NGINX_DIR / "workhub", prefix / "workhub")
    (prefix / "workhub" / "hsts.conf").write_text("# No TLS in the tests' variant, so no HSTS.\n")
    prefix.chmod(0o755)
    temp = {name: writable(prefix / "temp" / name) for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    conf = prefix / "nginx.conf"
    conf.write_text(f"""
daemon off;
worker_processes 2;
pid {prefix}/nginx.pid;
events {{ worker_connections 512; }}
http {{
    default_type application/octet-stream;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    proxy_cache_path {writable(prefix / "cache")} levels=1:2 keys_zone=workhub_assets:1m use_temp_path=off;

    include workhub/http.conf;
    access_log {prefix}/access.log workhub;
    upstream workhub {{
        least_conn;
        server {app} max_fails=1 fail_timeout=5s;
        keepalive 8;
    }}
    server {{
        listen {listen};
        proxy_bind {PROXY_ADDRESS};
        include workhub/app.conf;
    }}
}}
""")
    return conf


def dashboard_build() -> Path:
    """The dashboard's build: ``WORKHUB_E2E_STATIC_DIR`` (``make test`` sets it), else the package's own."""
    build = Path(os.environ.get("WORKHUB_E2E_STATIC_DIR") or REPO / "src" / "workhub" / "static")
    if not (build / "index.html").is_file():
        pytest.fail(f"{build} holds no build of the dashboard: run `make dashboard` first")
    return build


def _recreate_database(url: str, name: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(run())


def _wait(check: str, proc: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}: see {log}")
        try:
            if httpx.get(check, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not become ready: see {log}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def deployment(settings: Settings) -> Iterator[Deployment]:
    """``workhub dev`` with nginx in front, for the whole session."""
    assert settings.database_url and settings.redis_url and settings.secret_key
    database_url = re.sub(r"/workhub_test(\?|$)", r"/workhub_deploy\1", settings.database_url)
    redis_url = re.sub(r"/0$", "/2", settings.redis_url)
    _recreate_database(settings.database_url, "workhub_deploy")
    upgrade(database_url)
    app_port, nginx_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKHUB_")}
    env |= {
        "WORKHUB_ENV": "test",
        "WORKHUB_DATABASE_URL": database_url,
        "WORKHUB_REDIS_URL": redis_url,
        "WORKHUB_SECRET_KEY": settings.secret_key,
        "WORKHUB_PORT": str(app_port),
        "WORKHUB_DEMO_DATA": "false",
        "WORKHUB_WEB_STATIC_DIR": str(dashboard_build()),
        "WORKHUB_DATA_DIR": tempfile.mkdtemp(prefix="workhub-deploy-data-"),
        "WORKHUB_TRUSTED_PROXIES": PROXY_ADDRESS,
        "WORKHUB_LOGIN_RATE": str(LOGIN_RATE),
        "WORKHUB_REGISTER_RATE": "1000",
        "WORKHUB_USER_RATE": "100000",
        "WORKHUB_PLUGINS": "",
        "WORKHUB_LOG_LEVEL": "WARNING",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    server_log = ARTIFACTS / "deploy-server.log"
    prefix = Path(tempfile.mkdtemp(prefix="workhub-nginx-"))
    conf = nginx_test_config(prefix, listen=f"127.0.0.1:{nginx_port}", app=f"127.0.0.1:{app_port}")
    with server_log.open("wb") as out:
        server = subprocess.Popen([str(WORKHUB), "dev"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        app_url = f"http://127.0.0.1:{app_port}"
        _wait(f"{app_url}/health/ready", server, "workhub dev", server_log)
        nginx = subprocess.Popen(
            [nginx_binary(), "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{nginx_port}"
            _wait(f"{url}/health/live", nginx, "nginx", prefix / "error.log")
            yield Deployment(app_url=app_url, url=url, prefix=prefix)
        finally:
            _stop(nginx)
            shutil.copy(prefix / "error.log", ARTIFACTS / "deploy-nginx-error.log")
    finally:
        _stop(server)
        shutil.rmtree(prefix, ignore_errors=True)


def from_address(base_url: str, address: str) -> httpx.AsyncClient:
    """An HTTP client whose connections come from ``address`` (any 127.x.y.z is this machine)."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(base_url=base_url, transport=transport, timeout=15)


async def fresh_limit_window() -> None:
    """The app counts sign-ins in fixed one-minute windows: start well inside one."""
    left = 60 - time.time() % 60
    if left < 10:
        await asyncio.sleep(left + 0.1)


def self_signed(folder: Path, name: str) -> tuple[Path, Path]:
    """A certificate and key for ``name``, valid for a day."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path
