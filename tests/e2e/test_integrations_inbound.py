"""A project's integrations and its inbound log, in the browser, with the example plugin installed.

An owner turns the example plugin on in the project's settings (labels,
priority and the secret token), a sender posts a message to the project's
``example`` inbound endpoint with that token, the worker makes a task of it,
and the Inbound screen (open meanwhile) shows it processed, pushed over
Socket.IO, with a link to the task. The shared end-to-end server loads no
plugin, so this module starts one of its own with ``WORKHUB_PLUGINS=example``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import Backend, E2EServer, OpenPage, assert_accessible, screenshot, serve
from workhub.settings import Settings

TOKEN = "e2e-example-token-0123456789"


@pytest.fixture(scope="module")
def e2e_server(settings: Settings, dashboard_build: Path) -> Iterator[E2EServer]:
    """This module's server: the shared one's set-up, plus the example plugin (its own database and Redis)."""
    with serve(
        settings, dashboard_build, database="workhub_e2e_plugins", redis_db=3, plugins="example"
    ) as server:
        yield server


async def test_owner_turns_on_the_example_plugin_and_the_inbound_log_shows_the_task_it_made(
    backend: Backend, open_page: OpenPage
) -> None:
    owner = await backend.person("Olga Owner")
    viewer = await backend.person("Виктор Читатель", locale="ru")
    project = await backend.project(owner, name="Intake")
    await backend.add_member(project, owner, viewer, role="viewer")
    pid = project["id"]

    page = await open_page(owner, path=f"/projects/{pid}/settings")
    form = page.get_by_test_id("plugin-example")
    await expect(form.get_by_role("heading", name="Example")).to_be_visible()
    await expect(form.get_by_test_id("plugin-state")).to_have_text("Not configured")
    await expect(form.get_by_label("Enabled in this project")).to_be_checked()
    # The settings form comes from the plugin's schema: labels as tags (with the default), priority as a select.
    labels = form.get_by_test_id("setting-labels")
    await expect(labels.get_by_test_id("label-chip")).to_have_text(["example"])
    await labels.get_by_test_id("label-input").fill("from-e2e")
    await labels.get_by_test_id("label-input").press("Enter")
    await expect(labels.get_by_test_id("label-chip")).to_have_text(["example", "from-e2e"])
    await form.get_by_role("combobox", name="Priority").click()
    await page.get_by_role("option", name="High").click()
    # The secret is never prefilled; a short token is refused by the server, and the field says why.
    token = form.get_by_role("textbox", name="Token", exact=True)
    await expect(form.get_by_test_id("secret-state")).to_have_text("Not set")
    await expect(token).to_have_value("")
    await token.fill("too-short")
    await form.get_by_test_id("save-plugin").click()
    await expect(form.get_by_test_id("secret-token").get_by_test_id("field-error")).to_have_text(
        "At least 16 characters"
    )
    await token.fill(TOKEN)
    await form.get_by_test_id("save-plugin").click()
    await expect(page.get_by_text("Example: saved")).to_be_visible()
    await expect(form.get_by_test_id("plugin-state")).to_have_text("On")
    await expect(form.get_by_test_id("secret-state")).to_have_text("Set")
    await expect(token).to_have_value("")
    await expect(form.get_by_test_id("field-error")).to_have_count(0)
    await assert_accessible(page)
    await form.scroll_into_view_if_needed()
    await screenshot(page, "integrations")

    configured = await backend.call("GET", f"/api/v1/projects/{pid}/plugins", owner)
    example = next(p for p in configured if p["plugin"] == "example")
    assert example["settings"] == {"labels": ["example", "from-e2e"], "priority": "high"}
    assert example["secrets"] == {"token": True}

    # The Inbound screen is empty; a sender posts with the token, and the processed event appears live.
    await page.get_by_test_id("project-tab-project-inbound").click()
    await page.wait_for_url(re.compile(rf"/projects/{pid}/inbound$"))
    await expect(page.get_by_test_id("inbound-empty")).to_have_text("Nothing has arrived yet.")
    sent = await backend.http.post(
        f"/api/v1/projects/{pid}/inbound/example",
        json={"id": "msg-1", "text": "Printer on floor 3 is out of toner\nPlease order more."},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert sent.status_code == 202, sent.text
    event_id = sent.json()["id"]
    await expect(page.get_by_test_id(f"inbound-status-{event_id}")).to_have_text("Processed", timeout=20_000)
    log = page.get_by_test_id("inbound-log")
    await expect(page.get_by_test_id(f"inbound-text-{event_id}")).to_have_text(
        "Printer on floor 3 is out of toner Please order more."
    )
    await expect(log.get_by_text("example:msg-1")).to_be_visible()
    await expect(log.get_by_test_id("inbound-error")).to_have_count(0)
    await assert_accessible(page)
    await screenshot(page, "inbound")

    # The filters live in the address; nothing has failed.
    await page.get_by_test_id("inbound-status").click()
    await page.get_by_role("option", name="Failed").click()
    await page.wait_for_url(re.compile(r"\?status=failed$"))
    await expect(page.get_by_test_id("inbound-empty")).to_have_text("Nothing matches these filters.")
    await page.goto(f"/projects/{pid}/inbound?source=example")
    await expect(page.get_by_test_id("inbound-source")).to_have_value("example")

    # The link opens the task the worker made, with the project's labels and priority.
    await page.get_by_test_id(f"inbound-task-{event_id}").click()
    await page.wait_for_url(re.compile(r"/tasks/[0-9a-f-]{36}$"))
    task_id = page.url.rsplit("/", 1)[-1]
    task = await backend.call("GET", f"/api/v1/tasks/{task_id}", owner)
    assert task["title"] == "Printer on floor 3 is out of toner"
    assert sorted(task["labels"]) == ["example", "from-e2e"]
    assert task["priority"] == "high"
    await expect(page.get_by_text("Printer on floor 3 is out of toner").first).to_be_visible()

    # A viewer reads the log (and the task link), in Russian on a phone, but the settings offer them no integrations.
    theirs = await open_page(viewer, locale="ru-RU", width=360, path=f"/projects/{pid}/inbound")
    await expect(theirs.get_by_test_id(f"inbound-status-{event_id}")).to_have_text("Обработано")
    await expect(theirs.get_by_test_id(f"inbound-task-{event_id}")).to_have_text("Открыть задачу")
    await assert_accessible(theirs)
    await screenshot(theirs, "inbound-ru-phone")
    await theirs.get_by_test_id("project-tab-project-settings").click()
    await expect(theirs.get_by_test_id("member-count")).to_be_visible()
    await expect(theirs.get_by_test_id("integrations")).to_have_count(0)

    # Removing the configuration (confirmed) turns the source off: the endpoint no longer knows it.
    await page.goto(f"/projects/{pid}/settings")
    await form.get_by_test_id("remove-plugin").click()
    await page.get_by_test_id("confirm-remove-plugin").click()
    await expect(form.get_by_test_id("plugin-state")).to_have_text("Not configured")
    await expect(form.get_by_test_id("secret-state")).to_have_text("Not set")
    again = await backend.http.post(
        f"/api/v1/projects/{pid}/inbound/example",
        json={"id": "msg-2", "text": "Another"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert again.status_code == 404, again.text
