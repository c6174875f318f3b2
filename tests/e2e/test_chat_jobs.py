"""Project chat and background jobs, as people meet them in the browser."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import FilePayload, Page, expect

from tests.e2e.conftest import Backend, OpenPage, Person, assert_accessible, screenshot


async def _channels(backend: Backend, project: dict[str, Any], who: Person) -> dict[str, dict[str, Any]]:
    listed = await backend.call("GET", f"/api/v1/projects/{project['id']}/channels", who)
    return {c["name"]: c for c in listed["items"]}


async def _until(check: Any, what: str, seconds: float = 15) -> Any:
    """Poll the API until ``check()`` answers something truthy (work done by the background worker)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        found = await check()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.25)


async def _accessible(page: Page) -> None:
    """axe on the page once overlays have closed and messages have faded in (a half-faded text has no contrast)."""
    await expect(page.get_by_role("option")).to_have_count(0)
    await expect(page.locator(".p-message-enter-active, .p-overlay-mask-leave-active")).to_have_count(0)
    await assert_accessible(page)


async def _pick(page: Page, test_id: str, option: str) -> None:
    """Choose an option of a PrimeVue Select."""
    await page.get_by_test_id(test_id).click()
    await page.get_by_role("option", name=option, exact=True).click()
    await expect(page.get_by_role("option")).to_have_count(0)


async def test_two_people_chat_live_with_unread_badges_and_task_links(
    open_page: OpenPage, backend: Backend
) -> None:
    owner = await backend.person("Olga Owner")
    mate = await backend.person("Mark Mate")
    project = await backend.project(owner, key="CHT", name="Chatty")
    await backend.add_member(project, owner, mate)
    task = await backend.task(project, owner, title="Fix the login page")
    assert task["key"] == "CHT-1"
    await backend.call(
        "POST", f"/api/v1/projects/{project['id']}/channels", owner, {"name": "design", "topic": "Pixels"}
    )
    channels = await _channels(backend, project, owner)

    first = await open_page(owner, path=f"/projects/{project['id']}/channels")
    # Opening the chat goes on to the project's first channel, general.
    await expect(first).to_have_url(re.compile(rf"/channels/{channels['general']['id']}$"))
    await expect(first.get_by_test_id("channel-title")).to_contain_text("general")
    second = await open_page(mate, path=f"/projects/{project['id']}/channels/{channels['general']['id']}")
    await expect(second.get_by_test_id("channel-title")).to_contain_text("general")

    # A writes, B sees it without reloading; the task key is a link to the task.
    composer = first.get_by_test_id("composer")
    await composer.fill("Hello @Mar")
    await expect(first.get_by_test_id("mention-suggestions")).to_contain_text("Mark Mate")
    await composer.press("Enter")
    await expect(composer).to_have_value("Hello @MarkMate ")
    await composer.press_sequentially("please look at CHT-1 today")
    await composer.press("Enter")
    await expect(second.get_by_test_id("messages")).to_contain_text(
        "Hello @MarkMate please look at CHT-1 today"
    )
    await expect(first.get_by_test_id("composer")).to_have_value("")

    # B answers, A sees it.
    await second.get_by_test_id("composer").fill("On it!")
    await second.get_by_test_id("send").click()
    await expect(first.get_by_test_id("messages")).to_contain_text("On it!")

    # A message in another channel: B, reading general, sees its badge grow.
    await first.get_by_test_id("channel-design").click()
    await expect(first.get_by_test_id("channel-topic")).to_have_text("Pixels")
    await first.get_by_test_id("composer").fill("New mock-ups are in")
    await first.get_by_test_id("composer").press("Enter")
    badge = second.get_by_test_id("channel-design").get_by_test_id("unread-badge")
    await expect(badge).to_have_text("1")
    await first.get_by_test_id("composer").fill("Second batch too")
    await first.get_by_test_id("composer").press("Enter")
    await expect(badge).to_have_text("2")
    await expect(second.get_by_test_id("channel-general").get_by_test_id("unread-badge")).to_have_count(0)
    await _accessible(second)
    await screenshot(second, "chat")

    # Opening it reads it: the badge goes, on a reload too (the server keeps the read marker).
    await second.get_by_test_id("channel-design").click()
    await expect(second.get_by_test_id("messages")).to_contain_text("Second batch too")
    await expect(badge).to_have_count(0)
    await second.get_by_test_id("channel-general").click()
    await second.reload()
    await expect(second.get_by_test_id("channel-general")).to_be_visible()
    await expect(second.get_by_test_id("channel-design").get_by_test_id("unread-badge")).to_have_count(0)

    # The author edits and deletes their own message; the other side follows live.
    found = first.get_by_test_id("messages").locator("article", has_text="Second batch too")
    own = first.get_by_test_id(str(await found.get_attribute("data-testid")))
    await own.get_by_test_id("edit-message").click()
    await own.get_by_test_id("edit-input").fill("Second batch, final")
    await own.get_by_test_id("edit-input").press("Enter")
    await expect(own).to_contain_text("Second batch, final")
    await second.get_by_test_id("channel-design").click()
    await expect(second.get_by_test_id("messages")).to_contain_text("Second batch, final")
    await expect(second.get_by_test_id("messages")).to_contain_text("(edited)")
    await own.get_by_test_id("delete-message").click()
    await first.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    await expect(second.get_by_test_id("messages")).to_contain_text("This message was deleted.")
    await expect(second.get_by_test_id("messages")).not_to_contain_text("Second batch, final")

    # The key in the message opens the task.
    await second.get_by_test_id("channel-general").click()
    await second.get_by_test_id("messages").get_by_role("link", name="CHT-1").click()
    await expect(second).to_have_url(re.compile(rf"/tasks/{task['id']}$"))

    # The mention told B, with a link to the message.
    notes = await backend.call("GET", "/api/v1/notifications", mate)
    mention = next(n for n in notes["items"] if n["kind"] == "chat_mention")
    assert mention["link"].startswith(
        f"/projects/{project['id']}/channels/{channels['general']['id']}?message="
    )


async def test_a_mention_link_opens_an_old_message_and_older_ones_load_on_scrolling_up(
    open_page: OpenPage, backend: Backend
) -> None:
    owner = await backend.person("Paula Pager")
    others = [await backend.person(f"Writer {n}") for n in range(2)]
    reader = await backend.person("Rita Reader")
    project = await backend.project(owner, key="PGR", name="Paged")
    for person in [*others, reader]:
        await backend.add_member(project, owner, person)
    general = (await _channels(backend, project, owner))["general"]
    path = f"/api/v1/channels/{general['id']}/messages"
    # More than one page (50), from three people so no one passes the chat's rate limit.
    await backend.call("POST", path, owner, {"text": "The very first message, @RitaReader"})
    for n in range(1, 60):
        author = [owner, *others][n % 3]
        await backend.call("POST", path, author, {"text": f"Filler number {n}"})

    notes = await _until(
        lambda: backend.call("GET", "/api/v1/notifications", reader), "the mention notification"
    )
    link = next(n["link"] for n in notes["items"] if n["kind"] == "chat_mention")
    message_id = link.rsplit("=", 1)[-1]

    page = await open_page(reader, path=link)
    target = page.get_by_test_id(f"message-{message_id}")
    await expect(target).to_be_visible()
    await expect(target).to_have_class(re.compile(r"\bhighlighted\b"))
    await expect(target).to_contain_text("The very first message")
    await expect(page.get_by_test_id("messages")).to_contain_text("This is the start of the channel.")

    # Without the link, the newest page shows, and scrolling up brings the older ones.
    await page.goto(f"/projects/{project['id']}/channels/{general['id']}")
    log = page.get_by_test_id("messages")
    await expect(log).to_contain_text("Filler number 59")
    await expect(log).not_to_contain_text("The very first message")
    for _ in range(5):
        await log.evaluate("el => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); }")
        if await log.get_by_text("The very first message").count():
            break
        await page.wait_for_timeout(400)
    await expect(log).to_contain_text("The very first message")
    await expect(log).to_contain_text("This is the start of the channel.")


async def test_a_private_channel_and_its_members(open_page: OpenPage, backend: Backend) -> None:
    owner = await backend.person("Petra Private")
    insider = await backend.person("Ivan Insider")
    outsider = await backend.person("Olaf Outsider")
    project = await backend.project(owner, key="PRV", name="Secrets")
    await backend.add_member(project, owner, insider)
    await backend.add_member(project, owner, outsider)
    general = (await _channels(backend, project, owner))["general"]
    chat = f"/projects/{project['id']}/channels/{general['id']}"

    page = await open_page(owner, path=chat)
    outside = await open_page(outsider, path=chat)
    await expect(outside.get_by_test_id("channel-general")).to_be_visible()

    # The owner makes a private channel with one other member.
    await page.get_by_test_id("new-channel").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Name").fill("Board Room")
    await expect(dialog.get_by_text("The channel will be #board-room")).to_be_visible()
    await dialog.get_by_text("Private channel", exact=True).click()
    await dialog.get_by_test_id("channel-members").click()
    await page.get_by_role("option", name=re.compile("Ivan Insider")).click()
    await dialog.get_by_label("Name").click()  # closes the list (Escape would close the dialog too)
    await _accessible(page)
    await dialog.get_by_test_id("save-channel").click()
    await expect(page.get_by_test_id("channel-title")).to_contain_text("board-room")
    await expect(page.get_by_test_id("channel-members-button")).to_have_text("2")
    await page.get_by_test_id("composer").fill("Only for us")
    await page.get_by_test_id("composer").press("Enter")

    channels = await _channels(backend, project, owner)
    room = channels["board-room"]
    assert room["private"] is True
    assert sorted(room["member_ids"]) == sorted([owner.id, insider.id])
    # A project member who is not listed does not see it at all.
    await expect(outside.get_by_test_id("channel-board-room")).to_have_count(0)
    assert "board-room" not in await _channels(backend, project, outsider)

    # Adding the outsider shows them the channel at once.
    await page.get_by_test_id("channel-members-button").click()
    members = page.get_by_role("dialog")
    await expect(members.get_by_test_id("channel-member-list")).to_contain_text("Ivan Insider")
    await members.get_by_test_id("add-member-select").click()
    await page.get_by_role("option", name=re.compile("Olaf Outsider")).click()
    await members.get_by_test_id("add-member").click()
    await expect(members.get_by_test_id("channel-member-list")).to_contain_text("Olaf Outsider")
    await expect(outside.get_by_test_id("channel-board-room")).to_be_visible()
    await _accessible(page)

    # Taking the insider off removes it from their list.
    inside = await open_page(insider, path=f"/projects/{project['id']}/channels/{room['id']}")
    await expect(inside.get_by_test_id("messages")).to_contain_text("Only for us")
    await members.get_by_test_id(f"remove-member-{insider.id}").click()
    await page.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
    await expect(members.get_by_test_id("channel-member-list")).not_to_contain_text("Ivan Insider")
    await expect(inside.get_by_test_id("channel-board-room")).to_have_count(0)
    await expect(inside.get_by_test_id("channel-title")).to_contain_text("general")

    # The outsider leaves on their own.
    await outside.get_by_test_id("channel-board-room").click()
    await outside.get_by_test_id("channel-members-button").click()
    await outside.get_by_role("dialog").get_by_test_id("leave-channel").click()
    await outside.get_by_role("alertdialog").get_by_role("button", name="Leave the channel").click()
    await expect(outside.get_by_test_id("channel-board-room")).to_have_count(0)
    assert "board-room" not in await _channels(backend, project, outsider)
    assert (await _channels(backend, project, owner))["board-room"]["member_ids"] == [owner.id]


async def test_the_chat_on_a_phone_has_a_channel_picker(open_page: OpenPage, backend: Backend) -> None:
    owner = await backend.person("Phoebe Phone")
    project = await backend.project(owner, key="PKT", name="Pocket")
    await backend.call("POST", f"/api/v1/projects/{project['id']}/channels", owner, {"name": "random"})
    page = await open_page(owner, width=360, height=740, path=f"/projects/{project['id']}/channels")
    await expect(page.get_by_test_id("channel-title")).to_contain_text("general")
    await expect(page.get_by_test_id("channel-list")).to_be_hidden()
    await _pick(page, "channel-picker", "random")
    await expect(page.get_by_test_id("channel-title")).to_contain_text("random")
    await page.get_by_test_id("composer").fill("From my phone")
    await page.get_by_test_id("send").click()
    await expect(page.get_by_test_id("messages")).to_contain_text("From my phone")
    await expect(page.get_by_test_id("tab-board")).to_be_visible()
    await _accessible(page)
    await screenshot(page, "chat-phone")


async def test_an_export_shows_its_progress_and_downloads_the_projects_tasks(
    open_page: OpenPage, backend: Backend
) -> None:
    owner = await backend.person("Erik Exporter")
    project = await backend.project(owner, key="EXP", name="Exported")
    other = await backend.project(owner, key="OTH", name="Other")
    soon = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    await backend.task(project, owner, title="Write the report", priority="high", deadline=soon)
    await backend.task(project, owner, title="Send the invoice", labels=["money"])
    await backend.task(other, owner, title="Not in this export")

    page = await open_page(owner, path="/jobs")
    await expect(page.get_by_role("heading", name="Background jobs")).to_be_visible()
    await _pick(page, "export-project", "EXP · Exported")
    await _accessible(page)
    await page.get_by_test_id("start-export").click()

    await expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f-]+$"))
    job_id = page.url.rsplit("/", 1)[-1]
    details = page.get_by_test_id("job-details")
    await expect(details.get_by_test_id("job-status")).to_have_text("Completed")
    await expect(details.get_by_test_id("job-progress")).to_have_attribute("aria-valuenow", "100")
    await expect(details.get_by_test_id("job-percent")).to_have_text("100%")
    await expect(details.get_by_test_id("job-file")).to_contain_text(re.compile(r"\d+(\.\d)? (byte|kB)"))
    await expect(details.get_by_test_id("job-expires")).to_be_visible()
    await expect(page.get_by_test_id(f"job-{job_id}")).to_have_text("Tasks export")
    await _accessible(page)
    await screenshot(page, "jobs")

    async with page.expect_download() as pending:
        await details.get_by_test_id("job-download").click()
    downloaded = await pending.value
    path = await downloaded.path()
    text = (await asyncio.to_thread(Path(path).read_bytes)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    titles = {row[1] for row in rows[1:]}
    assert titles == {"Write the report", "Send the invoice"}
    assert rows[0][0] == "Key"
    assert downloaded.suggested_filename.endswith(".csv")


async def test_a_statistics_report_for_a_period_on_a_phone(open_page: OpenPage, backend: Backend) -> None:
    owner = await backend.person("Stella Stats")
    project = await backend.project(owner, key="STA", name="Counted")
    await backend.task(project, owner, title="Done already", status="done")
    page = await open_page(owner, width=360, height=740, path="/jobs")
    await page.get_by_test_id("tab-export-stats").click()
    # The period starts as this month up to today; the report is for one project.
    await _pick(page, "stats-project", "STA · Counted")
    await page.get_by_test_id("start-stats").click()
    details = page.get_by_test_id("job-details")
    await expect(details.get_by_test_id("job-status")).to_have_text("Completed")
    await expect(details).to_contain_text("Statistics")
    await expect(details).to_contain_text("STA · Counted")
    await _accessible(page)
    await screenshot(page, "jobs-phone")
    job_id = page.url.rsplit("/", 1)[-1]
    job = await backend.call("GET", f"/api/v1/jobs/{job_id}", owner)
    assert job["kind"] == "export_stats_csv"
    assert job["params"]["project"] == project["id"]


async def test_a_csv_import_reports_each_rejected_row(open_page: OpenPage, backend: Backend) -> None:
    owner = await backend.person("Ingrid Importer")
    project = await backend.project(owner, key="IMP", name="Imported")
    due = (datetime.now(UTC) + timedelta(days=10)).strftime("%Y-%m-%d")
    content = (
        "title,status,priority,deadline\r\n"
        f"Unpack the boxes,todo,high,{due}\r\n"
        "Mystery task,bogus,normal,\r\n"
        ",done,low,\r\n"
        "Plan the party,in_progress,urgent,\r\n"
    ).encode()
    upload: FilePayload = {"name": "tasks.csv", "mimeType": "text/csv", "buffer": content}

    page = await open_page(owner, path="/jobs")
    await page.get_by_test_id("tab-import").click()
    await _pick(page, "import-project", "IMP · Imported")
    await page.get_by_test_id("import-file").set_input_files(upload)
    await expect(page.get_by_test_id("import-file-name")).to_contain_text("tasks.csv")
    await _accessible(page)
    await page.get_by_test_id("start-import").click()

    # All or nothing: two bad rows reject the file, and the report says where and why.
    report = page.get_by_test_id("import-report")
    await expect(page.get_by_test_id("job-status")).to_have_text("Failed")
    await expect(report.get_by_test_id("import-outcome")).to_contain_text("nothing was imported")
    await expect(report.get_by_test_id("import-rejected-count")).to_have_text("2 rows rejected")
    table = report.get_by_test_id("import-rejected")
    await expect(table.locator("tbody tr")).to_have_count(2)
    await expect(table.locator("tbody tr").nth(0)).to_contain_text("3")
    await expect(table.locator("tbody tr").nth(0)).to_contain_text("bogus")
    await expect(table.locator("tbody tr").nth(1)).to_contain_text("4")
    tasks = await backend.call("GET", f"/api/v1/projects/{project['id']}/tasks", owner)
    assert tasks["items"] == []
    await _accessible(page)

    # Skipping the rejected rows imports the rest and still reports them.
    await page.get_by_test_id("tab-import").click()
    await _pick(page, "import-project", "IMP · Imported")
    await page.get_by_test_id("import-file").set_input_files(upload)
    await page.get_by_text("Skip rejected rows", exact=True).click()
    await page.get_by_test_id("start-import").click()
    await expect(page.get_by_test_id("job-status")).to_have_text("Completed")
    await expect(report.get_by_test_id("import-outcome")).to_contain_text("2")
    await expect(report.get_by_test_id("import-rejected").locator("tbody tr")).to_have_count(2)
    tasks = await backend.call("GET", f"/api/v1/projects/{project['id']}/tasks", owner)
    assert sorted(t["title"] for t in tasks["items"]) == ["Plan the party", "Unpack the boxes"]


async def test_a_job_finished_notification_opens_that_job(open_page: OpenPage, backend: Backend) -> None:
    owner = await backend.person("Nora Notified")
    project = await backend.project(owner, key="NTF", name="Noted")
    await backend.task(project, owner, title="Something to export")
    job = await backend.call(
        "POST", "/api/v1/jobs", owner, {"kind": "export_tasks_csv", "params": {"project": project["id"]}}
    )

    async def finished() -> str | None:
        notes = await backend.call("GET", "/api/v1/notifications", owner)
        return next((n["link"] for n in notes["items"] if n["kind"] == "job_finished"), None)

    link = await _until(finished, "the job_finished notification")
    assert link == f"/jobs/{job['id']}"

    page = await open_page(owner, path=link)
    details = page.get_by_test_id("job-details")
    await expect(details).to_contain_text("Tasks export")
    await expect(details.get_by_test_id("job-status")).to_have_text("Completed")
    await expect(details.get_by_test_id("job-download")).to_be_visible()
    history = page.get_by_test_id("job-history")
    await expect(history.locator("tr.selected-job")).to_contain_text("Tasks export")
    await _accessible(page)

    # Someone else's job does not exist for them.
    stranger = await backend.person("Sam Stranger")
    other = await open_page(stranger, path=link)
    await expect(other.get_by_test_id("job-missing")).to_be_visible()
