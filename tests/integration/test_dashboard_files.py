"""The dashboard's files as a browser fetches them: history-mode pages, immutable assets, API paths left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-3f2a9c.js"></script></head></html>'


@pytest.fixture
async def web(make_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An app serving a small build (what Vite writes) from a folder of the test's own."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "app-3f2a9c.js").write_text("console.log('WorkHub');")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    monkeypatch.setenv("WORKHUB_WEB_STATIC_DIR", str(tmp_path))
    return await make_client()


@pytest.mark.parametrize(
    "path", ["/", "/projects", "/tasks/0191b3a4-0000-7000-8000-000000000000", "/invitations/abc"]
)
async def test_every_page_path_answers_the_dashboard_and_it_is_never_cached(web: Any, path: str) -> None:
    resp = await web.get(path)
    assert resp.status_code == 200
    assert resp.text == INDEX
    assert resp.headers["content-type"].startswith("text/html")
    assert resp.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_cached_for_a_year(web: Any) -> None:
    resp = await web.get("/assets/app-3f2a9c.js")
    assert resp.status_code == 200
    assert "WorkHub" in resp.text
    assert resp.headers["cache-control"] == "max-age=31536000, public, immutable"
    assert (await web.get("/assets/missing-000.js")).status_code == 404
    icon = await web.get("/favicon.svg")
    assert icon.status_code == 200 and icon.headers["cache-control"] == "max-age=3600, public"
    assert icon.headers["content-type"] == "image/svg+xml"


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v2/tasks", "/health/nothing", "/socket.io-x"])
async def test_unknown_server_paths_stay_problems_not_pages(web: Any, path: str) -> None:
    resp = await web.get(path)
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")


async def test_the_api_still_answers_beside_the_fallback(web: Any) -> None:
    assert (await web.get("/api/v1/me")).status_code == 401
    assert (await web.get("/health/live")).status_code == 200
    assert (await web.get("/schema/openapi.json")).status_code == 200


async def test_without_a_build_the_page_says_how_to_make_one(
    make_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKHUB_WEB_STATIC_DIR", str(tmp_path / "empty"))
    client = await make_client()
    resp = await client.get("/projects")
    assert resp.status_code == 503 and "make run" in resp.text
