"""The board, the task lists and the task page, as people meet them in the browser."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Locator, Page, Request, WebSocketRoute, expect

from tests.e2e.conftest import Backend, OpenPage, Person, assert_accessible, screenshot

OVERLAYS = ".p-select-overlay, .p-multiselect-overlay, .p-datepicker-panel:not(.p-datepicker-panel-inline), .p-menu-overlay"


async def _until(check: Callable[[], Awaitable[Any]], what: str, seconds: float = 15) -> Any:
    """Poll until ``check()`` answers something truthy (the API after the browser acted)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        found = await check()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def _accessible(page: Page) -> None:
    """axe once overlays have closed and transitions have ended (a half-faded text has no contrast)."""
    await expect(page.locator(OVERLAYS)).to_have_count(0)
    await expect(
        page.locator(".p-message-enter-active, .p-overlay-mask-leave-active, .p-toast-message")
    ).to_have_count(0)
    await assert_accessible(page)


async def _pick(page: Page, field: Locator, option: str) -> None:
    """Choose an option of a PrimeVue Select."""
    await field.click()
    await page.locator(OVERLAYS).get_by_role("option", name=option, exact=True).click()
    await expect(page.locator(OVERLAYS)).to_have_count(0)


async def _task(backend: Backend, who: Person, task_id: str) -> dict[str, Any]:
    return await backend.call("GET", f"/api/v1/tasks/{task_id}", who)


def _column(page: Page, status: str) -> Locator:
    return page.get_by_test_id(f"column-{status}")


def _card(page: Page, key: str) -> Locator:
    return page.get_by_test_id(f"card-{key}")


async def _drag(page: Page, card: Locator, target: Locator, *, above: bool = True) -> None:
    """Drag ``card`` by its top row onto ``target`` (a card: dropped above or below it; a column: into it)."""
    handle = card.locator(".key")
    await handle.scroll_into_view_if_needed()
    start = await handle.bounding_box()
    end = await target.bounding_box()
    assert start and end
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    await page.mouse.move(x, y)
    await page.mouse.down()
    await page.mouse.move(x + 8, y + 8, steps=4)
    ty = end["y"] + (end["height"] * (0.25 if above else 0.75))
    await page.mouse.move(end["x"] + end["width"] / 2, ty, steps=20)
    await page.mouse.move(end["x"] + end["width"] / 2 + 1, ty + 1, steps=2)
    await page.mouse.up()


def _patches(page: Page) -> list[Request]:
    """Every PATCH of a task the page sends from now on."""
    sent: list[Request] = []

    def record(request: Request) -> None:
        if request.method == "PATCH" and re.search(r"/api/v1/tasks/[0-9a-f-]+$", request.url):
            sent.append(request)

    page.on("request", record)
    return sent


async def _team(backend: Backend, key: str) -> tuple[Person, Person, dict[str, Any]]:
    lead = await backend.person("Lena Lead")
    mate = await backend.person("Mark Mate")
    project = await backend.project(lead, key=key, name=f"Project {key}")
    await backend.add_member(project, lead, mate)
    return lead, mate, project


async def test_board_columns_and_a_drag_to_done_is_one_patch(open_page: OpenPage, backend: Backend) -> None:
    lead, mate, project = await _team(backend, "BRD")
    first = await backend.task(project, lead, title="Write the plan", priority="high", labels=["plan"])
    await backend.task(project, lead, title="Call the bank", status="in_progress", assignee_id=mate.id)
    await backend.task(project, lead, title="Order chairs", status="done")
    await backend.task(project, lead, title="Old idea", status="cancelled")
    await backend.task(
        project, lead, title="Latest", deadline=(datetime.now(UTC) + timedelta(days=2)).isoformat()
    )

    page = await open_page(lead, path=f"/projects/{project['id']}/board")
    await expect(_column(page, "todo").get_by_test_id("card-title")).to_have_text(
        ["Latest", "Write the plan"]
    )
    await expect(_column(page, "in_progress")).to_contain_text("Call the bank")
    await expect(_column(page, "in_progress")).to_contain_text("Mark Mate")
    await expect(_column(page, "done")).to_contain_text("Order chairs")
    # Cancelled is folded away until asked for.
    await expect(_column(page, "cancelled").get_by_test_id("column-count")).to_have_text("1")
    await expect(_column(page, "cancelled").get_by_test_id("card-BRD-4")).to_be_hidden()
    await _column(page, "cancelled").get_by_test_id("column-toggle").click()
    await expect(_card(page, "BRD-4")).to_be_visible()
    await expect(page.get_by_test_id("tab-chat")).to_have_attribute(
        "href", f"/projects/{project['id']}/channels"
    )
    await _accessible(page)
    await screenshot(page, "board")

    sent = _patches(page)
    await _drag(page, _card(page, "BRD-1"), _card(page, "BRD-3"), above=True)
    # Shown at once, before the server answers...
    await expect(_column(page, "done").get_by_test_id("card-title")).to_have_text(
        ["Write the plan", "Order chairs"]
    )
    await expect(_column(page, "todo").get_by_test_id("card-title")).to_have_text(["Latest"])
    # ...and saved with one request carrying both the status and the place.
    moved = await _until(
        lambda: _done(backend, lead, first["id"]),
        "the task to be done",
    )
    assert moved["position"] < -3  # above "Order chairs" (position -3)
    assert len(sent) == 1, [r.url for r in sent]
    history = await backend.call("GET", f"/api/v1/tasks/{first['id']}/history", lead)
    change = history["items"][0]
    assert change["action"] == "task.updated"
    assert change["changes"]["status"] == ["todo", "done"]
    assert change["changes"]["position"][1] == moved["position"]
    await page.reload()
    await expect(_column(page, "done").get_by_test_id("card-title")).to_have_text(
        ["Write the plan", "Order chairs"]
    )

    # The same card, moved back from the keyboard: Alt+arrow.
    await _card(page, "BRD-1").get_by_test_id("card-title").focus()
    await page.keyboard.press("Alt+ArrowLeft")
    await expect(_column(page, "in_progress")).to_contain_text("Write the plan")
    await _until(lambda: _status(backend, lead, first["id"], "in_progress"), "the keyboard move to be saved")


async def _done(backend: Backend, who: Person, task_id: str) -> dict[str, Any] | None:
    task = await _task(backend, who, task_id)
    return task if task["status"] == "done" else None


async def _status(backend: Backend, who: Person, task_id: str, status: str) -> dict[str, Any] | None:
    task = await _task(backend, who, task_id)
    return task if task["status"] == status else None


async def test_a_second_person_sees_new_and_moved_tasks_without_reloading(
    open_page: OpenPage, backend: Backend
) -> None:
    lead, mate, project = await _team(backend, "LIV")
    await backend.task(project, lead, title="Existing")
    board = f"/projects/{project['id']}/board"
    mine = await open_page(lead, path=board)
    theirs = await open_page(mate, path=board)
    await expect(_card(theirs, "LIV-1")).to_be_visible()
    await expect(_card(mine, "LIV-1")).to_be_visible()

    await mine.get_by_test_id("quick-add").fill("Made in the browser")
    await mine.get_by_test_id("quick-add").press("Enter")
    await expect(_column(mine, "todo").get_by_test_id("card-title").first).to_have_text("Made in the browser")
    await expect(_column(theirs, "todo").get_by_test_id("card-title").first).to_have_text(
        "Made in the browser"
    )

    await _drag(mine, _card(mine, "LIV-2"), _column(mine, "in_progress").locator(".cards"))
    await expect(_column(theirs, "in_progress")).to_contain_text("Made in the browser")
    await expect(_column(theirs, "todo")).not_to_contain_text("Made in the browser")

    # A change made elsewhere (the API) reaches both boards; an older copy never overwrites it.
    task = (await backend.call("GET", f"/api/v1/projects/{project['id']}/tasks", lead, q="Existing"))[
        "items"
    ][0]
    await backend.call(
        "PATCH",
        f"/api/v1/tasks/{task['id']}",
        lead,
        {"version": task["version"], "title": "Renamed", "status": "done"},
    )
    for page in (mine, theirs):
        await expect(_column(page, "done")).to_contain_text("Renamed")
    await backend.call("DELETE", f"/api/v1/tasks/{task['id']}", lead)
    for page in (mine, theirs):
        await expect(_card(page, "LIV-1")).to_have_count(0)


async def test_list_filters_live_in_the_url_sort_and_bulk_status(
    open_page: OpenPage, backend: Backend
) -> None:
    lead, mate, project = await _team(backend, "LST")
    soon = datetime.now(UTC) + timedelta(days=1)
    await backend.task(
        project, lead, title="Low one", priority="low", deadline=(soon + timedelta(days=3)).isoformat()
    )
    await backend.task(
        project, lead, title="Urgent one", priority="urgent", labels=["ops"], assignee_id=mate.id
    )
    await backend.task(
        project, lead, title="High one", priority="high", labels=["ops"], deadline=soon.isoformat()
    )
    await backend.task(project, lead, title="Normal one", deadline=(soon + timedelta(days=1)).isoformat())

    page = await open_page(lead, path=f"/projects/{project['id']}/list")
    table = page.get_by_test_id("task-table")
    await expect(table.locator("tbody tr")).to_have_count(4)
    await expect(table.locator(".title-link")).to_have_text(
        ["Normal one", "High one", "Urgent one", "Low one"]
    )
    await _accessible(page)
    await screenshot(page, "task-list")

    # Sorting by a column header goes into the URL.
    await table.get_by_role("columnheader", name="Priority").click()
    await expect(page).to_have_url(re.compile(r"sort=priority"))
    await expect(table.locator(".title-link")).to_have_text(
        ["Low one", "Normal one", "High one", "Urgent one"]
    )
    await table.get_by_role("columnheader", name="Deadline").click()
    await expect(page).to_have_url(re.compile(r"sort=deadline"))
    await expect(table.locator(".title-link")).to_have_text(
        ["High one", "Normal one", "Low one", "Urgent one"]
    )

    # Filters too, and a reload (or a shared link) shows the same list.
    await page.get_by_test_id("filter-q").fill("one")
    await page.get_by_test_id("filter-labels").click()
    await page.get_by_role("option", name="ops").click()
    await page.keyboard.press("Escape")
    await expect(page).to_have_url(re.compile(r"label=ops"))
    await expect(page).to_have_url(re.compile(r"q=one"))
    await expect(table.locator(".title-link")).to_have_text(["High one", "Urgent one"])
    await page.reload()
    await expect(table.locator(".title-link")).to_have_text(["High one", "Urgent one"])
    await expect(page.get_by_test_id("filter-q")).to_have_value("one")

    await page.goto(f"/projects/{project['id']}/list?assignee={mate.id}")
    await expect(table.locator(".title-link")).to_have_text(["Urgent one"])
    await page.goto(f"/projects/{project['id']}/list?priority=low,normal&sort=-number")
    await expect(table.locator(".title-link")).to_have_text(["Normal one", "Low one"])

    # Bulk: select both, set them Done; one PATCH each, with its version.
    sent = _patches(page)
    await table.locator("tbody tr").nth(0).get_by_role("checkbox").check()
    await table.locator("tbody tr").nth(1).get_by_role("checkbox").check()
    await expect(page.get_by_test_id("bulk-count")).to_have_text("2 tasks selected")
    await _pick(page, page.get_by_test_id("bulk-status"), "Done")
    await page.get_by_test_id("bulk-status-apply").click()
    await expect(table.locator("[data-testid=row-status]")).to_have_text(["Done", "Done"])

    async def both_done() -> bool:
        listed = await backend.call(
            "GET", f"/api/v1/projects/{project['id']}/tasks", lead, priority="low,normal"
        )
        return [t["status"] for t in listed["items"]] == ["done", "done"]

    await _until(both_done, "both tasks to be done")
    assert len(sent) == 2, [r.url for r in sent]


async def test_bulk_changes_report_each_failure(open_page: OpenPage, backend: Backend) -> None:
    lead, mate, project = await _team(backend, "BLK")
    outsider = await backend.person("Olly Outsider")
    other = await backend.project(outsider, key="BLO", name="Other")
    await backend.add_member(other, outsider, lead)
    await backend.task(project, lead, title="Here")
    await backend.task(other, outsider, title="There")

    page = await open_page(lead, path="/tasks")
    table = page.get_by_test_id("task-table")
    await expect(table.locator("tbody tr")).to_have_count(2)
    await table.get_by_role("checkbox", name=re.compile("All|Select all", re.I)).first.check()
    await expect(page.get_by_test_id("bulk-count")).to_have_text("2 tasks selected")
    # Mark is a member of BLK only: assigning him the BLO task fails, and says so.
    await _pick(page, page.get_by_test_id("bulk-assignee"), "Mark Mate")
    await page.get_by_test_id("bulk-assignee-apply").click()
    failures = page.get_by_test_id("bulk-failures")
    await expect(failures).to_contain_text("1 task was not changed")
    await expect(failures).to_contain_text("BLO-1")
    await expect(failures).to_contain_text("member of the project")
    here = (await backend.call("GET", f"/api/v1/projects/{project['id']}/tasks", lead))["items"][0]
    assert here["assignee_id"] == mate.id


async def test_task_page_edits_comments_reminders_and_history(open_page: OpenPage, backend: Backend) -> None:
    lead, mate, project = await _team(backend, "TSK")
    await backend.call("PATCH", "/api/v1/me", lead, {"timezone": "Europe/Moscow"})
    task = await backend.task(project, lead, title="Draft the offer", description="See **the brief**")

    page = await open_page(lead, path=f"/tasks/{task['id']}")
    await expect(page.get_by_test_id("task-title")).to_have_text("Draft the offer")
    await expect(page.get_by_test_id("task-description").locator("strong")).to_have_text("the brief")
    await expect(page.get_by_test_id("task-source")).to_contain_text("Web")

    await page.get_by_test_id("title-edit").click()
    await page.get_by_test_id("title-input").fill("Send the offer")
    await page.get_by_test_id("title-input").press("Enter")
    await expect(page.get_by_test_id("task-title")).to_have_text("Send the offer")

    await _pick(page, page.get_by_test_id("field-assignee"), "Mark Mate")
    deadline = page.get_by_label("Deadline", exact=True)
    # The browser keeps the machine's clock: a deadline a few years ahead of today stays in the future.
    year = datetime.now(UTC).year + 5
    await deadline.fill(f"05/01/{year} 18:30")
    await deadline.press("Escape")
    await page.get_by_test_id("task-title").click()

    async def saved() -> dict[str, Any] | None:
        now = await _task(backend, lead, task["id"])
        return now if now["deadline"] and now["assignee_id"] == mate.id else None

    now = await _until(saved, "the title, assignee and deadline to be saved")
    assert now["title"] == "Send the offer"
    expected = datetime(year, 5, 1, 18, 30, tzinfo=ZoneInfo("Europe/Moscow"))
    assert datetime.fromisoformat(now["deadline"]) == expected

    # A comment mentioning Mark, picked from the suggestions.
    box = page.get_by_label("New comment")
    await box.click()
    await box.press_sequentially("Please check @Mar")
    await expect(page.get_by_test_id("mention-suggestions")).to_contain_text("Mark Mate")
    await box.press("Enter")
    await expect(box).to_have_value("Please check @MarkMate ")
    await box.press_sequentially("today")
    await page.get_by_test_id("comment-post").click()
    await expect(page.get_by_test_id("comments")).to_contain_text("Please check @MarkMate today")

    async def told() -> bool:
        notes = await backend.call("GET", "/api/v1/notifications", mate)
        return any(n["kind"] == "comment" for n in notes["items"])

    await _until(told, "Mark to be told of the mention")

    # A reminder half an hour before the deadline.
    await page.get_by_label("Minutes before the deadline").fill("30")
    await page.get_by_test_id("reminder-add").click()
    await expect(page.get_by_test_id("reminders")).to_contain_text("30 minutes before the deadline")
    reminders = await backend.call("GET", f"/api/v1/tasks/{task['id']}/reminders", lead)
    assert any(r["offset_minutes"] == 30 and r["origin"] == "task" for r in reminders)

    history = page.get_by_test_id("history")
    await expect(history).to_contain_text("Draft the offer")
    await expect(history).to_contain_text("Send the offer")
    await expect(history).to_contain_text("Mark Mate")
    await expect(history).to_contain_text(str(year))
    await expect(history).to_contain_text("added a reminder")
    await expect(history).to_contain_text("Lena Lead")
    await _accessible(page)
    await screenshot(page, "task")

    # Delete and restore (an owner may).
    await page.get_by_test_id("task-delete").click()
    await page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    await expect(page.get_by_test_id("task-deleted")).to_be_visible()
    await page.get_by_test_id("task-restore").click()
    await expect(page.get_by_test_id("task-deleted")).to_have_count(0)
    assert (await _task(backend, lead, task["id"]))["title"] == "Send the offer"


async def test_a_stale_edit_shows_the_conflict_and_the_current_task(
    open_page: OpenPage, backend: Backend
) -> None:
    lead, _mate, project = await _team(backend, "CNF")
    task = await backend.task(project, lead, title="Original")
    # The page's Socket.IO traffic passes through here, so a push can be held back at will.
    muted = False

    def relay(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        ws.on_message(server.send)
        server.on_message(lambda message: None if muted else ws.send(message))

    page = await open_page(lead, path="/projects")
    await page.route_web_socket(re.compile(r"/socket\.io/"), relay)
    await page.goto(f"/tasks/{task['id']}")
    await expect(page.get_by_test_id("task-title")).to_have_text("Original")
    # Changed behind the page's back, without a push reaching it first.
    muted = True
    await backend.call(
        "PATCH", f"/api/v1/tasks/{task['id']}", lead, {"version": 1, "title": "Changed elsewhere"}
    )
    await page.wait_for_timeout(500)
    muted = False
    await page.get_by_test_id("title-edit").click()
    await page.get_by_test_id("title-input").fill("Mine")
    await page.get_by_test_id("title-input").press("Enter")
    await expect(page.get_by_test_id("task-title")).to_have_text("Changed elsewhere")
    await expect(page.get_by_test_id("form-error")).to_contain_text("Someone changed this in the meantime")


async def test_overdue_badge_and_filter(open_page: OpenPage, backend: Backend) -> None:
    lead, _mate, project = await _team(backend, "OVD")
    past = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    await backend.task(project, lead, title="Late one", deadline=past)
    await backend.task(project, lead, title="Late and started", status="in_progress", deadline=past)
    await backend.task(
        project, lead, title="On time", deadline=(datetime.now(UTC) + timedelta(days=5)).isoformat()
    )
    await backend.task(project, lead, title="Done late", status="done", deadline=past)

    page = await open_page(lead, path=f"/projects/{project['id']}/board")
    await expect(_card(page, "OVD-1").get_by_test_id("overdue-badge")).to_be_visible()
    await expect(_card(page, "OVD-2").get_by_test_id("overdue-badge")).to_be_visible()
    await expect(_card(page, "OVD-3").get_by_test_id("overdue-badge")).to_have_count(0)
    await expect(_card(page, "OVD-4").get_by_test_id("overdue-badge")).to_have_count(0)
    await page.get_by_label("Overdue only").check()
    await expect(page).to_have_url(re.compile(r"status=overdue"))
    await expect(page.get_by_test_id("card-title")).to_have_text(["Late one", "Late and started"])

    await page.goto("/tasks?status=overdue")
    table = page.get_by_test_id("task-table")
    await expect(table.locator(".title-link")).to_have_text(["Late and started", "Late one"])
    await expect(table.get_by_test_id("overdue-badge")).to_have_count(2)


async def test_my_tasks_and_tasks_i_set_across_projects(open_page: OpenPage, backend: Backend) -> None:
    lead, mate, project = await _team(backend, "MNE")
    other = await backend.project(mate, key="MNO", name="Mark's own")
    await backend.task(project, lead, title="For Mark", assignee_id=mate.id)
    await backend.task(other, mate, title="Mark's own task", assignee_id=mate.id)
    await backend.task(project, lead, title="For nobody")
    page = await open_page(mate, path="/tasks?assignee=me")
    await expect(page.get_by_role("heading", name="My tasks")).to_be_visible()
    table = page.get_by_test_id("task-table")
    await expect(table.locator(".title-link")).to_have_text(["Mark's own task", "For Mark"])
    lead_page = await open_page(lead, path="/tasks?creator=me")
    await expect(lead_page.get_by_role("heading", name="Tasks I set")).to_be_visible()
    await expect(lead_page.get_by_test_id("task-table").locator(".title-link")).to_have_text(
        ["For nobody", "For Mark"]
    )
    # A task set for Mark appears in his list live.
    await backend.task(project, lead, title="Fresh for Mark", assignee_id=mate.id)
    await expect(table.locator(".title-link").first).to_have_text("Fresh for Mark")
    # The list opens a task in a drawer; the page link works from a cold load.
    await table.locator(".title-link").first.click()
    drawer = page.get_by_test_id("task-drawer")
    await expect(drawer.get_by_test_id("task-title")).to_have_text("Fresh for Mark")
    await drawer.get_by_test_id("open-page").click()
    await expect(page).to_have_url(re.compile(r"/tasks/[0-9a-f-]+$"))
    await page.reload()
    await expect(page.get_by_test_id("task-title")).to_have_text("Fresh for Mark")


async def test_a_phone_sized_board_and_list_are_usable(open_page: OpenPage, backend: Backend) -> None:
    lead, _mate, project = await _team(backend, "PHN")
    for n in range(3):
        await backend.task(project, lead, title=f"Phone task {n}", status=["todo", "in_progress", "done"][n])
    page = await open_page(lead, width=360, height=740, path=f"/projects/{project['id']}/board")
    columns = page.get_by_test_id("board")
    await expect(_card(page, "PHN-1")).to_be_visible()
    width = await columns.evaluate(
        "el => [el.scrollWidth, el.clientWidth, document.documentElement.scrollWidth]"
    )
    assert width[0] > width[1], width  # the columns scroll sideways...
    assert width[2] <= 362, width  # ...inside the board, not the page
    await page.get_by_test_id("quick-add").fill("Added on the phone")
    await page.get_by_test_id("quick-add").press("Enter")
    await expect(_column(page, "todo")).to_contain_text("Added on the phone")
    await _accessible(page)
    await screenshot(page, "board-phone")

    await page.goto(f"/projects/{project['id']}/list")
    await expect(page.get_by_test_id("task-table").locator(".title-link")).to_have_count(4)
    await page.get_by_role("button", name="Filters").click()
    await expect(page.get_by_test_id("filter-q")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 362
    await _accessible(page)


async def test_a_board_of_a_thousand_tasks_loads_every_page_keeps_the_dom_small_and_drags(
    open_page: OpenPage, backend: Backend
) -> None:
    """How long a drop takes at this size is measured by ``bench/board_drag.py`` (docs/performance.md)."""
    lead, _mate, project = await _team(backend, "BIG")
    url = f"/api/v1/projects/{project['id']}/tasks"
    for start in range(0, 1000, 50):
        await asyncio.gather(
            *(
                backend.call(
                    "POST",
                    url,
                    lead,
                    {
                        "title": f"Task {n:04}",
                        "status": "todo" if n % 4 else "in_progress",
                        "priority": ["low", "normal", "high", "urgent"][n % 4],
                        "labels": [f"l{n % 7}"],
                    },
                )
                for n in range(start, start + 50)
            )
        )
    page = await open_page(lead, path=f"/projects/{project['id']}/board")
    todo = _column(page, "todo")
    await expect(todo.get_by_test_id("column-count")).to_have_text("200+")
    # Scroll To do to its end: its pages load, while the DOM keeps only the cards in view.
    scroller = todo.get_by_test_id("column-scroller")
    for _ in range(40):
        if await todo.get_by_test_id("column-count").inner_text() == "750":
            break
        await scroller.evaluate("el => el.scrollTo(0, el.scrollHeight)")
        await page.wait_for_timeout(250)
    await expect(todo.get_by_test_id("column-count")).to_have_text("750")
    await expect(_column(page, "in_progress").get_by_test_id("column-count")).to_have_text("200+")
    cards = await page.locator(".task-card").count()
    assert cards < 120, cards
    await scroller.evaluate("el => el.scrollTo(0, 0)")

    sent = _patches(page)
    for _round in range(3):
        first = todo.locator(".task-card").first
        key = (await first.locator(".key").inner_text()).strip()
        target = _column(page, "in_progress").locator(".task-card").first
        await _drag(page, first, target, above=True)
        await expect(_column(page, "in_progress").locator(".task-card").first.locator(".key")).to_have_text(
            key
        )
    await _until(lambda: _sent(sent, 3), "three PATCHes")
    assert len(sent) == 3
    await expect(todo.get_by_test_id("column-count")).to_have_text("747")


async def _sent(sent: list[Request], n: int) -> bool:
    return len(sent) >= n


async def test_an_administrator_sees_every_projects_tasks(open_page: OpenPage, backend: Backend) -> None:
    lead, mate, project = await _team(backend, "ADM")
    admin = await backend.person("Ada Admin", admin=True)
    await backend.task(project, lead, title="Lead's task")
    await backend.task(project, lead, title="Mark's task", assignee_id=mate.id)
    # Every project's tasks (the session's other tests made many): narrowed to this project.
    page = await open_page(admin, path=f"/admin/tasks?project={project['id']}")
    table = page.get_by_test_id("task-table")
    await expect(table.locator(".title-link")).to_have_text(["Mark's task", "Lead's task"])
    await expect(page.get_by_test_id("filter-creator")).to_be_visible()
    await _pick(page, page.get_by_test_id("filter-assignee"), f"Mark Mate ({mate.email})")
    await expect(page).to_have_url(re.compile(rf"assignee={mate.id}"))
    await expect(table.locator(".title-link")).to_have_text(["Mark's task"])
    await _accessible(page)


async def test_a_lost_connection_shows_a_banner_reconnects_and_catches_up(
    open_page: OpenPage, backend: Backend
) -> None:
    lead, _mate, project = await _team(backend, "NET")
    await backend.task(project, lead, title="Before the outage")
    # The page's Socket.IO traffic passes through here, so the test can cut it and refuse it for a while.
    down = False
    sockets: list[WebSocketRoute] = []

    async def relay(ws: WebSocketRoute) -> None:
        if down:
            await ws.close(code=1011, reason="outage")
            return
        sockets.append(ws)
        server = ws.connect_to_server()
        ws.on_message(server.send)
        server.on_message(ws.send)

    page = await open_page(lead, path="/projects")
    await page.route_web_socket(re.compile(r"/socket\.io/"), relay)
    await page.goto(f"/projects/{project['id']}/board")
    await expect(_card(page, "NET-1")).to_be_visible()
    await expect(page.get_by_test_id("connection-lost")).to_have_count(0)

    down = True
    for ws in sockets:
        await ws.close(code=1011, reason="outage")
    await expect(page.get_by_test_id("connection-lost")).to_contain_text("Connection lost")
    # Made while the page could hear nothing of it.
    await backend.task(project, lead, title="During the outage")
    await page.wait_for_timeout(500)
    await expect(_card(page, "NET-2")).to_have_count(0)

    down = False  # the client's next attempt gets through: the banner goes and the board reads what it missed
    await expect(page.get_by_test_id("connection-lost")).to_have_count(0, timeout=20_000)
    await expect(_card(page, "NET-2")).to_be_visible()
    await expect(_column(page, "todo")).to_contain_text("During the outage")
