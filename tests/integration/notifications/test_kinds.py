"""Each kind of notification: who gets it, who does not (never the person who acted), in their language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar.testing import AsyncTestClient

from tests.integration.notifications.conftest import Hub
from tests.support import read
from workhub.kernel.events import publish
from workhub.settings import Settings
from workhub.tasks import schemas as task_schemas
from workhub.tasks.events import TaskOverdue


async def test_a_task_created_for_someone_tells_only_the_assignee(hub: Hub) -> None:
    task = await hub.create(hub.owner, assignee_id=str(hub.editor.id))
    await hub.create(hub.editor, title="My own", assignee_id=str(hub.editor.id))  # to oneself: no news
    await hub.create(hub.owner, title="Nobody's")
    await hub.settle()

    assert await hub.kinds_by_user() == {"editor": ["task_assigned"]}
    (note,) = await hub.inbox(hub.editor)
    assert note["title"] == "You were assigned OPS-1"
    assert note["body"] == "You are now the assignee of “Fix the pump” in Operations."
    assert note["link"] == f"/tasks/{task['id']}"
    assert note["data"]["task_id"] == task["id"]
    assert note["data"]["actor_id"] == str(hub.owner.id)
    assert note["read_at"] is None


async def test_reassignment_tells_the_new_assignee_only(hub: Hub) -> None:
    task = await hub.create(hub.owner, assignee_id=str(hub.editor.id))
    await hub.settle()
    await hub.patch(task, hub.owner2, assignee_id=str(hub.viewer.id))
    await hub.settle()

    assert await hub.kinds_by_user() == {"editor": ["task_assigned"], "viewer": ["task_assigned"]}


async def test_a_status_change_tells_the_creator_and_the_owners_but_not_the_actor(hub: Hub) -> None:
    task = await hub.create(hub.editor2, assignee_id=str(hub.editor.id))
    await hub.settle()
    task = await hub.patch(task, hub.editor, status="in_progress")
    await hub.settle()

    # The creator and both owners; the assignee made the change; the viewer has no part in it.
    assert await hub.kinds_by_user() == {
        "owner": ["status_changed"],
        "owner2": ["status_changed"],
        "editor": ["task_assigned"],
        "editor2": ["status_changed"],
    }
    (note, *_) = await hub.inbox(hub.owner)
    assert note["title"] == "OPS-1 is now In progress"
    assert note["body"] == "“Fix the pump” in Operations moved from To do to In progress."

    # An owner changing it: the other owner and the creator hear of it, the owner does not.
    await hub.patch(task, hub.owner, status="cancelled")
    await hub.settle()
    assert await hub.kinds(hub.owner) == ["status_changed"]
    assert await hub.kinds(hub.owner2) == ["status_changed", "status_changed"]
    assert await hub.kinds(hub.editor2) == ["status_changed", "status_changed"]
    assert await hub.kinds(hub.editor) == ["task_assigned"]


async def test_a_status_change_reads_in_russian_for_a_russian_reader(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    assert settings.database_url
    hub = await Hub.build(client, settings.database_url, ru=("owner2",))
    task = await hub.create(hub.owner, assignee_id=str(hub.editor.id))
    await hub.patch(task, hub.editor, status="done")
    await hub.settle()

    (ru, *_) = await hub.inbox(hub.owner2)
    assert ru["title"] == "Статус задачи OPS-1: «Готово»"
    assert ru["body"] == "Задача «Fix the pump» в проекте «Operations»: было «К выполнению», стало «Готово»."
    # The owner also hears that all they assigned is done (their one task): each in English.
    titles = {n["kind"]: n["title"] for n in await hub.inbox(hub.owner)}
    assert titles == {
        "status_changed": "OPS-1 is now Done",
        "all_done": "Everything you assigned in Operations is done",
    }


async def test_a_new_deadline_tells_the_assignee_in_their_time_zone(hub: Hub) -> None:
    resp = await hub.client.patch(
        "/api/v1/me", json={"timezone": "Europe/Moscow", "locale": "ru"}, headers=hub.editor.headers
    )
    assert resp.status_code == 200, resp.text
    task = await hub.create(hub.owner, assignee_id=str(hub.editor.id))
    await hub.settle()
    task = await hub.patch(task, hub.owner2, deadline="2026-12-01T15:00:00+00:00")
    await hub.settle()

    assert await hub.kinds_by_user() == {"editor": ["task_assigned", "deadline_changed"]}
    (note, _) = await hub.inbox(hub.editor)
    assert note["title"] == "Срок задачи OPS-1 изменён"
    assert (
        note["body"]
        == "Задача «Fix the pump» в проекте «Operations»: новый срок — 01.12.2026 18:00 (Europe/Moscow)."
    )

    task = await hub.patch(task, hub.owner2, deadline=None)
    await hub.settle()
    (removed, *_) = await hub.inbox(hub.editor)
    assert removed["body"] == "Задача «Fix the pump» в проекте «Operations»: срок снят."

    # The assignee moving their own deadline hears nothing of it.
    await hub.patch(task, hub.editor, deadline="2026-12-02T15:00:00+00:00")
    await hub.settle()
    assert await hub.kinds(hub.editor) == ["task_assigned", "deadline_changed", "deadline_changed"]


async def test_one_change_is_one_notification_per_person(hub: Hub) -> None:
    task = await hub.create(hub.owner)
    await hub.patch(task, hub.owner2, assignee_id=str(hub.owner.id), deadline="2026-12-01T15:00:00+00:00")
    await hub.settle()
    # The owner is the new assignee: the assignment says it, no separate deadline notice.
    assert await hub.kinds_by_user() == {"owner": ["task_assigned"]}


async def test_an_overdue_task_tells_assignee_creator_and_owners(hub: Hub) -> None:
    task = await hub.create(hub.editor2, assignee_id=str(hub.editor.id), deadline="2026-01-01T09:00:00+00:00")
    await hub.settle()

    async def sweep(session: Any) -> None:  # what the overdue sweep publishes, once per task
        snapshot = msgspec.convert(task, task_schemas.Task)
        await publish(
            session,
            TaskOverdue(
                entity_id=snapshot.id, project_id=snapshot.project_id, version=snapshot.version, task=snapshot
            ),
        )
        await session.commit()

    await read(hub.client, sweep)
    await hub.settle()

    assert await hub.kinds_by_user() == {
        "owner": ["task_overdue"],
        "owner2": ["task_overdue"],
        "editor": ["task_assigned", "task_overdue"],
        "editor2": ["task_overdue"],
    }
    (note, *_) = await hub.inbox(hub.editor)
    assert note["title"] == "OPS-1 is overdue"


async def test_the_last_delegated_task_done_tells_its_creator_that_all_are_done(hub: Hub) -> None:
    first = await hub.create(hub.owner, title="Order parts", assignee_id=str(hub.editor.id))
    second = await hub.create(hub.owner, title="Fit parts", assignee_id=str(hub.editor2.id))
    await hub.create(hub.owner, title="For myself", assignee_id=str(hub.owner.id))  # not set for others
    await hub.create(hub.editor, title="Someone else's", assignee_id=str(hub.editor2.id))
    await hub.settle()

    await hub.patch(first, hub.editor, status="done")
    await hub.settle()
    assert "all_done" not in await hub.kinds(hub.owner)

    await hub.patch(second, hub.editor2, status="done")
    await hub.settle()
    assert await hub.kinds(hub.owner) == ["status_changed", "status_changed", "all_done"]
    (note, *_) = await hub.inbox(hub.owner)
    assert note["title"] == "Everything you assigned in Operations is done"
    assert note["body"] == "The last one to be finished was OPS-2 “Fit parts”."
    # Nobody else hears it: not the other owner, not the one who finished the task.
    for user in (hub.owner2, hub.editor, hub.editor2):
        assert "all_done" not in await hub.kinds(user)


async def test_finishing_the_last_one_yourself_is_no_news_to_you(hub: Hub) -> None:
    task = await hub.create(hub.owner, assignee_id=str(hub.editor.id))
    await hub.patch(task, hub.owner, status="done")
    await hub.settle()
    assert "all_done" not in await hub.kinds(hub.owner)


async def test_comments_reach_creator_assignee_and_the_mentioned(hub: Hub) -> None:
    task = await hub.create(hub.owner, assignee_id=str(hub.editor.id))
    await hub.settle()
    await hub.comment(
        task, hub.editor2, f"Pump is back. @viewer and @{hub.outsider.email.split('@')[0]}, FYI."
    )
    await hub.settle()

    # The outsider is mentioned but is not in the project; owner2 has no part in the task.
    assert await hub.kinds_by_user() == {
        "owner": ["comment"],
        "editor": ["task_assigned", "comment"],
        "viewer": ["comment"],
    }
    (note, *_) = await hub.inbox(hub.viewer)
    assert note["title"] == "New comment on OPS-1"
    assert note["body"] == f"Editor2: Pump is back. @viewer and @{hub.outsider.email.split('@')[0]}, FYI."

    # Whoever was mentioned once follows the task; the author of a comment is never told of it.
    await hub.comment(task, hub.owner, "Thanks all")
    await hub.settle()
    assert await hub.kinds(hub.owner) == ["comment"]
    assert await hub.kinds(hub.viewer) == ["comment", "comment"]
    assert await hub.kinds(hub.editor) == ["task_assigned", "comment", "comment"]
    assert await hub.kinds(hub.editor2) == []
    assert await hub.kinds(hub.owner2) == []


async def test_an_edit_that_adds_a_mention_tells_only_the_newly_mentioned(hub: Hub) -> None:
    task = await hub.create(hub.editor2)
    comment = await hub.comment(task, hub.editor2, "Who can help?")
    await hub.settle()
    resp = await hub.client.patch(
        f"/api/v1/comments/{comment['id']}",
        json={"body": "Who can help? @owner2"},
        headers=hub.editor2.headers,
    )
    assert resp.status_code == 200, resp.text
    await hub.settle()
    assert await hub.kinds_by_user() == {"owner2": ["comment"]}


async def test_an_invitation_tells_the_invitee_who_has_an_account(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    assert settings.database_url
    hub = await Hub.build(client, settings.database_url, ru=("outsider",))
    for email in (hub.outsider.email, "nobody@example.com"):
        resp = await client.post(
            f"/api/v1/projects/{hub.project['id']}/invitations",
            json={"email": email, "role": "editor"},
            headers=hub.owner.headers,
        )
        assert resp.status_code == 201, resp.text
    await hub.settle()

    assert await hub.kinds_by_user() == {"outsider": ["project_invited"]}
    (note,) = await hub.inbox(hub.outsider)
    assert note["title"] == "Вас пригласили в проект «Operations»"
    assert note["body"] == (
        "Owner приглашает вас в проект с ролью «Редактор». Чтобы присоединиться, откройте ссылку из приглашения."
    )
    assert note["data"]["project_id"] == hub.project["id"]


async def test_removal_tells_the_removed_member_but_leaving_tells_nobody(hub: Hub) -> None:
    url = f"/api/v1/projects/{hub.project['id']}"
    assert (
        await hub.client.delete(f"{url}/members/{hub.editor.id}", headers=hub.owner.headers)
    ).status_code == 204
    assert (await hub.client.post(f"{url}/leave", headers=hub.viewer.headers)).status_code in (200, 204)
    await hub.settle()

    assert await hub.kinds_by_user() == {"editor": ["member_removed"]}
    (note,) = await hub.inbox(hub.editor)
    assert note["title"] == "You were removed from Operations"


async def test_people_outside_the_project_hear_nothing_of_its_tasks(hub: Hub) -> None:
    task = await hub.create(hub.owner, assignee_id=str(hub.editor.id))
    await hub.settle()
    assert (
        await hub.client.delete(
            f"/api/v1/projects/{hub.project['id']}/members/{hub.editor.id}", headers=hub.owner.headers
        )
    ).status_code == 204
    await hub.comment(task, hub.owner2, "Still open?")
    await hub.settle()
    # The former assignee can no longer open the task, so its comments stay out of their list.
    assert await hub.kinds(hub.editor) == ["task_assigned", "member_removed"]
    # The owner hears that the open task lost its assignee, then of the comment.
    assert await hub.kinds(hub.owner) == ["tasks_unassigned", "comment"]


async def test_the_same_event_delivered_twice_notifies_once(hub: Hub) -> None:
    from sqlalchemy import select

    from tests.support import in_app
    from workhub.kernel.events import Outbox, deliver_event

    await hub.create(hub.owner, assignee_id=str(hub.editor.id))
    await hub.settle()

    async def redeliver() -> None:
        async with hub.client.app.state.db_config.get_session() as session:
            payload = await session.scalar(select(Outbox.payload).where(Outbox.event == "task.created"))
        ctx = {"registry": hub.client.app.state.registry}
        await deliver_event(
            ctx, subscriber="notifications.on_task_created", event="task.created", payload=payload
        )

    await in_app(hub.client, redeliver)
    await in_app(hub.client, redeliver)
    await hub.settle()
    assert await hub.kinds(hub.editor) == ["task_assigned"]


def test_times_are_written_the_readers_way() -> None:
    from workhub.notifications.subscribers import _when

    moment = datetime(2026, 3, 5, 7, 30, tzinfo=UTC)
    assert _when(moment, "ru", "Asia/Yekaterinburg") == "05.03.2026 12:30 (Asia/Yekaterinburg)"
    assert _when(moment, "en", "UTC") == "2026-03-05 07:30 (UTC)"
