"""The project access relations other modules compose into their queries tell the truth.

Tasks (and later chat, search, exports) decide 404/403/409 and show ``OPS-42``
from these relations, so each form must give every caller's real role, the
key and the archived flag, and the member relation exactly the caller's
projects.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import pytest
from sqlalchemy import select

from tests.integration.projects.conftest import Sessions, Team
from workhub.projects.services import (
    ACCESS_COLUMNS,
    member_projects_sql,
    project_access,
    project_access_sql,
)
from workhub.settings import Settings


async def _core_rows(sessions: Sessions, user_id: UUID | None) -> dict[UUID, tuple[Any, ...]]:
    access = project_access(user_id)
    async with sessions() as session:
        rows = (await session.execute(select(access))).all()
    return {row[0]: tuple(row) for row in rows}


async def _sql_rows(settings: Settings, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    assert settings.database_url
    conn = await asyncpg.connect(settings.database_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        return [tuple(row) for row in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


async def test_every_form_gives_each_callers_role_key_and_archived_flag(
    team: Team, sessions: Sessions, settings: Settings
) -> None:
    viewer = await team.member("viewer")
    outsider = await team.api.user("Outsider")
    other = await team.api.project(outsider, key="ELSE", name="Elsewhere")
    resp = await team.client.delete(f"/api/v1/projects/{other['id']}", headers=outsider.headers)
    assert resp.status_code == 204, resp.text
    mine, theirs = UUID(team.id), UUID(other["id"])

    expected = {
        team.owner.id: {mine: ("TEAM", False, "owner"), theirs: ("ELSE", True, None)},
        viewer.id: {mine: ("TEAM", False, "viewer"), theirs: ("ELSE", True, None)},
        outsider.id: {mine: ("TEAM", False, None), theirs: ("ELSE", True, "owner")},
    }
    for user_id, want in expected.items():
        core = await _core_rows(sessions, user_id)
        assert {pid: row[1:] for pid, row in core.items()} == want
        sql = f"SELECT {', '.join(ACCESS_COLUMNS)} FROM {project_access_sql('$1')} AS pa"
        text_rows = await _sql_rows(settings, sql, user_id)
        assert {row[0]: row[1:] for row in text_rows} == want

    # Without a user: keys and flags for everyone, no role.
    anonymous = await _core_rows(sessions, None)
    assert {pid: row[1:] for pid, row in anonymous.items()} == {
        mine: ("TEAM", False, None),
        theirs: ("ELSE", True, None),
    }
    rows = await _sql_rows(
        settings, f"SELECT * FROM {project_access_sql()} AS pa WHERE pa.project_id = $1", mine
    )
    assert rows == [(mine, "TEAM", False, None)]


async def test_member_relation_lists_exactly_the_callers_projects(team: Team, settings: Settings) -> None:
    viewer = await team.member("viewer")
    outsider = await team.api.user("Outsider")
    other = await team.api.project(outsider, key="ELSE", name="Elsewhere")
    sql = f"SELECT project_id FROM {member_projects_sql('$1')} AS m"
    assert {row[0] for row in await _sql_rows(settings, sql, viewer.id)} == {UUID(team.id)}
    assert {row[0] for row in await _sql_rows(settings, sql, outsider.id)} == {UUID(other["id"])}


@pytest.mark.parametrize("placeholder", ["1", "$0", "$1; DROP TABLE project", "user_id", "$1 OR TRUE"])
def test_only_placeholders_go_into_the_text(placeholder: str) -> None:
    with pytest.raises(ValueError, match="placeholder"):
        project_access_sql(placeholder)
    with pytest.raises(ValueError, match="placeholder"):
        member_projects_sql(placeholder)
