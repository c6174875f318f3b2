"""The API reference at /schema/scalar renders from WorkHub's own files, under its CSP, with no request elsewhere."""

from __future__ import annotations

from urllib.parse import urlparse

from playwright.async_api import expect

from tests.e2e.conftest import OpenPage, screenshot


async def test_the_api_reference_works_offline(open_page: OpenPage) -> None:
    page = await open_page(None, path="/health/live")
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    await page.goto("/schema/scalar")
    await expect(page.get_by_text("WorkHub API").first).to_be_visible(timeout=20_000)
    await expect(page.get_by_text("/api/v1/tasks/counts").first).to_be_attached()  # every route is listed
    assert hosts == {urlparse(page.url).netloc}, hosts  # nothing from a CDN
    await screenshot(page, "api-docs")
