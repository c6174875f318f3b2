"""Who a task's comments mentioned: ``notification_thread``.

A new comment notifies everyone its task's discussion has ``@mentioned``.
That set was found by reading every earlier comment of the task on each new
one; it is now kept, one row per task, by the comment notices themselves. A
task's row is made by its first comment notice after this migration, from
the comments it has by then, so nothing needs filling in here.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types.datetime
import advanced_alchemy.types.guid
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_thread",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("task_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("mentioned", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_notification_thread_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_thread")),
        sa.UniqueConstraint("task_id", name=op.f("uq_notification_thread_task_id")),
    )


def downgrade() -> None:
    op.drop_table("notification_thread")
