"""Project access as building blocks for other modules' queries.

Other modules need "which projects, with what key, archived or not, and the
caller's role there" inside their own statements: the tasks list joins it to
show ``OPS-42``, every task guard joins it to answer 404/403/409 in one round
trip. They must not name this module's tables or models, so the projects
module hands out two relations ready-made:

* the access relation, columns :data:`ACCESS_COLUMNS`: ``project_id``,
  ``project_key``, ``archived`` (a boolean) and ``role`` (the user's project
  role; NULL when not a member, or when no user is given);
* the member relation: the ids (column ``project_id``) of the projects a user
  is a member of, for ``... IN (...)`` filters.

The access relation comes as a SQLAlchemy Core subquery
(:func:`project_access`) for ORM/Core statements, and both as SQL text
(:func:`project_access_sql`, :func:`member_projects_sql`) for statements sent
straight to asyncpg, with the user id bound to a placeholder the caller
chooses. The text is compiled from the same Core statement, so there is one
definition. PostgreSQL inlines these subqueries: joined on ``project_id`` (or
used with ``IN``) they get the plan a hand-written join over the tables would,
so keeping the boundary costs nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import String, cast, literal_column, null, select
from sqlalchemy.dialects import postgresql

from workhub.projects.models import Project, ProjectMember

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select, Subquery
    from sqlalchemy.sql.elements import ClauseElement

__all__ = (
    "ACCESS_COLUMNS",
    "member_projects_sql",
    "project_access",
    "project_access_sql",
)

ACCESS_COLUMNS = ("project_id", "project_key", "archived", "role")
"""The columns of the access relation, in order."""

_PLACEHOLDER = re.compile(r"\$[1-9][0-9]{0,3}")


def _access_select(user: ColumnElement[UUID] | UUID | None) -> Select[UUID, str, bool, str]:
    """The access relation; ``user`` is a value, a placeholder column or None."""
    columns = (
        Project.id.label("project_id"),
        Project.key.label("project_key"),
        Project.archived_at.is_not(None).label("archived"),
    )
    if user is None:
        return select(*columns, cast(null(), String).label("role")).select_from(Project)
    member = (ProjectMember.project_id == Project.id) & (ProjectMember.user_id == user)
    return (
        select(*columns, ProjectMember.role.label("role"))
        .select_from(Project)
        .outerjoin(ProjectMember, member)
    )


def _member_select(user: ColumnElement[UUID]) -> Select[UUID]:
    """The member relation: ids of the projects ``user`` belongs to."""
    return select(ProjectMember.project_id).where(ProjectMember.user_id == user)


def _sql(stmt: ClauseElement) -> str:
    """``stmt`` as one line of PostgreSQL text, in parentheses."""
    compiled = stmt.compile(dialect=postgresql.dialect())
    return "(" + " ".join(str(compiled).split()) + ")"


def _placeholder(user: str) -> ColumnElement[UUID]:
    """An asyncpg placeholder (``$2``) as a column; anything else is refused, so the text stays value-free."""
    if not _PLACEHOLDER.fullmatch(user):
        raise ValueError(f"not an asyncpg placeholder: {user!r}")
    return literal_column(user)


def project_access(user_id: UUID | None = None) -> Subquery:
    """Every project with ``user_id``'s role in it, as a Core subquery named ``project_access``.

    Args:
        user_id: whose role ``role`` holds; None leaves ``role`` NULL (for
            callers that only need keys or the archived flag).
    """
    return _access_select(user_id).subquery("project_access")


@lru_cache(maxsize=32)
def project_access_sql(user: str | None = None) -> str:
    """The relation of :func:`project_access` as a parenthesised SQL subquery for asyncpg.

    The text is constant for given arguments (so asyncpg prepares each
    statement shape once) and safe to splice: it contains no values.

    Args:
        user: the caller's placeholder for the user id, e.g. ``"$2"``; None
            leaves ``role`` NULL.

    Example:
        ``f"SELECT t.id, pa.project_key FROM task AS t JOIN {project_access_sql()} AS pa
        ON pa.project_id = t.project_id WHERE t.id = $1"``
    """
    return _sql(_access_select(_placeholder(user) if user is not None else None))


@lru_cache(maxsize=32)
def member_projects_sql(user: str) -> str:
    """Ids of the projects the user at placeholder ``user`` belongs to, as SQL text.

    For filters: ``f"t.project_id IN {member_projects_sql('$3')}"``.
    """
    return _sql(_member_select(_placeholder(user)))
