"""The whole story of a lead and a manager, in English and once in Russian, as two people live it in two browsers.

A lead registers, creates a project and invites a manager; the manager
registers from the invitation link; the lead sets a task for the manager;
the manager is told live, sees the task on their board, drags it to done;
the lead is told that everything they set is done; they write to each
other in the project's chat. Everything is done through the dashboard
(the API is only read, to check what the browser did).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Locator, Page, expect

from tests.e2e.conftest import Backend, OpenPage, Person, screenshot
from tests.e2e.test_tasks import _accessible, _card, _column, _drag, _pick, _until
from tests.support import PASSWORD

LIVE_MS = 15_000
"""How long a change pushed over Socket.IO may take to show (the relay runs in the worker)."""

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "browser": "en-US",
        "register": "Create an account",
        "name": "Your name",
        "email": "Email",
        "key": "Key",
        "project": "Name",
        "assigned": "You were assigned {key}",
        "all_done": "Everything you assigned in {project} is done",
        "task": "Prepare the quarterly report",
        "hello": "The report is done, have a look",
    },
    "ru": {
        "browser": "ru-RU",
        "register": "Создать учётную запись",
        "name": "Ваше имя",
        "email": "Эл. почта",
        "key": "Ключ",
        "project": "Название",
        "assigned": "Вам назначена задача {key}",
        "all_done": "Все ваши поручения в проекте «{project}» выполнены",
        "task": "Подготовить квартальный отчёт",
        "hello": "Отчёт готов, посмотрите",
    },
}


async def _register(page: Page, texts: dict[str, str], name: str, email: str) -> None:
    """Fill the registration form the page shows and send it."""
    await page.get_by_label(texts["name"]).fill(name)
    email_field = page.get_by_label(texts["email"])
    if await email_field.input_value() != email:
        await email_field.fill(email)
    await page.locator("#password").fill(PASSWORD)
    await page.get_by_test_id("register").click()


async def _signed_in(backend: Backend, name: str, email: str) -> Person:
    """The person the browser registered, signed in through the API too, to read what they see."""
    resp = await backend.http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    token = resp.json()["access_token"]
    me = (await backend.http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).json()
    return Person(me["id"], name, email, PASSWORD, token)


def _toast(page: Page, text: str) -> Locator:
    return page.get_by_test_id("notification-toast").filter(has_text=text)


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_a_lead_sets_a_task_for_a_manager_who_finishes_it(
    open_page: OpenPage, backend: Backend, language: str
) -> None:
    texts = TEXTS[language]
    suffix = f"{language}.{id(texts)}"
    key = f"FL{language.upper()}"

    # The lead signs up and creates a project.
    lead_page = await open_page(None, locale=texts["browser"], path="/sign-in")
    await lead_page.get_by_role("link", name=texts["register"]).click()
    lead_email = f"lead.{suffix}@example.com"
    await _register(lead_page, texts, "Lena Lead", lead_email)
    await expect(lead_page).to_have_url(re.compile(r"/projects$"))
    await lead_page.get_by_test_id("new-project").click()
    await lead_page.get_by_label(texts["key"], exact=True).fill(key.lower())
    await lead_page.get_by_label(texts["project"], exact=True).fill(f"Flow {language}")
    await lead_page.get_by_test_id("create-project").click()
    await expect(lead_page).to_have_url(re.compile(r"/projects/[0-9a-f-]+/board$"))
    project_id = lead_page.url.rsplit("/", 2)[-2]
    lead = await _signed_in(backend, "Lena Lead", lead_email)
    assert (await backend.call("GET", "/api/v1/me", lead))["locale"] == language

    # ...invites the manager as an editor and sends them the link.
    manager_email = f"manager.{suffix}@example.com"
    await lead_page.goto(f"/projects/{project_id}/settings")
    await lead_page.get_by_test_id("invite-email").fill(manager_email)
    await lead_page.get_by_test_id("invite").click()
    link = await lead_page.get_by_test_id("invitation-link").input_value()
    assert link.startswith(f"{backend.server.url}/invitations/")

    # The manager opens the link in their own browser, registers and joins.
    manager_page = await open_page(None, locale=texts["browser"], path=link.removeprefix(backend.server.url))
    await manager_page.get_by_test_id("register-to-accept").click()
    await expect(manager_page.get_by_label(texts["email"])).to_have_value(manager_email)
    await _register(manager_page, texts, "Mark Manager", manager_email)
    await expect(manager_page).to_have_url(re.compile(r"/invitations/"))
    await manager_page.get_by_test_id("accept-invitation").click()
    await expect(manager_page).to_have_url(re.compile(rf"/projects/{project_id}/board$"))
    manager = await _signed_in(backend, "Mark Manager", manager_email)
    await expect(lead_page.get_by_test_id(f"member-{manager_email}")).to_be_visible(timeout=LIVE_MS)

    # The lead adds a task on the board and assigns it to the manager on its page.
    await lead_page.goto(f"/projects/{project_id}/board")
    await lead_page.get_by_test_id("quick-add").fill(texts["task"])
    await lead_page.get_by_test_id("quick-add").press("Enter")
    await expect(_card(lead_page, f"{key}-1")).to_be_visible()
    # The manager's board shows it without a reload.
    await expect(_card(manager_page, f"{key}-1")).to_be_visible(timeout=LIVE_MS)
    tasks = await backend.call("GET", f"/api/v1/projects/{project_id}/tasks", lead)
    task: dict[str, Any] = tasks["items"][0]
    await lead_page.goto(f"/tasks/{task['id']}")
    await _pick(lead_page, lead_page.get_by_test_id("field-assignee"), "Mark Manager")

    # The manager is told at once, in their language, and the card carries their name.
    assigned = texts["assigned"].format(key=f"{key}-1")
    await expect(_toast(manager_page, assigned)).to_be_visible(timeout=LIVE_MS)
    await expect(manager_page.get_by_test_id("unread-count")).to_have_text("1")
    await expect(_card(manager_page, f"{key}-1")).to_contain_text("Mark Manager", timeout=LIVE_MS)
    await screenshot(manager_page, f"flow-board-{language}")

    # The manager drags it to done; the lead hears that everything they set is done.
    await _drag(
        manager_page, _card(manager_page, f"{key}-1"), _column(manager_page, "done").locator(".cards")
    )
    await expect(_column(manager_page, "done")).to_contain_text(texts["task"])

    async def done() -> bool:
        return (await backend.call("GET", f"/api/v1/tasks/{task['id']}", manager))["status"] == "done"

    await _until(done, "the drag to be saved")
    all_done = texts["all_done"].format(project=f"Flow {language}")
    await expect(_toast(lead_page, all_done)).to_be_visible(timeout=LIVE_MS)
    notes = await backend.call("GET", "/api/v1/notifications", lead)
    assert [n["title"] for n in notes["items"] if n["kind"] == "all_done"] == [all_done]
    # Its link opens the project's board.
    await _toast(lead_page, all_done).get_by_test_id("notification-toast-open").click()
    await expect(lead_page).to_have_url(re.compile(rf"/projects/{project_id}/board$"))
    await expect(_column(lead_page, "done")).to_contain_text(texts["task"])

    # They talk in the project's chat.
    await lead_page.goto(f"/projects/{project_id}/channels")
    await expect(lead_page.get_by_test_id("channel-title")).to_contain_text("general")
    await manager_page.goto(f"/projects/{project_id}/channels")
    await expect(manager_page.get_by_test_id("channel-title")).to_contain_text("general")
    await manager_page.get_by_test_id("composer").fill(f"{texts['hello']}: {key}-1")
    await manager_page.get_by_test_id("composer").press("Enter")
    await expect(lead_page.get_by_test_id("messages")).to_contain_text(texts["hello"], timeout=LIVE_MS)
    await lead_page.get_by_test_id("messages").get_by_role("link", name=f"{key}-1").click()
    await expect(lead_page).to_have_url(re.compile(rf"/tasks/{task['id']}$"))
    await _accessible(lead_page)
    await screenshot(lead_page, f"flow-task-{language}")
