"""The calendar, notifications and the profile, as a person meets them in the browser.

Dates are computed from now in the machine's own time zone, which is also the browser's: a test
never relies on a fixed calendar date that could turn from future to past.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from playwright.async_api import Page, Route, expect

from tests.e2e.conftest import Backend, OpenPage, assert_accessible, screenshot
from tests.support import PASSWORD


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> None:
    """Wait until ``check`` holds (what the page did reaches the API a moment later)."""
    async with asyncio.timeout(seconds):
        while True:
            if await check():
                return
            await asyncio.sleep(0.2)


async def drag(page: Page, source: Any, target: Any) -> None:
    """Press, move in steps and release, as a mouse does (FullCalendar waits for a few pixels of movement)."""
    start = await source.bounding_box()
    end = await target.bounding_box()
    assert start and end
    await page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    await page.mouse.down()
    await page.mouse.move(
        start["x"] + start["width"] / 2 + 10, start["y"] + start["height"] / 2 + 10, steps=5
    )
    await page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=20)
    await page.mouse.up()


def local(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone()


async def test_calendar_shows_moves_and_subscribes(open_page: OpenPage, backend: Backend) -> None:
    lead = await backend.person("Cal Lead")
    mate = await backend.person("Cal Mate")
    project = await backend.project(lead, name="Calendar")
    await backend.add_member(project, lead, mate)
    watched = await backend.project(mate, name="Watched")
    await backend.add_member(watched, mate, lead, role="viewer")

    now = datetime.now().astimezone()
    base = now.replace(hour=10, minute=0, second=0, microsecond=0)
    # A day to move to that stays in this month, whatever today is.
    target = base + timedelta(days=3) if base.day <= 20 else base - timedelta(days=3)
    moving = await backend.task(
        project, lead, title="Move me", deadline=base.isoformat(), priority="high", assignee_id=lead.id
    )
    late = await backend.task(
        project, lead, title="Late one", deadline=(now - timedelta(minutes=1)).isoformat()
    )
    fixed = await backend.task(watched, mate, title="Not mine to move", deadline=base.isoformat())

    page = await open_page(lead, path="/calendar")
    await expect(page.get_by_test_id("calendar")).to_have_attribute("data-live", "true")
    event = page.get_by_test_id(f"event-{moving['key']}")
    await expect(event).to_be_visible()
    await expect(event).to_contain_text("Move me")
    await expect(page.get_by_test_id(f"event-{late['key']}")).to_have_class(re.compile(r"\bwh-overdue\b"))
    # A viewer's tasks are shown but cannot be dragged.
    viewer_event = page.get_by_test_id(f"event-{fixed['key']}")
    await expect(viewer_event).to_be_visible()
    await expect(viewer_event).not_to_have_class(re.compile(r"fc-event-draggable"))
    await expect(event).to_have_class(re.compile(r"fc-event-draggable"))

    # Colour by priority: a high-priority task turns amber.
    await page.get_by_test_id("calendar-colour").get_by_text("By priority").click()
    await expect(event).to_have_css("background-color", "rgb(180, 83, 9)")
    await page.get_by_test_id("calendar-colour").get_by_text("By project").click()

    await assert_accessible(page)
    await screenshot(page, "calendar")

    # Dragging the task to another day moves its deadline there, at the same time of day.
    cell = page.locator(f'td.fc-daygrid-day[data-date="{target.date().isoformat()}"]')
    await drag(page, event, cell)

    async def moved() -> bool:
        task = await backend.call("GET", f"/api/v1/tasks/{moving['id']}", lead)
        return local(task["deadline"]).date() == target.date()

    await eventually(moved)
    task = await backend.call("GET", f"/api/v1/tasks/{moving['id']}", lead)
    assert (local(task["deadline"]).hour, local(task["deadline"]).minute) == (10, 0)
    assert task["version"] > moving["version"]
    await expect(cell.get_by_test_id(f"event-{moving['key']}")).to_be_visible()

    # A teammate's new task appears without a reload.
    await backend.task(project, mate, title="Pushed live", deadline=base.isoformat())
    await expect(page.get_by_text("Pushed live")).to_be_visible()

    # Month, week and day.
    views = page.get_by_test_id("calendar-view")
    await views.get_by_text("Week").click()
    await expect(page.locator(".fc-timeGridWeek-view")).to_be_visible()
    await views.get_by_text("Day").click()
    await expect(page.locator(".fc-timeGridDay-view")).to_be_visible()
    await page.get_by_test_id("calendar-today").click()
    await expect(page.get_by_test_id(f"event-{late['key']}")).to_be_visible()
    await assert_accessible(page)
    await views.get_by_text("Month").click()
    await expect(page.locator(".fc-dayGridMonth-view")).to_be_visible()

    # A click opens the task.
    await page.get_by_test_id(f"event-{late['key']}").click()
    await expect(page).to_have_url(re.compile(rf"/tasks/{late['id']}$"))
    await page.go_back()

    # A private feed for calendar apps: shown once, copied, served as iCalendar, then revoked.
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    await expect(page.get_by_test_id("no-feeds")).to_be_visible()
    await page.get_by_test_id("create-feed").click()
    url = await page.get_by_test_id("feed-url").input_value()
    assert "/api/v1/calendar/feeds/" in url
    assert url.endswith(".ics")
    await page.get_by_test_id("copy-feed").click()
    await expect(page.get_by_test_id("copy-status")).to_have_text("Link copied.")
    assert await page.evaluate("() => navigator.clipboard.readText()") == url
    ics = await backend.http.get(urlparse(url).path)
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert moving["key"] in ics.text
    await expect(page.get_by_test_id("feed-list")).to_contain_text("My tasks in all projects")
    await assert_accessible(page)
    await page.get_by_test_id("calendar-feeds").scroll_into_view_if_needed()
    await screenshot(page, "calendar-feeds")

    await page.get_by_test_id("revoke-feed").click()
    await page.get_by_test_id("confirm-revoke-feed").click()
    await expect(page.get_by_test_id("no-feeds")).to_be_visible()
    assert (await backend.http.get(urlparse(url).path)).status_code == 404


async def test_calendar_in_russian_starts_weeks_on_monday(open_page: OpenPage, backend: Backend) -> None:
    person = await backend.person("Календарь", locale="ru")
    page = await open_page(person, locale="ru-RU", path="/calendar")
    await expect(page.get_by_role("heading", name="Календарь", exact=True)).to_be_visible()
    first = page.locator(".fc-col-header-cell").first
    await expect(first).to_have_class(re.compile(r"\bfc-day-mon\b"))
    await expect(page.get_by_test_id("calendar-view")).to_contain_text("Месяц")
    await assert_accessible(page)
    # The header's switch retitles the range and moves the week's start to Sunday.
    await choose(page, "language", "English")
    await expect(page.get_by_test_id("calendar-title")).to_have_text(datetime.now().strftime("%B %Y"))
    await expect(page.locator(".fc-col-header-cell").first).to_have_class(re.compile(r"\bfc-day-sun\b"))


async def test_a_notification_arrives_live_and_is_read(open_page: OpenPage, backend: Backend) -> None:
    me = await backend.person("Nina Notified")
    boss = await backend.person("Boss")
    project = await backend.project(boss, name="Notes")
    await backend.add_member(project, boss, me)

    async def invited() -> bool:
        return (await backend.call("GET", "/api/v1/notifications/unread-count", me))["count"] > 0

    # The invitation's notification is made in the background: start from everything read.
    await eventually(invited)
    await backend.call("POST", "/api/v1/notifications/read-all", me)

    page = await open_page(me, path="/notifications")
    await expect(page.get_by_test_id("notifications")).to_have_attribute("data-live", "true")
    bell = page.get_by_test_id("bell")
    await expect(bell).to_have_attribute("aria-label", "Notifications, none unread")
    await expect(page.get_by_test_id("unread-count")).to_have_count(0)

    task = await backend.task(project, boss, title="Read the logs", assignee_id=me.id)
    await expect(page.get_by_test_id("unread-count")).to_have_text("1")
    await expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread")
    first = page.get_by_test_id("notification").first
    await expect(first).to_contain_text(f"You were assigned {task['key']}")
    await expect(first).to_have_attribute("data-unread", "true")
    # This page is the live list: no toast covers its buttons.
    await expect(page.get_by_test_id("notification-toast")).to_have_count(0)
    await assert_accessible(page)
    await screenshot(page, "notifications")

    # Opening it marks it read and goes to the task.
    await first.get_by_test_id("open-notification").click()
    await expect(page).to_have_url(re.compile(rf"/tasks/{task['id']}$"))
    await expect(page.get_by_test_id("unread-count")).to_have_count(0)
    await page.go_back()
    await expect(page.get_by_test_id("notification").first).to_have_attribute("data-unread", "false")

    # Two more; one read elsewhere (another tab, through the API) follows here; then all read.
    second = await backend.task(project, boss, title="Second", assignee_id=me.id)
    await backend.task(project, boss, title="Third", assignee_id=me.id)
    await expect(page.get_by_test_id("unread-count")).to_have_text("2")
    notes = await backend.call("GET", "/api/v1/notifications", me, unread="true")
    by_title = {n["title"]: n for n in notes["items"]}
    elsewhere = by_title[f"You were assigned {second['key']}"]
    await backend.call("POST", f"/api/v1/notifications/{elsewhere['id']}/read", me)
    await expect(page.get_by_test_id("unread-count")).to_have_text("1")
    await expect(
        page.get_by_test_id("notification").filter(has_text=f"You were assigned {second['key']}")
    ).to_have_attribute("data-unread", "false")
    await page.get_by_test_id("mark-all-read").click()
    await expect(page.get_by_test_id("unread-count")).to_have_count(0)
    await expect(page.locator('[data-testid="notification"][data-unread="true"]')).to_have_count(0)
    assert (await backend.call("GET", "/api/v1/notifications/unread-count", me))["count"] == 0

    # The unread filter.
    await page.get_by_text("Only unread").click()
    await expect(page.get_by_test_id("notifications-empty")).to_have_text("You have read everything.")

    # Elsewhere a toast opens what a new notification is about, and marks it read.
    await page.get_by_role("link", name="WorkHub").click()
    await expect(page).to_have_url(re.compile(r"/projects$"))
    fourth = await backend.task(project, boss, title="Fourth", assignee_id=me.id)
    await expect(page.get_by_test_id("unread-count")).to_have_text("1")
    toast = page.get_by_test_id("notification-toast").filter(has_text=f"You were assigned {fourth['key']}")
    await toast.get_by_test_id("notification-toast-open").click()
    await expect(page).to_have_url(re.compile(rf"/tasks/{fourth['id']}$"))
    await expect(page.get_by_test_id("unread-count")).to_have_count(0)


async def test_notification_preferences(open_page: OpenPage, backend: Backend) -> None:
    me = await backend.person("Pref Person")
    page = await open_page(me, path="/settings/notifications")
    # Without integrations only in-app exists, always on.
    await expect(page.get_by_test_id("only-in-app")).to_be_visible()
    await expect(page.get_by_test_id("kind-task_assigned")).to_have_text("A task was assigned to me")
    in_app = page.locator("#pref-task_assigned-in_app")
    await expect(in_app).to_be_checked()
    await expect(in_app).to_be_disabled()
    await expect(page.get_by_test_id("save-preferences")).to_have_count(0)
    await assert_accessible(page)

    # With a channel an integration offers (this server runs without plugins, so the API's answer
    # gains an "email" channel here, and the PUT is answered as the server would).
    sent: list[Any] = []
    real = await backend.call("GET", "/api/v1/me/notification-preferences", me)

    async def with_email(route: Route) -> None:
        if route.request.method == "PUT":
            body: Any = route.request.post_data_json
            sent.append(body)
            chosen = {k["kind"]: k["channels"] for k in body["kinds"]}
            kinds = [{**k, "channels": ["in_app", *chosen.get(k["kind"], [])]} for k in real["kinds"]]
            await route.fulfill(json={"channels": ["in_app", "email"], "kinds": kinds})
            return
        await route.fulfill(json={**real, "channels": ["in_app", "email"]})

    await page.route("**/api/v1/me/notification-preferences", with_email)
    await page.reload()
    await expect(page.get_by_test_id("only-in-app")).to_have_count(0)
    save = page.get_by_test_id("save-preferences")
    await expect(save).to_be_disabled()
    await page.locator("#pref-task_assigned-email").check()
    await expect(save).to_be_enabled()
    await save.click()
    await expect(page.get_by_test_id("preferences-saved")).to_have_text("Notification settings saved")
    assert sent == [{"kinds": [{"kind": "task_assigned", "channels": ["email"]}]}]
    await expect(page.locator("#pref-task_assigned-email")).to_be_checked()
    await expect(save).to_be_disabled()
    await expect(page.get_by_test_id("preferences-saved")).to_have_css("opacity", "1")
    await assert_accessible(page)

    # The real server takes a PUT of in-app only, and keeps in-app on.
    saved = await backend.call(
        "PUT",
        "/api/v1/me/notification-preferences",
        me,
        {"kinds": [{"kind": "comment", "channels": ["in_app"]}]},
    )
    assert all(k["channels"] == ["in_app"] for k in saved["kinds"])


async def choose(page: Page, testid: str, option: str | re.Pattern[str], search: str | None = None) -> None:
    """Pick an option of a PrimeVue Select (typing into its filter first when given)."""
    await page.get_by_test_id(testid).click()
    if search is not None:
        await page.locator(".p-select-overlay .p-select-filter").fill(search)
    await page.locator(".p-select-overlay").get_by_role("option", name=option).click()
    await expect(page.locator(".p-select-overlay")).to_have_count(0)


async def test_profile_saves_zone_digest_reminders_and_language(
    open_page: OpenPage, backend: Backend
) -> None:
    me = await backend.person("Pat Profile")
    page = await open_page(me, path="/profile")
    await expect(page.get_by_test_id("profile-email")).to_have_text(me.email)
    # The defaults: a day and an hour before.
    await expect(page.get_by_test_id("offset-1440")).to_contain_text("1 day before")
    await expect(page.get_by_test_id("offset-60")).to_contain_text("1 hour before")

    await choose(page, "profile-timezone", re.compile(r"^America\/New York \(UTC-0[45]:00\)$"), "New York")
    await choose(page, "profile-digest-hour", re.compile(r"^07:00( AM)?$"))
    await page.get_by_test_id("remove-offset-1440").click()
    await page.get_by_test_id("preset-15").click()
    await page.get_by_test_id("offset-amount").locator("input").fill("2")
    await page.get_by_test_id("add-offset").click()
    await expect(page.get_by_test_id("offset-120")).to_contain_text("2 hours before")
    # The matching preset is switched on (and done changing colour before the contrast check).
    await expect(page.get_by_test_id("preset-120")).to_have_attribute("aria-pressed", "true")
    await expect(page.get_by_test_id("preset-120")).to_have_css("background-color", "rgb(4, 120, 87)")
    await assert_accessible(page)
    await screenshot(page, "profile")
    await page.get_by_test_id("save-profile").click()
    await expect(page.get_by_test_id("profile-saved")).to_have_text("Profile saved")

    saved = await backend.call("GET", "/api/v1/me", me)
    assert saved["timezone"] == "America/New_York"
    assert saved["digest_hour"] == 7
    assert saved["digest_enabled"] is True
    assert saved["reminder_offsets"] == [120, 60, 15]

    await page.reload()
    await expect(page.get_by_test_id("profile-timezone")).to_contain_text("America/New York")
    await expect(page.get_by_test_id("offset-15")).to_contain_text("15 minutes before")

    # The digest can be switched off.
    await page.get_by_test_id("profile-digest").click()
    await page.get_by_test_id("save-profile").click()
    await expect(page.get_by_test_id("profile-saved")).to_have_text("Profile saved")
    assert (await backend.call("GET", "/api/v1/me", me))["digest_enabled"] is False

    # The language switches the whole UI at once, and is the user's setting.
    await choose(page, "profile-language", "Русский")
    await expect(page.get_by_role("heading", name="Профиль", exact=True)).to_be_visible()
    await expect(page.get_by_role("navigation").get_by_role("link", name="Проекты")).to_be_visible()
    await expect(page.get_by_test_id("offset-15")).to_contain_text("за 15 минут")
    await eventually(lambda: _locale_is(backend, me, "ru"))
    await assert_accessible(page)


async def _locale_is(backend: Backend, who: Any, locale: str) -> bool:
    return (await backend.call("GET", "/api/v1/me", who))["locale"] == locale


async def test_password_change_ends_other_sessions_and_sign_out_everywhere(
    open_page: OpenPage, backend: Backend
) -> None:
    me = await backend.person("Pass Changer")
    page = await open_page(me, path="/profile")
    new_password = PASSWORD + " again"

    await page.locator("#current-password").fill("not my password")
    await page.locator("#new-password").fill(new_password)
    await page.locator("#repeat-password").fill(new_password)
    await page.get_by_test_id("change-password").click()
    await expect(page.get_by_test_id("password-form").get_by_test_id("form-error")).to_have_text(
        "The current password is wrong."
    )

    await page.locator("#current-password").fill(me.password)
    await page.get_by_test_id("change-password").click()
    await expect(page.get_by_test_id("password-changed")).to_be_visible()
    # The API sign-in made by the fixture is another session: it has ended.
    other = await backend.http.get("/api/v1/me", headers=me.headers)
    assert other.status_code == 401
    login = await backend.http.post("/api/v1/auth/login", json={"email": me.email, "password": new_password})
    assert login.status_code == 200
    # This browser stays signed in.
    await page.reload()
    await expect(page.get_by_test_id("profile-email")).to_have_text(me.email)

    await page.get_by_test_id("sign-out-everywhere").click()
    await page.get_by_test_id("confirm-sign-out-everywhere").click()
    await expect(page).to_have_url(re.compile(r"/sign-in"))
    token = login.json()["access_token"]
    after = await backend.http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert after.status_code == 401


async def test_the_screens_fit_a_phone(open_page: OpenPage, backend: Backend) -> None:
    me = await backend.person("Phone Person")
    project = await backend.project(me, name="Phone")
    await backend.task(project, me, title="Small screen", deadline=datetime.now().astimezone().isoformat())
    page = await open_page(me, width=360, height=740, path="/calendar")
    for path, heading in (
        ("/calendar", "Calendar"),
        ("/notifications", "Notifications"),
        ("/settings/notifications", "Notification settings"),
        ("/profile", "Profile"),
    ):
        await page.goto(path)
        await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        await page.wait_for_load_state("networkidle")
        width = await page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, json.dumps({"path": path, "scrollWidth": width})
        await assert_accessible(page)
        await screenshot(page, f"{path.strip('/').replace('/', '-')}-phone")
