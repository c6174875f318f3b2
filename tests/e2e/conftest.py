"""End to end: the built dashboard in Debian's chromium, against ``workhub dev`` (web and worker) started here.

The server runs for the whole session on its own database (``workhub_e2e``
on the run's PostgreSQL) and Redis database 1, which the per-test clean-up
of the other tests does not touch; every test makes its own users and
projects, so tests do not see each other's data. It loads no plugin; a
module that needs one starts a server of its own with :func:`serve`. The dashboard is the real
build: ``WORKHUB_E2E_STATIC_DIR`` names one (``make test`` passes the build it
just made), otherwise it is built into a temporary folder once per session.

Browsers are driven with Playwright for Python using ``/usr/bin/chromium``
(``playwright install`` cannot download browsers here; the Makefile installs
Debian's chromium). Screenshots go to ``test-artifacts/screens`` (and of a
failing test's pages, ``test-artifacts/failures``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from tests.support import PASSWORD
from workhub.kernel.embedded import free_port
from workhub.migrate import upgrade
from workhub.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "src" / "dashboard"
ARTIFACTS = REPO / "test-artifacts"
WORKHUB = Path(sys.executable).with_name("workhub")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
_seq = count(1)


@dataclass
class E2EServer:
    """Where the running WorkHub listens, and its settings."""

    url: str
    database_url: str
    redis_url: str
    secret_key: str


@pytest.fixture(scope="session")
def dashboard_build() -> Iterator[Path]:
    """The built dashboard: the one ``WORKHUB_E2E_STATIC_DIR`` names, else a fresh build in a temporary folder."""
    given = os.environ.get("WORKHUB_E2E_STATIC_DIR")
    if given:
        assert (Path(given) / "index.html").is_file(), f"{given} holds no build of the dashboard"
        yield Path(given)
        return
    with tempfile.TemporaryDirectory(prefix="workhub-dashboard-") as out:
        subprocess.run(
            ["npx", "vite", "build", "--outDir", out, "--emptyOutDir"],
            cwd=DASHBOARD,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        yield Path(out)


@pytest.fixture(scope="session")
def e2e_server(settings: Settings, dashboard_build: Path) -> Iterator[E2EServer]:
    """``workhub dev`` on a database and Redis of its own, serving the build; stopped at the end."""
    with serve(settings, dashboard_build, database="workhub_e2e", redis_db=1) as server:
        yield server


@contextlib.contextmanager
def serve(
    settings: Settings, build: Path, *, database: str, redis_db: int, plugins: str = ""
) -> Iterator[E2EServer]:
    """``workhub dev`` (web and worker) on database ``database`` (made afresh) and Redis ``redis_db``.

    ``plugins`` is its ``WORKHUB_PLUGINS``: none for the shared server, so a
    plugin's additions (a notification channel, routes) change no other test;
    a test module that needs one starts a server of its own with it (Redis
    databases apart, so neither worker takes the other's jobs).
    """
    assert settings.database_url and settings.redis_url and settings.secret_key
    database_url = re.sub(r"/workhub_test(\?|$)", rf"/{database}\1", settings.database_url)
    redis_url = re.sub(r"/0$", f"/{redis_db}", settings.redis_url)
    _recreate_database(settings.database_url, database)
    upgrade(database_url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKHUB_") or k == "WORKHUB_CLOCK_OFFSET"}
    env |= {
        "WORKHUB_ENV": "test",
        "WORKHUB_DATABASE_URL": database_url,
        "WORKHUB_REDIS_URL": redis_url,
        "WORKHUB_SECRET_KEY": settings.secret_key,
        "WORKHUB_PORT": str(port),
        "WORKHUB_DEMO_DATA": "false",
        "WORKHUB_WEB_STATIC_DIR": str(build),
        "WORKHUB_DATA_DIR": tempfile.mkdtemp(prefix="workhub-e2e-data-"),
        "WORKHUB_LOGIN_RATE": "1000",
        "WORKHUB_REGISTER_RATE": "1000",
        "WORKHUB_USER_RATE": "100000",
        "WORKHUB_PLUGINS": plugins,
        "WORKHUB_LOG_LEVEL": "WARNING",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / ("e2e-server.log" if database == "workhub_e2e" else f"e2e-server-{database}.log")
    log = log_path.open("wb")
    proc = subprocess.Popen([str(WORKHUB), "dev"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, proc, log_path)
        yield E2EServer(
            url=url, database_url=database_url, redis_url=redis_url, secret_key=settings.secret_key
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _recreate_database(url: str, name: str) -> None:
    """An empty database ``name`` on the server of ``url`` (dropped first if a run left one)."""
    import asyncpg

    async def run() -> None:
        dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(run())


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    import time

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"workhub dev exited with {proc.returncode}: see {log_path}")
        try:
            if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("workhub dev did not become ready")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium, headless, for the whole session."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        await browser.close()


@dataclass
class Person:
    """A user made through the API; ``email``/``password`` sign in through the dashboard."""

    id: str
    name: str
    email: str
    password: str
    access_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


class Backend:
    """The running server's API, for arranging what a test starts from (people, projects, tasks)."""

    def __init__(self, server: E2EServer) -> None:
        self.server = server
        self.http = httpx.AsyncClient(base_url=server.url, timeout=15)

    async def person(
        self, name: str | None = None, *, locale: str = "en", admin: bool = False, role: str = "lead"
    ) -> Person:
        """A signed-in person: a lead (as anyone signing up on their own) unless asked otherwise."""
        n = next(_seq)
        name = name or f"Person {n}"
        email = f"e2e.{os.getpid()}.{n}@example.com"
        resp = await self.http.post(
            "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "name": name, "locale": locale},
        )
        assert resp.status_code == 201, resp.text
        user_id = resp.json()["id"]
        role = "admin" if admin else role
        if resp.json()["role"] != role:
            await self.set_role(user_id, role)
        login = await self.http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        return Person(user_id, name, email, PASSWORD, login.json()["access_token"])

    async def set_role(self, user_id: str, role: str) -> None:
        """Give a person a system role in the database (as an administrator would in the dashboard)."""
        import asyncpg

        conn = await asyncpg.connect(
            self.server.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        )
        try:
            await conn.execute("UPDATE user_account SET role = $2 WHERE id = $1", user_id, role)
        finally:
            await conn.close()

    async def call(self, method: str, path: str, who: Person, body: Any = None, **params: Any) -> Any:
        resp = await self.http.request(method, path, json=body, headers=who.headers, params=params or None)
        assert resp.status_code < 300, (method, path, resp.status_code, resp.text)
        return resp.json() if resp.content else None

    async def project(self, owner: Person, key: str | None = None, name: str = "Project") -> dict[str, Any]:
        key = key or f"E{next(_seq)}"
        return await self.call("POST", "/api/v1/projects", owner, {"key": key, "name": name})

    async def add_member(
        self, project: dict[str, Any], owner: Person, member: Person, role: str = "editor"
    ) -> None:
        """Invite ``member`` and accept for them, as the dashboard's invitation flow does."""
        invited = await self.call(
            "POST",
            f"/api/v1/projects/{project['id']}/invitations",
            owner,
            {"email": member.email, "role": role},
        )
        token = invited["accept_url"].rsplit("/", 1)[-1]
        await self.call("POST", f"/api/v1/invitations/{token}/accept", member)

    async def task(self, project: dict[str, Any], who: Person, **fields: Any) -> dict[str, Any]:
        return await self.call(
            "POST", f"/api/v1/projects/{project['id']}/tasks", who, {"title": "A task", **fields}
        )


@pytest.fixture
async def backend(e2e_server: E2EServer) -> AsyncIterator[Backend]:
    client = Backend(e2e_server)
    yield client
    await client.http.aclose()


OpenPage = Callable[..., Awaitable[Page]]


@pytest.fixture
async def open_page(
    browser: Browser, e2e_server: E2EServer, request: pytest.FixtureRequest
) -> AsyncIterator[OpenPage]:
    """Open a fresh browser context (one person's browser) and sign ``who`` in through the dashboard.

    ``open_page(who, locale="ru", width=360)``; ``who=None`` opens the sign-in page signed out.
    """
    contexts: list[BrowserContext] = []
    blocked: list[str] = []

    async def open_(
        who: Person | None = None,
        *,
        locale: str = "en-US",
        width: int = 1280,
        height: int = 860,
        path: str = "/",
    ) -> Page:
        context = await browser.new_context(
            base_url=e2e_server.url, locale=locale, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = await context.new_page()
        # The dashboard must run under its own Content-Security-Policy: anything it blocks fails the test.
        page.on(
            "console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None
        )
        if who is None:
            await page.goto(path)
            return page
        await page.goto(f"/sign-in?next={path}")
        await page.get_by_label(re.compile("^(Email|Эл. почта)$")).fill(who.email)
        await page.locator("#password").fill(who.password)
        await page.get_by_test_id("sign-in").click()
        await page.wait_for_url(lambda url: "/sign-in" not in url)
        return page

    yield open_
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        out = ARTIFACTS / "failures"
        out.mkdir(parents=True, exist_ok=True)
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                await page.screenshot(path=str(out / f"{request.node.name}-{n}-{m}.png"), full_page=True)
    for context in contexts:
        await context.close()
    assert blocked == [], f"the page's CSP blocked: {blocked}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """Keep each phase's report on the test, so the page fixture knows a test failed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


async def screenshot(page: Page, name: str) -> Path:
    """Keep a screenshot of a main screen as a test artifact (``test-artifacts/screens/<name>.png``)."""
    out = ARTIFACTS / "screens"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    await page.screenshot(path=str(path), full_page=False)
    return path


AXE = DASHBOARD / "node_modules" / "axe-core" / "axe.min.js"


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page once its animations have ended.

    A message fading in has not reached its colours yet: measured mid-way, its contrast would fail.
    """
    with contextlib.suppress(PlaywrightTimeoutError):
        await page.wait_for_function(
            "() => document.getAnimations().every(a => a.playState !== 'running')", timeout=3000
        )
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP (no inline scripts) does not govern.
        await page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = await page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    found = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in found
    ]


async def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violation on the page."""
    found = await serious_violations(page)
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)
