"""Signing up, in and out, invitations and the project list, as a person meets them in the browser."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.e2e.conftest import Backend, OpenPage, assert_accessible, screenshot
from tests.support import PASSWORD


async def test_register_create_a_project_stay_signed_in_across_reloads_and_sign_out(
    open_page: OpenPage, backend: Backend
) -> None:
    page = await open_page(None, path="/projects")
    await expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Fprojects|/sign-in\?next=/projects"))
    await assert_accessible(page)
    await screenshot(page, "sign-in")
    await page.get_by_role("link", name="Create an account").click()
    await page.get_by_label("Your name").fill("Lena Lead")
    email = f"lena.{id(page)}@example.com"
    await page.get_by_label("Email").fill(email)
    await page.locator("#password").fill(PASSWORD)
    await assert_accessible(page)
    await page.get_by_test_id("register").click()

    await expect(page).to_have_url(re.compile(r"/projects$"))
    await expect(page.get_by_text("You are not in any project yet")).to_be_visible()
    await page.get_by_test_id("new-project").click()
    await page.get_by_label("Key").fill("ops")
    await page.get_by_label("Name", exact=True).fill("Operations")
    await page.get_by_test_id("create-project").click()
    await expect(page).to_have_url(re.compile(r"/projects/[0-9a-f-]+/board$"))

    await page.get_by_role("link", name="Projects").first.click()
    card = page.get_by_test_id("project-OPS")
    await expect(card).to_contain_text("Operations")
    await expect(card).to_contain_text("Owner")
    await expect(card.get_by_test_id("open-count")).to_have_text("no open tasks")
    await assert_accessible(page)
    await screenshot(page, "projects")

    # The access token lives in memory only: a reload signs in again from the refresh cookie.
    await page.reload()
    await expect(page.get_by_test_id("project-OPS")).to_be_visible()
    cookies = {c.get("name"): c for c in await page.context.cookies()}
    assert cookies["workhub_refresh"].get("httpOnly") is True  # no script on the page can read it

    await page.get_by_test_id("account").click()
    await page.get_by_role("menuitem", name="Sign out", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/sign-in"))
    await page.goto("/projects")
    await expect(page).to_have_url(re.compile(r"/sign-in"))


async def test_open_and_overdue_counts_and_a_wrong_password_in_the_users_language(
    open_page: OpenPage, backend: Backend
) -> None:
    lead = await backend.person("Lead", locale="ru")
    project = await backend.project(lead, key="CNT", name="Counted")
    await backend.task(project, lead, title="Late", deadline="2001-01-01T09:00:00Z")
    await backend.task(project, lead, title="Open")
    await backend.task(project, lead, title="Done", status="done")

    page = await open_page(None, locale="ru-RU", path="/sign-in")
    await expect(page.get_by_role("heading", name="Вход в WorkHub")).to_be_visible()
    await page.get_by_label("Эл. почта").fill(lead.email)
    await page.locator("#password").fill("not the password")
    await page.get_by_test_id("sign-in").click()
    await expect(page.get_by_test_id("form-error")).to_have_text("Неверная почта или пароль.")
    await page.locator("#password").fill(lead.password)
    await page.get_by_test_id("sign-in").click()
    card = page.get_by_test_id("project-CNT")
    await expect(card.get_by_test_id("open-count")).to_have_text("2 открытые")
    await expect(card.get_by_test_id("overdue-count")).to_have_text("1 просроченная")
    # The user's own setting wins over the browser's language once signed in.
    await backend.call("PATCH", "/api/v1/me", lead, {"locale": "en"})
    await page.reload()
    await expect(card.get_by_test_id("open-count")).to_have_text("2 open")


async def test_an_invitation_link_lets_a_newcomer_register_and_join(
    open_page: OpenPage, backend: Backend
) -> None:
    owner = await backend.person("Owner")
    project = await backend.project(owner, key="INV", name="Invited")
    email = f"newcomer.{id(project)}@example.com"
    invitation = await backend.call(
        "POST", f"/api/v1/projects/{project['id']}/invitations", owner, {"email": email, "role": "editor"}
    )
    link = invitation["accept_url"].removeprefix(backend.server.url)
    assert link.startswith("/invitations/")

    page = await open_page(None, path=link)
    await expect(page.get_by_test_id("invitation")).to_contain_text(
        f"{email} is invited to join Invited (INV) as Editor"
    )
    await assert_accessible(page)
    await page.get_by_test_id("register-to-accept").click()
    await expect(page.get_by_label("Email")).to_have_value(email)
    await page.get_by_label("Your name").fill("Newcomer")
    await page.locator("#password").fill(PASSWORD)
    await page.get_by_test_id("register").click()
    await expect(page).to_have_url(re.compile(r"/invitations/"))
    await page.get_by_test_id("accept-invitation").click()
    await expect(page).to_have_url(re.compile(rf"/projects/{project['id']}/board$"))
    members = await backend.call("GET", f"/api/v1/projects/{project['id']}/members", owner)
    assert {m["email"]: m["role"] for m in members["items"]}[email] == "editor"


async def test_a_phone_sized_screen_has_its_menu_in_a_drawer(open_page: OpenPage, backend: Backend) -> None:
    person = await backend.person("Phone")
    page = await open_page(person, width=360, height=740, path="/projects")
    await expect(page.get_by_role("button", name="Menu", exact=True)).to_be_visible()
    await page.get_by_role("button", name="Menu", exact=True).click()
    await page.get_by_role("dialog").get_by_role("link", name="My tasks").click()
    await expect(page).to_have_url(re.compile(r"/tasks\?assignee=me"))
    await page.goto("/projects")
    await assert_accessible(page)
    await screenshot(page, "projects-phone")
