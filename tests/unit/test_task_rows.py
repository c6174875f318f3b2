"""The task row's one definition: its columns follow ``schemas.Task``, and both decoders agree with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import msgspec
import pytest

from workhub.tasks import schemas
from workhub.tasks.models import Task
from workhub.tasks.rows import (
    COLUMNS_SQL,
    INSERT_COLUMNS,
    OPEN,
    OPEN_SQL,
    TASK_COLUMNS,
    columns_sql,
    is_overdue,
    model_to_task,
    overdue_sql,
    row_to_task,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _values(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "id": uuid4(),
        "project_id": uuid4(),
        "number": 42,
        "title": "Ship it",
        "description": "",
        "status": "todo",
        "overdue": False,
        "priority": "high",
        "labels": ["ops"],
        "assignee_id": uuid4(),
        "creator_id": None,
        "deadline": NOW - timedelta(minutes=1),
        "completed_at": None,
        "assigned_at": NOW,
        "source": "web",
        "source_ref": None,
        "version": 3,
        "created_at": NOW - timedelta(days=1),
        "updated_at": NOW,
        "position": -42.0,
    }
    values.update(changes)
    return values


def test_the_row_has_a_column_per_field_of_the_api_form_in_its_order() -> None:
    assert tuple(c.name for c in TASK_COLUMNS) == schemas.Task.__struct_fields__
    assert COLUMNS_SQL.startswith("t.id, t.project_id, t.number, pa.project_key, t.title,")
    assert columns_sql("id", "key", "overdue") == "t.id, pa.project_key, t.overdue"
    assert set(INSERT_COLUMNS) == {c.name for c in Task.__table__.columns} - {"deleted_at", "sa_orm_sentinel"}


def test_open_is_todo_and_in_progress() -> None:
    assert OPEN == ("todo", "in_progress")
    assert OPEN_SQL == "t.status IN ('todo', 'in_progress')"
    assert overdue_sql("$3") == "(t.status IN ('todo', 'in_progress') AND (t.overdue OR t.deadline < $3))"


def test_overdue_sql_takes_placeholders_only() -> None:
    with pytest.raises(ValueError, match="placeholder"):
        overdue_sql("now()")


@pytest.mark.parametrize(
    ("status", "flagged", "deadline", "expected"),
    [
        ("todo", False, NOW - timedelta(seconds=1), True),
        ("in_progress", False, NOW + timedelta(seconds=1), False),
        ("in_progress", True, None, True),
        ("todo", False, None, False),
        ("done", True, NOW - timedelta(days=1), False),
        ("cancelled", False, NOW - timedelta(days=1), False),
    ],
)
def test_overdue_is_open_and_late_or_flagged(
    status: str, flagged: bool, deadline: datetime | None, expected: bool
) -> None:
    assert is_overdue(status, flagged, deadline, NOW) is expected
    row = _values(status=status, overdue=flagged, deadline=deadline)
    from_row = row_to_task([*(row[c.label] if c.name != "key" else "OPS" for c in TASK_COLUMNS)], NOW)
    assert from_row.overdue is expected


def test_a_row_and_a_model_decode_to_the_same_task() -> None:
    values = _values()
    row = [values[c.label] if c.name != "key" else "OPS" for c in TASK_COLUMNS]
    row += [False, "owner"]  # the gated list's access columns come after the task's
    from_row = row_to_task(row, NOW)
    from_model = model_to_task(Task(**values), "OPS", NOW)
    assert from_row == from_model
    assert from_row.key == "OPS-42"
    assert from_row.overdue is True
    assert msgspec.json.encode(from_row) == msgspec.json.encode(from_model)
