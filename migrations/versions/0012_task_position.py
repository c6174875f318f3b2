"""The board order of tasks: ``task.position``.

A board column lists a project's tasks of one status by ``position``
ascending. Existing tasks get ``-number``, which is also what new tasks get,
so every board starts newest first; dragging a card gives it a position
between its new neighbours. The partial index serves a column's
``ORDER BY position, id`` pages within a project.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("task", sa.Column("position", sa.Double(), nullable=True))
    op.execute("UPDATE task SET position = -number")
    op.alter_column("task", "position", nullable=False)
    op.create_index(
        "ix_task_project_position",
        "task",
        ["project_id", "position", "id"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_task_project_position", table_name="task", postgresql_where=sa.text("deleted_at IS NULL")
    )
    op.drop_column("task", "position")
