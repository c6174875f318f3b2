"""Access resolvers of the tasks module's guard scopes.

Each resolver answers, in one statement, the object's project, whether the
project is archived and the caller's role there; the guard turns that into
404/403/409 with the one permission table. They run on every task request,
so they are plain SQL on the session's asyncpg connection: outside a write
no ``BEGIN``/``COMMIT`` is sent, and a read request costs two statements.
The project task list and ``GET /tasks/{id}`` save one: their guards are
``in_statement`` and decide from the role their own row brings, and ask
these resolvers only when no row came back.

Scopes:

* ``task``: live tasks (a deleted task does not exist);
* ``task_restorable``: live tasks, and deleted ones for the project's owners
  only (everyone else gets 404, as for any deleted task);
* ``comment``: comments of live tasks.

The task routes under ``/projects/{project_id}/tasks`` use the projects
module's own ``project`` scope.

What a project is and who may see it belongs to the projects module: the
statements join its :func:`~workhub.projects.services.project_access_sql`
relation and never name its tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from workhub.kernel.db import driver_connection
from workhub.kernel.guards import Access
from workhub.projects.api import project_access_sql

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "resolve_comment_access",
    "resolve_restorable_task_access",
    "resolve_task_access",
)

_ACCESS = project_access_sql("$2")
"""Every project with the caller's (``$2``) role in it."""
_TASK_SQL = (
    "SELECT t.project_id, pa.archived, pa.role, t.deleted_at IS NOT NULL"
    f" FROM task AS t JOIN {_ACCESS} AS pa ON pa.project_id = t.project_id"
    " WHERE t.id = $1"
)
_COMMENT_SQL = (
    "SELECT t.project_id, pa.archived, pa.role"
    " FROM task_comment AS c JOIN task AS t ON t.id = c.task_id AND t.deleted_at IS NULL"
    f" JOIN {_ACCESS} AS pa ON pa.project_id = t.project_id"
    " WHERE c.id = $1"
)


async def resolve_task_access(session: AsyncSession, task_id: UUID, user_id: UUID) -> Access | None:
    """The ``task`` scope: deleted tasks do not exist here."""
    row = await (await driver_connection(session)).fetchrow(_TASK_SQL, task_id, user_id)
    if row is None or row[3]:
        return None
    return Access(project_id=row[0], role=row[2], archived=row[1])


async def resolve_restorable_task_access(
    session: AsyncSession, task_id: UUID, user_id: UUID
) -> Access | None:
    """The ``task_restorable`` scope: a deleted task exists only for the project's owners."""
    row = await (await driver_connection(session)).fetchrow(_TASK_SQL, task_id, user_id)
    if row is None or (row[3] and row[2] != "owner"):
        return None
    return Access(project_id=row[0], role=row[2], archived=row[1])


async def resolve_comment_access(session: AsyncSession, comment_id: UUID, user_id: UUID) -> Access | None:
    """The ``comment`` scope: comments of deleted tasks do not exist."""
    row = await (await driver_connection(session)).fetchrow(_COMMENT_SQL, comment_id, user_id)
    if row is None:
        return None
    return Access(project_id=row[0], role=row[2], archived=row[1])
