"""Overdue marking and reminders.

``task_reminder``: the reminders of task deadlines (planned from the
assignee's offsets or added on the task), with the partial index the
pick-up reads (due and not yet handled) and the unique index that keeps a
planned reminder from being planned twice. The overdue flag and its partial
index on ``task`` came with the tasks table (0003).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types.datetime
import advanced_alchemy.types.guid
import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_reminder",
        sa.Column("task_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("user_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("skipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_task_reminder_task_id_task"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_task_reminder_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_task_reminder_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_reminder")),
    )
    op.create_index("ix_task_reminder_task", "task_reminder", ["task_id"], unique=False)
    op.create_index(
        "ix_task_reminder_due",
        "task_reminder",
        ["remind_at"],
        unique=False,
        postgresql_where=sa.text("sent_at IS NULL AND skipped_at IS NULL"),
    )
    op.create_index(
        "uq_task_reminder_planned",
        "task_reminder",
        ["task_id", "user_id", "offset_minutes", "remind_at"],
        unique=True,
        postgresql_where=sa.text("origin = 'user'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_task_reminder_planned", table_name="task_reminder", postgresql_where=sa.text("origin = 'user'")
    )
    op.drop_index(
        "ix_task_reminder_due",
        table_name="task_reminder",
        postgresql_where=sa.text("sent_at IS NULL AND skipped_at IS NULL"),
    )
    op.drop_index("ix_task_reminder_task", table_name="task_reminder")
    op.drop_table("task_reminder")
