"""Project settings (owners manage, others read) and administration (users, audit log, failed jobs) in the browser."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

from playwright.async_api import Page, expect

from tests.e2e.conftest import Backend, OpenPage, Person, assert_accessible, screenshot
from workhub.kernel.queue import SaqQueue

LIVE_MS = 15_000
"""How long a change pushed over Socket.IO may take to show (the relay runs in the worker)."""


def settings_path(project: dict[str, Any]) -> str:
    return f"/projects/{project['id']}/settings"


async def choose(page: Page, select_testid: str, option: str) -> None:
    """Pick ``option`` in a PrimeVue Select."""
    await page.get_by_test_id(select_testid).click()
    await page.get_by_role("option", name=option, exact=True).click()


async def confirm(page: Page, button: str) -> None:
    """Accept the confirmation dialog with its ``button``."""
    dialog = page.get_by_role("alertdialog")
    await dialog.get_by_role("button", name=button, exact=True).click()
    await expect(dialog).to_be_hidden()


async def accessible(page: Page) -> None:
    """``assert_accessible`` once transitions have ended (axe would judge a fading-in message by its faded colours)."""
    await page.evaluate(
        "() => Promise.all(document.getAnimations()"
        ".filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished.catch(() => null)))"
    )
    await assert_accessible(page)


async def members(backend: Backend, project: dict[str, Any], who: Person) -> dict[str, str]:
    page = await backend.call("GET", f"/api/v1/projects/{project['id']}/members", who)
    return {m["email"]: m["role"] for m in page["items"]}


async def test_an_owner_renames_invites_changes_a_role_removes_archives_and_restores(
    open_page: OpenPage, backend: Backend
) -> None:
    owner = await backend.person("Olga Owner")
    guest = await backend.person("Gleb Guest")
    project = await backend.project(owner, name="Settings")
    page = await open_page(owner, path=settings_path(project))

    header = page.get_by_test_id("project-header")
    await expect(header.get_by_role("heading", level=1)).to_have_text("Settings")
    for tab in ("Board", "List", "Chat", "Settings"):
        await expect(header.get_by_role("link", name=tab, exact=True)).to_be_visible()
    await expect(header.get_by_role("link", name="Settings", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    await expect(page.get_by_label("Key", exact=True)).to_have_value(project["key"])

    await page.get_by_test_id("settings-name").fill("Platform")
    await page.get_by_test_id("settings-description").fill("Everything about the platform")
    await page.get_by_test_id("save-project").click()
    await expect(header.get_by_role("heading", level=1)).to_have_text("Platform")
    stored = await backend.call("GET", f"/api/v1/projects/{project['id']}", owner)
    assert (stored["name"], stored["description"]) == ("Platform", "Everything about the platform")

    # Invite the guest as a viewer; the link is shown once, to copy and send.
    await page.get_by_test_id("invite-email").fill(guest.email)
    await choose(page, "invite-role", "Viewer")
    await page.get_by_test_id("invite").click()
    await expect(page.get_by_test_id("invitation-created")).to_contain_text(
        f"{guest.email} is invited as Viewer"
    )
    link = await page.get_by_test_id("invitation-link").input_value()
    assert link.startswith(f"{backend.server.url}/invitations/")
    await expect(page.get_by_test_id(f"invitation-{guest.email}")).to_be_visible()
    await accessible(page)

    guest_page = await open_page(guest, path=link.removeprefix(backend.server.url))
    await guest_page.get_by_test_id("accept-invitation").click()
    await expect(guest_page).to_have_url(re.compile(rf"/projects/{project['id']}/board$"))

    # The owner's screen learns of the new member over Socket.IO, and the invitation is no longer pending.
    await expect(page.get_by_test_id(f"member-{guest.email}")).to_be_visible(timeout=LIVE_MS)
    await expect(page.get_by_test_id(f"invitation-{guest.email}")).to_be_hidden(timeout=LIVE_MS)
    await expect(page.get_by_test_id("member-count")).to_have_text("2 members")

    await choose(page, f"member-role-{guest.email}", "Editor")
    await expect(page.get_by_text("Gleb Guest is now Editor")).to_be_visible()
    assert (await members(backend, project, owner))[guest.email] == "editor"

    await page.get_by_test_id(f"remove-{guest.email}").click()
    await confirm(page, "Remove from the project")
    await expect(page.get_by_test_id(f"member-{guest.email}")).to_be_hidden()
    assert guest.email not in await members(backend, project, owner)
    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, "project-settings")

    await page.get_by_test_id("archive-project").click()
    await confirm(page, "Archive")
    notice = page.get_by_test_id("archived-notice")
    await expect(notice).to_have_text("This project is archived and read-only. Restore it to make changes.")
    await expect(page.get_by_test_id("archived-tag")).to_be_visible()
    await expect(page.get_by_test_id("settings-name")).to_be_disabled()
    await expect(page.get_by_test_id("invite-form")).to_have_count(0)
    await expect(page.get_by_test_id(f"member-role-{owner.email}")).to_have_text("Owner")
    await page.reload()
    await expect(notice).to_be_visible()
    await accessible(page)

    await page.get_by_test_id("restore-project").click()
    await expect(notice).to_be_hidden()
    await expect(page.get_by_test_id("settings-name")).to_be_enabled()
    await expect(page.get_by_test_id("invite-form")).to_be_visible()
    assert (await backend.call("GET", f"/api/v1/projects/{project['id']}", owner))["archived"] is False


async def test_the_last_owner_can_be_neither_removed_nor_demoted_in_the_users_language(
    open_page: OpenPage, backend: Backend
) -> None:
    owner = await backend.person("Ольга Владелец", locale="ru")
    project = await backend.project(owner, name="Последний")
    page = await open_page(owner, locale="ru-RU", path=settings_path(project))
    await expect(page.get_by_test_id(f"member-{owner.email}")).to_be_visible()

    await page.get_by_test_id(f"remove-{owner.email}").click()
    await confirm(page, "Удалить из проекта")
    await expect(page.get_by_test_id("form-error")).to_have_text(
        "У проекта должен остаться хотя бы один владелец."
    )

    await choose(page, f"member-role-{owner.email}", "Редактор")
    await expect(page.get_by_test_id("form-error")).to_have_text(
        "У проекта должен остаться хотя бы один владелец."
    )
    # The refused change is not left on screen.
    await expect(page.get_by_test_id(f"member-role-{owner.email}")).to_contain_text("Владелец")
    assert await members(backend, project, owner) == {owner.email: "owner"}


async def test_a_viewer_sees_the_settings_read_only_on_a_phone_and_can_leave(
    open_page: OpenPage, backend: Backend
) -> None:
    owner = await backend.person("Owner of Read")
    viewer = await backend.person("Vera Viewer")
    project = await backend.project(owner, name="Read only")
    await backend.add_member(project, owner, viewer, role="viewer")
    # The invitation also notified the viewer; the header's unread badge belongs to the notification tests.
    await backend.call("POST", "/api/v1/notifications/read-all", viewer)
    page = await open_page(viewer, width=360, height=740, path=settings_path(project))

    await expect(page.get_by_test_id("read-only-notice")).to_have_text(
        "Your role is Viewer: the settings are read-only. Owners change them."
    )
    await expect(page.get_by_test_id("settings-name")).to_be_disabled()
    await expect(page.get_by_test_id("settings-name")).to_have_value("Read only")
    await expect(page.get_by_test_id("save-project")).to_have_count(0)
    await expect(page.get_by_test_id(f"member-role-{owner.email}")).to_have_text("Owner")
    await expect(page.get_by_test_id(f"member-role-{viewer.email}")).to_have_text("Viewer")
    await expect(page.get_by_test_id(f"remove-{owner.email}")).to_have_count(0)
    await expect(page.get_by_test_id("invite-form")).to_have_count(0)
    await expect(page.get_by_test_id("archive-project")).to_have_count(0)
    await accessible(page)
    await screenshot(page, "project-settings-viewer-phone")

    await page.get_by_test_id("leave-project").click()
    await confirm(page, "Leave the project")
    await expect(page).to_have_url(re.compile(r"/projects$"))
    assert viewer.email not in await members(backend, project, owner)


async def failed_job(backend: Backend, admin: Person) -> str:
    """A background job that failed its last attempt, through the real queue and worker.

    ``jobs.run_job`` with an id that is not a UUID raises, as a job whose code breaks would; with a
    single attempt it is kept as failed at once.
    """
    key = f"e2e-broken-{uuid.uuid4().hex[:8]}"
    queue = SaqQueue(backend.server.redis_url)
    await queue.connect()
    try:
        await queue.saq.enqueue("jobs.run_job", key=key, retries=1, job_id="not-a-job-id")
    finally:
        await queue.disconnect()
    for _ in range(150):
        page = await backend.call("GET", "/api/v1/admin/jobs/failed", admin, limit=200)
        if any(item["key"] == key for item in page["items"]):
            return key
        await asyncio.sleep(0.2)
    raise AssertionError(f"the job {key} did not fail")


async def test_an_admin_manages_users_reads_the_audit_log_and_retries_a_failed_job(
    open_page: OpenPage, backend: Backend
) -> None:
    admin = await backend.person(f"Ada Admin {uuid.uuid4().hex[:6]}", admin=True)
    target = await backend.person("Tom Target", role="manager")
    key = await failed_job(backend, admin)
    page = await open_page(admin, path="/admin/users")

    await expect(page.get_by_role("tab", name="Users")).to_have_attribute("aria-selected", "true")
    await page.get_by_test_id("user-search").fill(target.email)
    rows = page.get_by_test_id("users").locator("tbody tr")
    await expect(rows).to_have_count(1)
    await expect(page.get_by_test_id(f"user-{target.email}")).to_have_text("Tom Target")
    await choose(page, "user-role-filter", "Administrator")
    await expect(page.get_by_text("Nobody found.")).to_be_visible()
    await choose(page, "user-role-filter", "Manager")
    await expect(page.get_by_test_id(f"user-{target.email}")).to_be_visible()
    await accessible(page)
    await screenshot(page, "admin-users")

    # The administrator makes the manager a lead.
    await choose(page, f"role-{target.email}", "Lead")
    await expect(page.get_by_text("Changes to Tom Target saved")).to_be_visible()
    await page.get_by_test_id(f"active-{target.email}").click()
    await confirm(page, "Deactivate")
    row = rows.filter(has=page.get_by_test_id(f"user-{target.email}"))
    await expect(row).to_contain_text("Deactivated")
    found = await backend.call("GET", "/api/v1/admin/users", admin, q=target.email)
    assert [(u["role"], u["is_active"]) for u in found["items"]] == [("lead", False)]

    # The filters follow: a lead now, and deactivated.
    await choose(page, "user-role-filter", "Lead")
    await choose(page, "user-active-filter", "Deactivated")
    await expect(page.get_by_test_id(f"user-{target.email}")).to_be_visible()
    await choose(page, "user-active-filter", "Active")
    await expect(page.get_by_text("Nobody found.")).to_be_visible()

    # A deactivated account cannot sign in.
    signed_out = await open_page(None, path="/sign-in")
    await signed_out.get_by_label("Email").fill(target.email)
    await signed_out.locator("#password").fill(target.password)
    await signed_out.get_by_test_id("sign-in").click()
    await expect(signed_out.get_by_test_id("form-error")).to_have_text("Wrong email or password.")

    # The audit log shows both changes with their actor.
    await page.get_by_role("tab", name="Audit log").click()
    await expect(page).to_have_url(re.compile(r"/admin/audit$"))
    await page.get_by_label("Who").fill(admin.name)
    await page.get_by_role("option", name=re.compile(re.escape(admin.name))).click()
    audit = page.get_by_test_id("audit")
    role_row = audit.locator("tbody tr").filter(has_text="System role changed")
    await expect(role_row).to_contain_text(admin.name)
    await expect(role_row).to_contain_text("Role: Manager → Lead")
    active_row = audit.locator("tbody tr").filter(has_text="Account changed")
    await expect(active_row.first).to_contain_text("Active: Yes → No")
    await expect(active_row.first).to_contain_text("User: Tom Target")
    await expect(audit.locator("tbody tr").filter(has_text="Tom Target").first).to_contain_text(admin.name)
    await accessible(page)
    await screenshot(page, "admin-audit")

    await page.get_by_role("tab", name="All tasks").click()
    await expect(page).to_have_url(re.compile(r"/admin/tasks$"))
    await accessible(page)

    await page.get_by_role("tab", name="Failed jobs").click()
    await expect(page).to_have_url(re.compile(r"/admin/jobs$"))
    job = (
        page.get_by_test_id("failed-jobs")
        .locator("tbody tr")
        .filter(has=page.get_by_test_id(f"failed-{key}"))
    )
    await expect(job).to_contain_text("jobs.run_job")
    await expect(job).to_contain_text("ValueError")
    await expect(job).to_contain_text('{"job_id":"not-a-job-id"}')
    await accessible(page)
    await screenshot(page, "admin-jobs")
    await page.get_by_test_id(f"retry-{key}").click()
    await expect(page.get_by_text("jobs.run_job is queued again")).to_be_visible()
    await expect(job).to_have_count(0)
    retried = await backend.call("GET", "/api/v1/admin/audit", admin, action="job.retried", actor=admin.id)
    assert [e["changes"]["key"] for e in retried["items"]] == [[None, key]]

    phone = await open_page(admin, width=360, height=740, path="/admin/audit")
    await expect(phone.get_by_role("tab", name="Audit log")).to_have_attribute("aria-selected", "true")
    await expect(phone.get_by_test_id("audit").locator("tbody tr").first).to_be_visible()
    await accessible(phone)
    await screenshot(phone, "admin-audit-phone")


async def test_someone_who_is_not_an_admin_lands_on_projects(open_page: OpenPage, backend: Backend) -> None:
    member = await backend.person("Not An Admin")
    page = await open_page(member, path="/admin/users")
    await expect(page).to_have_url(re.compile(r"/projects$"))
    await expect(page.get_by_role("link", name="Administration")).to_have_count(0)
