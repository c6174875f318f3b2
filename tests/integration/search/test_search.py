"""Task search through the real routes on real PostgreSQL: word forms, filters, paging and who sees what."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from tests.support import Api, SignedInUser, make_admin
from workhub.kernel.clock import clock
from workhub.kernel.extensions import SearchHit, SearchQuery, SearchResults
from workhub.kernel.plugins import Registry

ADMIN = "/api/v1/admin/search/tasks"
MEMBER = "/api/v1/search/tasks"

YEAR = clock.now().year + 1
"""Deadlines in the year after the controlled clock's, so the test reads the same on any day."""


async def _task(
    client: AsyncTestClient[Any], owner: SignedInUser, project: dict[str, Any], title: str, **fields: Any
) -> dict[str, Any]:
    resp = await client.post(
        f"/api/v1/projects/{project['id']}/tasks", json={"title": title, **fields}, headers=owner.headers
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


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


async def _search(
    client: AsyncTestClient[Any], user: SignedInUser, url: str = ADMIN, **params: Any
) -> dict[str, Any]:
    resp = await client.get(url, params=params, headers=user.headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


def _titles(page: dict[str, Any]) -> list[str]:
    return [item["task"]["title"] for item in page["items"]]


async def test_russian_word_forms_and_yo_find_the_task_with_the_words_marked(
    client: AsyncTestClient[Any], api: Api
) -> None:
    admin = await make_admin(client, api)
    owner = await api.user("owner")
    project = await api.project(owner, key="RU")
    await _task(client, owner, project, "Новая задача для бухгалтерии")
    await _task(client, owner, project, "Квартальный отчёт", description="Собрать цифры")
    await _task(client, owner, project, "Проверить отчет аудитора")
    await _task(client, owner, project, "Купить молоко")

    found = await _search(client, admin, q="задачи")
    assert _titles(found) == ["Новая задача для бухгалтерии"]
    assert found["total"] == 1
    assert "<mark>задача</mark>" in found["items"][0]["highlight"]
    assert found["items"][0]["task"]["key"] == "RU-1"
    for word in ("отчет", "отчёт", "отчетами"):
        page = await _search(client, admin, q=word)
        assert sorted(_titles(page)) == ["Квартальный отчёт", "Проверить отчет аудитора"], word
    marked = {i["task"]["title"]: i["highlight"] for i in (await _search(client, admin, q="отчет"))["items"]}
    assert "<mark>отчёт</mark>" in marked["Квартальный отчёт"]


async def test_english_stems_labels_and_comments_are_searched_and_ranked(
    client: AsyncTestClient[Any], api: Api
) -> None:
    admin = await make_admin(client, api)
    owner = await api.user("owner")
    project = await api.project(owner, key="EN")
    title_hit = await _task(client, owner, project, "Invoices for December")
    described = await _task(
        client, owner, project, "Accounting", description="Send the invoice to the client"
    )
    labelled = await _task(client, owner, project, "Call the bank", labels=["billing"])
    commented = await _task(client, owner, project, "Quarterly numbers")
    resp = await client.post(
        f"/api/v1/tasks/{commented['id']}/comments",
        json={"body": "Waiting for the supplier"},
        headers=owner.headers,
    )
    assert resp.status_code == 201, resp.text

    page = await _search(client, admin, q="invoice")
    assert [i["task"]["id"] for i in page["items"]] == [title_hit["id"], described["id"]]  # title ranks first
    assert (await _search(client, admin, q="billing"))["items"][0]["task"]["id"] == labelled["id"]
    assert _titles(await _search(client, admin, q="suppliers")) == ["Quarterly numbers"]
    # An edit re-indexes the task in the same transaction.
    resp = await client.patch(
        f"/api/v1/tasks/{labelled['id']}",
        json={"title": "Running errands", "version": 1},
        headers=owner.headers,
    )
    assert resp.status_code == 200, resp.text
    assert _titles(await _search(client, admin, q="run")) == ["Running errands"]


async def test_a_typo_and_the_start_of_a_word_still_find_the_task(
    client: AsyncTestClient[Any], api: Api
) -> None:
    admin = await make_admin(client, api)
    owner = await api.user("owner")
    project = await api.project(owner)
    await _task(client, owner, project, "Dashboard redesign")
    await _task(client, owner, project, "Инвентаризация склада")
    await _task(client, owner, project, "Something else")

    assert _titles(await _search(client, admin, q="dashbord")) == ["Dashboard redesign"]
    assert _titles(await _search(client, admin, q="инвентар")) == ["Инвентаризация склада"]
    assert _titles(await _search(client, admin, q="Dash")) == ["Dashboard redesign"]


async def test_filters_narrow_by_person_id_or_text_project_status_and_deadline(
    client: AsyncTestClient[Any], api: Api
) -> None:
    admin = await make_admin(client, api)
    owner = await api.user("Olga")
    boris = await api.user("Boris")
    project = await api.project(owner, key="FIL")
    other = await api.project(owner, key="OTH")
    await _add(client, owner, project, boris, "editor")
    await _task(
        client, owner, project, "Plan A", assignee_id=str(boris.id), deadline=f"{YEAR}-03-10T12:00:00Z"
    )
    await _task(client, owner, project, "Plan B", status="done", deadline=f"{YEAR}-04-10T12:00:00Z")
    await _task(client, boris, project, "Plan C")
    await _task(client, owner, other, "Plan D", deadline=f"{YEAR}-03-20T12:00:00Z")

    assert _titles(await _search(client, admin, q="plan", assignee=str(boris.id))) == ["Plan A"]
    assert _titles(await _search(client, admin, q="plan", assignee="bori")) == ["Plan A"]
    assert _titles(await _search(client, admin, q="plan", assignee=boris.email.upper())) == ["Plan A"]
    assert _titles(await _search(client, admin, q="plan", creator="boris")) == ["Plan C"]
    assert _titles(await _search(client, admin, q="plan", creator="nobody-like-this")) == []
    assert sorted(_titles(await _search(client, admin, q="plan", project=other["id"]))) == ["Plan D"]
    assert _titles(await _search(client, admin, q="plan", status="done")) == ["Plan B"]
    march = await _search(client, admin, q="plan", deadline_from=f"{YEAR}-03-01", deadline_to=f"{YEAR}-03-31")
    assert sorted(_titles(march)) == ["Plan A", "Plan D"]
    # No words: the filters alone, newest first.
    assert _titles(await _search(client, admin, creator="me")) == []
    assert _titles(await _search(client, boris, MEMBER, assignee="me")) == ["Plan A"]


async def test_pages_follow_next_cursor_to_the_end_without_repeats(
    client: AsyncTestClient[Any], api: Api
) -> None:
    admin = await make_admin(client, api)
    owner = await api.user("owner")
    project = await api.project(owner)
    for n in range(5):
        await _task(client, owner, project, f"Budget review {n}")

    seen: list[str] = []
    page = await _search(client, admin, q="budget", limit=2)
    while True:
        assert page["total"] == 5
        seen += [i["task"]["id"] for i in page["items"]]
        if page["next_cursor"] is None:
            break
        page = await _search(client, admin, q="budget", limit=2, cursor=page["next_cursor"])
    assert len(seen) == len(set(seen)) == 5


async def test_members_find_only_their_projects_tasks_and_deleted_tasks_nowhere(
    client: AsyncTestClient[Any], api: Api
) -> None:
    admin = await make_admin(client, api)
    owner = await api.user("owner")
    viewer = await api.user("viewer")
    stranger = await api.user("stranger")
    project = await api.project(owner, key="OWN")
    foreign = await api.project(stranger, key="FOR")
    await _add(client, owner, project, viewer, "viewer")
    await _task(client, owner, project, "Secret launch plan")
    hidden = await _task(client, stranger, foreign, "Secret merger plan")
    gone = await _task(client, owner, project, "Secret old plan")
    assert (await client.delete(f"/api/v1/tasks/{gone['id']}", headers=owner.headers)).status_code == 204

    for member in (owner, viewer):
        page = await _search(client, member, MEMBER, q="secret")
        assert (_titles(page), page["total"]) == (["Secret launch plan"], 1)
        other = await _search(client, member, MEMBER, q="secret", project=foreign["id"])
        assert (other["items"], other["total"]) == ([], 0)
        assert (await _search(client, member, MEMBER))["total"] == 1
    mine = await _search(client, stranger, MEMBER, q="secret")
    assert [i["task"]["id"] for i in mine["items"]] == [hidden["id"]]
    everything = await _search(client, admin, q="secret")
    assert (sorted(_titles(everything)), everything["total"]) == (
        ["Secret launch plan", "Secret merger plan"],
        2,
    )
    assert (await _search(client, admin, MEMBER, q="secret"))["total"] == 2


async def test_the_admin_search_is_for_administrators_only(client: AsyncTestClient[Any], api: Api) -> None:
    member = await api.user("member")
    resp = await client.get(ADMIN, params={"q": "x"}, headers=member.headers)
    assert resp.status_code == 403
    assert resp.json()["code"] == "admin_only"
    assert (await client.get(ADMIN, params={"q": "x"})).status_code == 401
    assert (await client.get(MEMBER, params={"q": "x"})).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "bogus"}, "status"),
        ({"deadline_from": "tomorrow"}, "deadline_from"),
        ({"deadline_from": f"{YEAR}-02-01", "deadline_to": f"{YEAR}-01-01"}, "deadline_to"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"assignee": "   "}, "assignee"),
        ({"q": "report\x01"}, "q"),
        ({"q": "report\x00"}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"project": "not-a-uuid"}, "project"),
        ({"limit": "0"}, "limit"),
    ],
)
async def test_bad_input_is_a_problem_naming_the_parameter(
    client: AsyncTestClient[Any], api: Api, params: dict[str, str], field: str
) -> None:
    admin = await make_admin(client, api)
    for url in (ADMIN, MEMBER):
        resp = await client.get(url, params=params, headers=admin.headers)
        assert 400 <= resp.status_code < 500, resp.text
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert field in resp.text


async def test_task_text_in_a_highlight_is_escaped(client: AsyncTestClient[Any], api: Api) -> None:
    admin = await make_admin(client, api)
    owner = await api.user("owner")
    project = await api.project(owner)
    await _task(client, owner, project, "<img src=x onerror=alert(1)> release notes")

    (item,) = (await _search(client, admin, q="release"))["items"]
    assert "onerror=alert(1)&gt; <mark>release</mark> notes" in item["highlight"]
    assert "<img" not in item["highlight"]
    (plain,) = (await _search(client, admin))["items"]  # no words: the escaped title
    assert plain["highlight"] == "&lt;img src=x onerror=alert(1)&gt; release notes"


class _Backend:
    """A backend as a plugin would bring one: it answers with every id it was told about."""

    name = "stub"

    def __init__(self) -> None:
        self.queries: list[SearchQuery] = []
        self.ids: list[UUID] = []

    async def index(self, task_id: UUID, document: Mapping[str, Any]) -> None:
        self.ids.append(task_id)

    async def remove(self, task_id: UUID) -> None:
        self.ids.remove(task_id)

    async def search(self, query: SearchQuery) -> SearchResults:
        self.queries.append(query)
        hits = [SearchHit(task_id=i, score=1.0, highlight="<mark>stub</mark>") for i in self.ids]
        return SearchResults(hits=hits, total=len(hits))


class _StubSearchPlugin:
    name = "stubsearch"
    settings: type[msgspec.Struct] | None = None

    def __init__(self) -> None:
        self.backend = _Backend()

    def setup(self, registry: Registry, settings: Any) -> None:
        registry.set_search_backend(self.backend)


async def test_a_search_backend_set_by_a_plugin_answers_the_routes(make_client: Any) -> None:
    plugin = _StubSearchPlugin()
    client: AsyncTestClient[Any] = await make_client(plugins=[plugin])
    api = Api(client)
    owner = await api.user("owner")
    stranger = await api.user("stranger")
    mine = await _task(client, owner, await api.project(owner), "Mine")
    theirs = await _task(client, stranger, await api.project(stranger), "Theirs")
    await plugin.backend.index(UUID(mine["id"]), mine)
    await plugin.backend.index(UUID(theirs["id"]), theirs)

    page = await _search(client, owner, MEMBER, q="anything", status="todo")
    # The backend's stale or foreign hits are read back as the caller's live tasks only.
    assert [(i["task"]["id"], i["highlight"]) for i in page["items"]] == [(mine["id"], "<mark>stub</mark>")]
    (query,) = plugin.backend.queries
    assert (query.text, query.statuses, query.offset) == ("anything", ["todo"], 0)
    assert query.project_ids == [UUID(mine["project_id"])]


async def test_a_deleted_task_is_found_again_once_restored(client: AsyncTestClient[Any], api: Api) -> None:
    owner = await api.user("owner")
    project = await api.project(owner)
    task = await _task(client, owner, project, "Renew the lease")
    assert (await client.delete(f"/api/v1/tasks/{task['id']}", headers=owner.headers)).status_code == 204
    assert (await _search(client, owner, MEMBER, q="lease"))["total"] == 0

    resp = await client.post(f"/api/v1/tasks/{task['id']}/restore", headers=owner.headers)
    assert resp.status_code == 200, resp.text
    assert _titles(await _search(client, owner, MEMBER, q="leases")) == ["Renew the lease"]
