"""``runtime.intake`` as a plugin calls it: tasks made and changed as a given user, by the permission table."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient

from tests.support import Api, SignedInUser, in_app
from workhub.kernel.errors import Forbidden, NotFound, ValidationFailed
from workhub.kernel.intake import InboundEvent, TaskChange, TaskDraft


async def _add(
    client: AsyncTestClient[Any], owner: SignedInUser, project: dict[str, Any], who: SignedInUser, role: str
) -> None:
    invite = await client.post(
        f"/api/v1/projects/{project['id']}/invitations",
        json={"email": who.email, "role": role},
        headers=owner.headers,
    )
    token = invite.json()["token"]
    assert (await client.post(f"/api/v1/invitations/{token}/accept", headers=who.headers)).status_code == 200


async def _intake(client: AsyncTestClient[Any]) -> Any:
    return client.app.state.registry.runtime.intake


async def test_a_task_is_made_and_changed_as_the_user_and_audited_as_theirs(
    client: AsyncTestClient[Any], api: Api
) -> None:
    owner = await api.user("owner")
    editor = await api.user("editor")
    project = await api.project(owner, key="INT")
    await _add(client, owner, project, editor, "editor")
    intake = await _intake(client)

    async def make() -> Any:
        return await intake.create_task(
            acting_user_id=editor.id,
            project_id=UUID(project["id"]),
            draft=TaskDraft(title="From a bot", labels=["bot"]),
            source="telegram",
        )

    ref = await in_app(client, make)
    assert ref.key == "INT-1"

    async def change() -> Any:
        return await intake.update_task(
            acting_user_id=editor.id, task_id=ref.id, change=TaskChange(status="done")
        )

    changed = await in_app(client, change)
    assert (changed.status, changed.version) == ("done", 2)
    task = (await client.get(f"/api/v1/tasks/{ref.id}", headers=owner.headers)).json()
    assert (task["source"], task["status"], task["creator_id"]) == ("telegram", "done", str(editor.id))
    history = (await client.get(f"/api/v1/tasks/{ref.id}/history", headers=owner.headers)).json()
    assert {r["actor_id"] for r in history["items"]} == {str(editor.id)}


async def test_the_permission_table_decides_for_the_user_it_acts_as(
    client: AsyncTestClient[Any], api: Api
) -> None:
    owner = await api.user("owner")
    viewer = await api.user("viewer")
    stranger = await api.user("stranger")
    project = await api.project(owner, key="PRM")
    await _add(client, owner, project, viewer, "viewer")
    intake = await _intake(client)

    async def make(user: UUID, title: str = "No") -> Any:
        return await intake.create_task(
            acting_user_id=user, project_id=UUID(project["id"]), draft=TaskDraft(title=title), source="web"
        )

    with pytest.raises(Forbidden):
        await in_app(client, lambda: make(viewer.id))
    with pytest.raises(NotFound):
        await in_app(client, lambda: make(stranger.id))  # the project does not exist for them
    with pytest.raises(ValidationFailed):
        await in_app(client, lambda: make(owner.id, title=""))
    tasks = (await client.get(f"/api/v1/projects/{project['id']}/tasks", headers=owner.headers)).json()
    assert tasks["items"] == []


async def test_an_event_without_a_project_fails_with_a_reason_and_is_kept(
    client: AsyncTestClient[Any], api: Api
) -> None:
    intake = await _intake(client)

    async def accept() -> Any:
        return await intake.accept(InboundEvent(source="mail", dedupe_key="<m1@example.com>", text="Hello"))

    receipt = await in_app(client, accept)
    assert receipt.created and receipt.status == "accepted"

    async def process() -> Any:
        await intake.process(receipt.id)
        return await intake.receipt(receipt.id)

    after = await in_app(client, process)
    assert after.status == "failed"
    again = await in_app(client, accept)
    assert (again.id, again.created, again.status) == (receipt.id, False, "failed")
