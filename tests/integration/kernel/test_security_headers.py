"""Security headers on each kind of response: API JSON, errors, dashboard pages and assets, the API docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import Api

COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def assert_common(resp: Any) -> None:
    for name, value in COMMON.items():
        assert resp.headers.get(name) == value, (name, resp.headers)
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]


@pytest.fixture
async def web(make_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>WorkHub</title>")
    (tmp_path / "assets" / "app-1a2b.js").write_text("1")
    monkeypatch.setenv("WORKHUB_WEB_STATIC_DIR", str(tmp_path))
    return await make_client()


async def test_authenticated_json_is_never_stored_by_caches(web: Any) -> None:
    user = await Api(web).user()
    resp = await web.get("/api/v1/me", headers=user.headers)
    assert resp.status_code == 200
    assert_common(resp)
    assert resp.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in resp.headers["content-security-policy"]


async def test_errors_carry_them_too(web: Any) -> None:
    resp = await web.get("/api/v1/me")
    assert resp.status_code == 401
    assert_common(resp)
    missing = await web.get("/api/v1/no-such-route", headers={"Authorization": "Bearer x"})
    assert missing.status_code in (401, 404)
    assert_common(missing)


async def test_dashboard_pages_get_a_policy_for_their_own_scripts_only(web: Any) -> None:
    page = await web.get("/projects")
    assert_common(page)
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "connect-src 'self' ws: wss:" in csp and "object-src 'none'" in csp
    assert page.headers["cache-control"] == "no-cache"  # the page's own rule, not replaced
    asset = await web.get("/assets/app-1a2b.js")
    assert_common(asset)
    assert "immutable" in asset.headers["cache-control"]


async def test_the_api_docs_page_may_load_its_viewer(web: Any) -> None:
    docs = await web.get("/schema/scalar")
    assert docs.status_code == 200
    assert_common(docs)
    assert "script-src 'self';" in docs.headers["content-security-policy"]
    # Its viewer is WorkHub's own file, configured by an attribute: no CDN, no inline script to allow.
    assert '<script src="/scalar-api-reference.js"></script>' in docs.text
    assert "cdn." not in docs.text and "<script>" not in docs.text
