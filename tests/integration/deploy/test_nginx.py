"""Through nginx: the API, the dashboard's files, Socket.IO over WebSocket, limits and the client address.

nginx runs the tests' variant of ``nginx/`` in front of ``workhub dev``
(conftest.py); the production variant, with TLS, is checked by ``nginx -t``.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import socketio

from tests.integration.deploy.conftest import (
    LOGIN_RATE,
    NGINX_DIR,
    Deployment,
    fresh_limit_window,
    from_address,
    nginx_binary,
    self_signed,
)
from tests.support import PASSWORD

LOGIN = "/api/v1/auth/login"


async def signed_in(http: httpx.AsyncClient, email: str) -> dict[str, str]:
    """Register ``email`` and sign in: the Authorization header."""
    resp = await http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "N"})
    assert resp.status_code == 201, resp.text
    resp = await http.post(LOGIN, json={"email": email, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


async def test_the_api_answers_through_nginx(deployment: Deployment) -> None:
    async with from_address(deployment.url, "127.0.0.11") as http:
        headers = await signed_in(http, "api@example.com")
        resp = await http.get("/api/v1/me", headers=headers)
        assert resp.status_code == 200 and resp.json()["email"] == "api@example.com"
        # The app's security headers pass once, unchanged; no HSTS without TLS; nginx says no version.
        assert len(resp.headers.get_list("content-security-policy")) == 1
        assert resp.headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in resp.headers
        assert resp.headers["server"] == "nginx"
        # One request id from end to end.
        resp = await http.get("/health/live", headers={"X-Request-ID": "trace-me-42"})
        assert resp.headers["x-request-id"] == "trace-me-42"
        # nginx compresses what the app sends uncompressed.
        resp = await http.get("/schema/openapi.json", headers={"Accept-Encoding": "gzip"})
        assert resp.status_code == 200 and resp.headers["content-encoding"] == "gzip"
        assert resp.json()["info"]["title"] == "WorkHub API"
    log = (deployment.prefix / "access.log").read_text()
    assert re.search(r'"GET /health/live HTTP/1.1" 200 .* id=trace-me-42', log)


async def test_the_dashboard_files_are_cached_for_a_year(deployment: Deployment) -> None:
    async with from_address(deployment.url, "127.0.0.12") as http:
        page = await http.get("/tasks/anything")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
        scripts = re.findall(r'src="(/assets/[^"]+\.js)"', page.text)
        assert scripts, page.text
        for _ in range(2):
            resp = await http.get(scripts[0])
            assert resp.status_code == 200
            assert resp.headers.get_list("cache-control") == ["public, max-age=31536000, immutable"]
            assert resp.headers["content-type"].startswith(("text/javascript", "application/javascript"))
        missing = await http.get("/assets/missing-0123abcd.js")
        assert missing.status_code == 404 and "immutable" not in missing.headers.get("cache-control", "")
    # The second fetch came from nginx's cache, not from the app.
    log = (deployment.prefix / "access.log").read_text()
    assert re.search(rf'"GET {re.escape(scripts[0])} HTTP/1.1" 200 .* cache=HIT', log), log


async def test_socket_io_upgrades_to_a_websocket_and_receives_events(deployment: Deployment) -> None:
    async with from_address(deployment.url, "127.0.0.13") as http:
        headers = await signed_in(http, "socket@example.com")
        client = socketio.AsyncClient(reconnection=False)
        ended: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        client.on("session.ended", lambda data: ended.set_result(data))
        await client.connect(
            deployment.url,
            transports=["websocket"],
            auth={"token": headers["Authorization"].removeprefix("Bearer "), "locale": "en"},
            wait_timeout=10,
        )
        try:
            assert client.transport() == "websocket"
            resp = await http.post("/api/v1/auth/logout", headers=headers)
            assert resp.status_code == 204
            assert (await asyncio.wait_for(ended, timeout=10))["code"] == "token_revoked"
        finally:
            await client.disconnect()
    log = (deployment.prefix / "access.log").read_text()
    assert re.search(r'"GET /socket.io/\?[^"]*transport=websocket[^"]*" 101 ', log), log


async def test_bursts_on_sign_in_and_inbound_endpoints_answer_429(deployment: Deployment) -> None:
    async with from_address(deployment.url, "127.0.0.14") as http:
        for path, burst, rate in (
            ("/api/v1/auth/refresh", 20, 5),
            ("/api/v1/integrations/none/hook", 50, 20),
        ):
            started = time.monotonic()
            answers = await asyncio.gather(*(http.post(path, json={}) for _ in range(burst + 30)))
            elapsed = time.monotonic() - started
            codes = [r.status_code for r in answers]
            assert 429 in codes, codes
            # Through: the burst, plus what the zone's rate refilled while the requests kept arriving.
            assert len(codes) - codes.count(429) <= burst + 1 + rate * elapsed, (elapsed, codes)
            refused = next(r for r in answers if r.status_code == 429)
            assert "problem+json" not in refused.headers.get("content-type", "")  # nginx's, not the app's
    # Another client is not held back.
    async with from_address(deployment.url, "127.0.0.15") as other:
        assert (await other.post("/api/v1/auth/refresh", json={})).status_code != 429


async def test_bodies_over_the_apps_limits_are_refused_with_413(deployment: Deployment) -> None:
    async with from_address(deployment.url, "127.0.0.16") as http:
        headers = await signed_in(http, "upload@example.com")
        big = b"x" * (11 * 2**20)
        resp = await http.post(
            "/api/v1/projects", content=big, headers={**headers, "Content-Type": "application/json"}
        )
        assert resp.status_code == 413
        # Uploads for imports may be larger (64 MiB); this one reaches the app.
        csv = b"title\n" + b"a task\n" * (12 * 2**20 // 7)
        resp = await http.post(
            "/api/v1/jobs/uploads", content=csv, headers={**headers, "Content-Type": "text/csv"}
        )
        assert resp.status_code == 201, resp.text


async def test_the_app_sees_each_client_address_not_nginxs(deployment: Deployment) -> None:
    await fresh_limit_window()
    wrong = {"password": "wrong password 123"}
    async with from_address(deployment.url, "127.0.0.17") as first:
        codes = [
            (await first.post(LOGIN, json={"email": f"a{i}@example.com", **wrong})).status_code
            for i in range(LOGIN_RATE + 1)
        ]
        assert codes == [401] * LOGIN_RATE + [429]
        last = await first.post(LOGIN, json={"email": "a9@example.com", **wrong})
        assert last.json()["code"] == "rate_limited"  # the app's limit, keyed on 127.0.0.17
    # Another client through the same nginx has its own count, whatever it claims to be.
    async with from_address(deployment.url, "127.0.0.18") as second:
        resp = await second.post(
            LOGIN, json={"email": "b@example.com", **wrong}, headers={"X-Forwarded-For": "127.0.0.17"}
        )
        assert resp.status_code == 401
    # Straight to the app, X-Forwarded-For from anyone but nginx is ignored.
    async with from_address(deployment.app_url, "127.0.0.19") as direct:
        resp = await direct.post(
            LOGIN, json={"email": "c@example.com", **wrong}, headers={"X-Forwarded-For": "127.0.0.17"}
        )
        assert resp.status_code == 401


def test_the_production_config_passes_nginx_t(tmp_path: Path) -> None:
    """The TLS variant, rendered as the official image does, with throw-away certificates."""
    cert, key = self_signed(tmp_path, "workhub.example.com")
    shutil.copytree(NGINX_DIR / "workhub", tmp_path / "workhub")
    main = (NGINX_DIR / "nginx.conf").read_text()
    # Only the machine's paths change: this is not the image's filesystem.
    for old, new in {
        "user nginx;": "",
        "/var/run/nginx.pid": f"{tmp_path}/nginx.pid",
        "/var/log/nginx/": f"{tmp_path}/",
        "/var/cache/nginx/": f"{tmp_path}/cache/",
    }.items():
        assert old in main, old
        main = main.replace(old, new)
    (tmp_path / "nginx.conf").write_text(main)
    (tmp_path / "cache").mkdir()
    env = {
        "WORKHUB_SERVER_NAME": "workhub.example.com",
        "WORKHUB_TLS_CERTIFICATE": str(cert),
        "WORKHUB_TLS_CERTIFICATE_KEY": str(key),
    }
    template = (NGINX_DIR / "templates" / "workhub.conf.template").read_text()
    assert set(re.findall(r"\$\{(\w+)\}", template)) == set(env)
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "workhub.conf").write_text(re.sub(r"\$\{(\w+)\}", lambda m: env[m[1]], template))
    result = subprocess.run(
        [
            nginx_binary(),
            "-t",
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
            "-e",
            str(tmp_path / "error.log"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
