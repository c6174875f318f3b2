"""The overdue sweep's record moves off the task row: ``task_overdue_notice``.

One row per open task with a deadline: the deadline, and whether (and when)
the sweep dealt with it once it passed. The sweep takes due rows through the
partial index ``ix_task_overdue_notice_due`` and marks them here, so marking
a task overdue no longer bumps its version (a user's edit in flight kept
getting a 409 it did not cause) or rewrites the task row and every index on
it. ``task.overdue`` is no longer written: tasks the sweep had marked get a
row already noticed (so nothing is announced twice), and the flag is reset,
since overdue is worked out from the deadline at read time.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types.guid
import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_overdue_notice",
        sa.Column("task_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("noticed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("announced", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_task_overdue_notice_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_task_overdue_notice")),
    )
    op.execute(
        "INSERT INTO task_overdue_notice (task_id, deadline, noticed_at, announced)"
        " SELECT id, deadline, CASE WHEN overdue THEN updated_at END, overdue FROM task"
        " WHERE status IN ('todo', 'in_progress') AND deadline IS NOT NULL"
    )
    op.create_index(
        "ix_task_overdue_notice_due",
        "task_overdue_notice",
        ["deadline"],
        unique=False,
        postgresql_where=sa.text("noticed_at IS NULL"),
    )
    op.execute("UPDATE task SET overdue = false WHERE overdue")


def downgrade() -> None:
    op.execute(
        "UPDATE task SET overdue = true FROM task_overdue_notice AS n"
        " WHERE n.task_id = task.id AND n.noticed_at IS NOT NULL AND task.status IN ('todo', 'in_progress')"
    )
    op.drop_index(
        "ix_task_overdue_notice_due",
        table_name="task_overdue_notice",
        postgresql_where=sa.text("noticed_at IS NULL"),
    )
    op.drop_table("task_overdue_notice")
