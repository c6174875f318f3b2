"""Daily digests and calendar feeds.

``user_account.digest_hour``/``digest_enabled`` (when a user gets their
digest), ``task.assigned_at`` (what is newly assigned to someone),
``digest_sent`` (one row per user and local day: never two digests a day)
and ``calendar_feed`` (private ICS feed URLs, stored as token hashes).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types.datetime
import advanced_alchemy.types.guid
import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _base_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.add_column(
        "user_account", sa.Column("digest_hour", sa.Integer(), nullable=False, server_default=sa.text("9"))
    )
    op.add_column(
        "user_account",
        sa.Column("digest_enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("task", sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
    # Existing assignments are not news: date them to the task's creation.
    op.execute("UPDATE task SET assigned_at = created_at WHERE assignee_id IS NOT NULL")
    op.create_table(
        "digest_sent",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("user_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("notified", sa.Boolean(), nullable=False),
        *_base_columns(),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_digest_sent_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_sent")),
        sa.UniqueConstraint("user_id", "local_date", name=op.f("uq_digest_sent_user_id")),
    )
    op.create_table(
        "calendar_feed",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("user_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("project_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("include", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        *_base_columns(),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_calendar_feed_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_calendar_feed_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_token_hash")),
    )
    op.create_index(op.f("ix_calendar_feed_user_id"), "calendar_feed", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_calendar_feed_user_id"), table_name="calendar_feed")
    op.drop_table("calendar_feed")
    op.drop_table("digest_sent")
    op.drop_column("task", "assigned_at")
    op.drop_column("user_account", "digest_enabled")
    op.drop_column("user_account", "digest_hour")
