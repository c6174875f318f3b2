"""The task row, defined once: its columns, what "open" and "overdue" mean, and its decoding.

Many statements read tasks in their API form (the lists and the single task,
the calendar and the feeds, exports and statistics, the overdue sweep, the
digest) and most of them are plain SQL sent to asyncpg, because they are
the hot paths (docs/performance.md). They take the row's columns and the
meaning of "open" and "overdue" from here instead of writing them out:

* :data:`TASK_COLUMNS`: the row, one :class:`Column` per field of
  ``schemas.Task`` in its order, read from the task table (alias ``t``)
  joined to the projects module's access relation (alias ``pa``,
  :func:`task_from`); :data:`COLUMNS_SQL` is its select list,
  :func:`columns_sql` that of some of its columns.
* :data:`OPEN`: the statuses of an open task; :data:`OPEN_SQL` and
  :func:`overdue_sql` say "open" and "overdue" in SQL, :func:`is_overdue`
  in Python (ORM statements say ``Task.status.in_(OPEN)``).
* :func:`row_to_task` and :func:`model_to_task`: a row of
  :data:`COLUMNS_SQL`, or a loaded model, as a ``schemas.Task``.
* :data:`INSERT_SQL`: the one ``INSERT`` of a task, in
  :data:`INSERT_COLUMNS`' order.

Overdue is open and past the deadline, or open and flagged in ``t.overdue``
(the sweep's old mark, false since migration 0014: the row is read as it is).
The partial index ``ix_task_open_deadline`` spells "open" in its DDL
(:mod:`workhub.tasks.models` and its migration): a change of :data:`OPEN`
needs a migration of it as well.

The columns and predicates are SQLAlchemy Core expressions, compiled once
at import into constant text (as :mod:`workhub.projects.access` does for its
relation): a statement built from them has the same text on every call, so
asyncpg prepares each shape once, and nothing is composed per request.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import and_, column, literal_column, not_, or_, table
from sqlalchemy.dialects import postgresql

from workhub.projects.api import project_access_sql
from workhub.tasks import schemas
from workhub.tasks.models import Task

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy import ColumnElement
    from sqlalchemy.sql.elements import KeyedColumnElement

__all__ = (
    "COLUMNS_SQL",
    "INSERT_COLUMNS",
    "INSERT_SQL",
    "OPEN",
    "OPEN_SQL",
    "TASK_COLUMNS",
    "Column",
    "columns_sql",
    "is_overdue",
    "model_to_task",
    "overdue_sql",
    "row_to_task",
    "task_from",
)

OPEN: tuple[schemas.Status, ...] = tuple(s for s in schemas.STATUSES if s in schemas.OPEN_STATUSES)
"""The statuses of an open task (``todo``, ``in_progress``), in the order of ``schemas.STATUSES``."""

_PLACEHOLDER = re.compile(r"\$[1-9][0-9]{0,3}")
_t = Task.__table__.alias("t")
_pa = table("pa", column("project_key"), column("archived"), column("role"))


def _sql(clause: ColumnElement[Any]) -> str:
    """``clause`` as PostgreSQL text, values written in (they are constants like :data:`OPEN`)."""
    compiled = clause.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    return " ".join(str(compiled).split())


def _placeholder(now: str) -> ColumnElement[Any]:
    """An asyncpg placeholder (``$3``) as a column; anything else is refused, so the text stays value-free."""
    if not _PLACEHOLDER.fullmatch(now):
        raise ValueError(f"not an asyncpg placeholder: {now!r}")
    return literal_column(now)


class Column(NamedTuple):
    """One column of the task row."""

    name: str
    """The field of ``schemas.Task`` it fills."""
    sql: str
    """Its expression in a statement over ``task AS t`` and the access relation ``AS pa``."""
    label: str
    """The name of the result column (what asyncpg's records are keyed by)."""


def _column(name: str, expression: KeyedColumnElement[Any]) -> Column:
    return Column(name, _sql(expression), expression.key)


TASK_COLUMNS: tuple[Column, ...] = tuple(
    _column(name, _pa.c.project_key if name == "key" else _t.c[name])
    for name in schemas.Task.__struct_fields__
)
"""The task row: ``schemas.Task``'s fields in order, each its task column, except ``key``, the project's
key (``OPS``; :func:`row_to_task` adds the number) and ``overdue``, the old flag (:func:`is_overdue`)."""
COLUMNS_SQL = ", ".join(c.sql for c in TASK_COLUMNS)
"""The select list of :data:`TASK_COLUMNS`: ``t.id, t.project_id, t.number, pa.project_key, ...``."""

_BY_NAME = {c.name: c for c in TASK_COLUMNS}


@lru_cache(maxsize=16)
def columns_sql(*names: str) -> str:
    """The select list of some columns of the row, by field name, in the order given.

    For statements that read less than the whole row (``columns_sql("id", "key", "title")``:
    ``t.id, pa.project_key, t.title``); their records are keyed by each :attr:`Column.label`.
    """
    return ", ".join(_BY_NAME[name].sql for name in names)


_open = _t.c.status.in_(OPEN)
OPEN_SQL = _sql(_open)
"""``t.status IN ('todo', 'in_progress')``: the task ``t`` is open."""


@lru_cache(maxsize=16)
def overdue_sql(now: str, *, indexed: bool = False) -> str:
    """The task ``t`` is overdue at the moment bound to placeholder ``now``, as parenthesised SQL text.

    Args:
        now: the caller's placeholder for the moment, e.g. ``"$3"``.
        indexed: written as two arms, flagged or not, so that the second
            has the predicate of the partial index ``ix_task_open_deadline``
            and a filter on it can use the index.
    """
    moment = _placeholder(now)
    if indexed:
        flagged = _sql(and_(_open, _t.c.overdue))
        late = _sql(and_(_open, not_(_t.c.overdue), _t.c.deadline < moment))
        return f"(({flagged}) OR ({late}))"
    return f"({_sql(and_(_open, or_(_t.c.overdue, _t.c.deadline < moment)))})"


@lru_cache(maxsize=8)
def task_from(user: str | None = None) -> str:
    """`` FROM task AS t JOIN <access relation> AS pa ON ...``: where :data:`COLUMNS_SQL` reads from.

    Args:
        user: the placeholder of the user whose role ``pa.role`` holds
            (:func:`~workhub.projects.api.project_access_sql`); None leaves it NULL.
    """
    return f" FROM task AS t JOIN {project_access_sql(user)} AS pa ON pa.project_id = t.project_id"


def is_overdue(status: str, flagged: bool, deadline: datetime | None, now: datetime) -> bool:
    """Open, and either flagged or past its deadline at ``now`` (:func:`overdue_sql` in Python)."""
    return status in OPEN and (flagged or (deadline is not None and deadline < now))


def row_to_task(row: Sequence[Any], now: datetime) -> schemas.Task:
    """A Struct from the first columns of a row (:data:`TASK_COLUMNS`); ``overdue`` is worked out for ``now``.

    The arguments are positional, in the order of :class:`~workhub.tasks.schemas.Task`'s
    fields: a list makes 50 of these per page, and keywords cost three times as much.
    The positions are checked against :data:`TASK_COLUMNS` at import.
    """
    number, status, deadline = row[2], row[6], row[12]
    return schemas.Task(
        row[0],  # id
        row[1],  # project_id
        number,
        f"{row[3]}-{number}",  # key
        row[4],  # title
        row[5],  # description
        status,
        status in OPEN
        and (row[7] or (deadline is not None and deadline < now)),  # overdue: is_overdue, inlined
        row[8],  # priority
        row[9],  # labels
        row[10],  # assignee_id
        row[11],  # creator_id
        deadline,
        row[13],  # completed_at
        row[14],  # source
        row[15],  # source_ref
        row[16],  # version
        row[17],  # created_at
        row[18],  # updated_at
        row[19],  # position
    )


_DECODED = {"number": 2, "key": 3, "status": 6, "overdue": 7, "deadline": 12}
"""The columns :func:`row_to_task` treats apart, where it expects them."""
if len(TASK_COLUMNS) != 20 or any(TASK_COLUMNS[i].name != name for name, i in _DECODED.items()):
    raise RuntimeError("schemas.Task changed: update row_to_task and model_to_task to its fields")


def model_to_task(task: Task, project_key: str, now: datetime) -> schemas.Task:
    """The API form of a loaded (or just inserted) task model."""
    return schemas.Task(
        id=task.id,
        project_id=task.project_id,
        number=task.number,
        key=f"{project_key}-{task.number}",
        title=task.title,
        description=task.description,
        status=task.status,  # type: ignore[arg-type]
        overdue=is_overdue(task.status, task.overdue, task.deadline, now),
        priority=task.priority,  # type: ignore[arg-type]
        labels=list(task.labels),
        assignee_id=task.assignee_id,
        creator_id=task.creator_id,
        deadline=task.deadline,
        completed_at=task.completed_at,
        source=task.source,
        source_ref=task.source_ref,
        version=task.version,
        created_at=task.created_at,
        updated_at=task.updated_at,
        position=task.position,
    )


INSERT_COLUMNS: tuple[str, ...] = (*(c.label for c in TASK_COLUMNS if c.name != "key"), "assigned_at")
"""What a new task's ``INSERT`` writes: the row's task columns and ``assigned_at`` (read by the digest)."""
INSERT_SQL = (
    f"INSERT INTO task ({', '.join(INSERT_COLUMNS)})"
    f" VALUES ({', '.join(f'${i}' for i in range(1, len(INSERT_COLUMNS) + 1))})"
)
"""Plain SQL for the transaction's driver connection: the busiest write skips the ORM's unit of
work and SQLAlchemy's per-statement work (docs/performance.md)."""
