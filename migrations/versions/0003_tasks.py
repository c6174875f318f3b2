"""Tasks: trigram indexes for text filtering and a comment paging index.

Trigram indexes for the ``q`` text filter (ILIKE on title and description)
and a (task, id) index for paging a task's comments in order.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_task_title_trgm",
        "task",
        ["title"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_task_description_trgm",
        "task",
        ["description"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"description": "gin_trgm_ops"},
    )
    op.drop_index("ix_task_comment_task_id", table_name="task_comment")
    op.create_index("ix_task_comment_task", "task_comment", ["task_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_task_comment_task", table_name="task_comment")
    op.create_index("ix_task_comment_task_id", "task_comment", ["task_id"], unique=False)
    op.drop_index("ix_task_description_trgm", table_name="task", postgresql_using="gin")
    op.drop_index("ix_task_title_trgm", table_name="task", postgresql_using="gin")
