"""Project chat: channels, members, messages, read markers.

``chat_channel`` (a project's channels; live names unique per project, one
default channel per project), ``chat_channel_member`` (who is in a private
channel), ``chat_message`` (paged by channel and id; deleted ones stay as
tombstones) and ``chat_read_marker`` (the newest message each reader has
read in each channel, for unread counts).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types.datetime
import advanced_alchemy.types.guid
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _base_columns() -> list[sa.Column[object]]:
    """``sa_orm_sentinel``, ``created_at`` and ``updated_at`` of every model."""
    return [
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    ]


def _guid() -> advanced_alchemy.types.guid.GUID:
    return advanced_alchemy.types.guid.GUID(length=16)


def upgrade() -> None:
    op.create_table(
        "chat_channel",
        sa.Column("id", _guid(), nullable=False),
        sa.Column("project_id", _guid(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("topic", sa.String(length=250), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_by", _guid(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        *_base_columns(),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_chat_channel_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_chat_channel_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_channel")),
    )
    op.create_index(op.f("ix_chat_channel_project_id"), "chat_channel", ["project_id"], unique=False)
    op.create_index(
        "uq_chat_channel_live_name",
        "chat_channel",
        ["project_id", "name"],
        unique=True,
        postgresql_where=sa.text("archived_at IS NULL"),
    )
    op.create_index(
        "uq_chat_channel_default",
        "chat_channel",
        ["project_id"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )
    op.create_table(
        "chat_channel_member",
        sa.Column("id", _guid(), nullable=False),
        sa.Column("channel_id", _guid(), nullable=False),
        sa.Column("user_id", _guid(), nullable=False),
        *_base_columns(),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["chat_channel.id"],
            name=op.f("fk_chat_channel_member_channel_id_chat_channel"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_chat_channel_member_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_channel_member")),
        sa.UniqueConstraint("channel_id", "user_id", name=op.f("uq_chat_channel_member_channel_id")),
    )
    op.create_index(op.f("ix_chat_channel_member_user_id"), "chat_channel_member", ["user_id"], unique=False)
    op.create_table(
        "chat_message",
        sa.Column("id", _guid(), nullable=False),
        sa.Column("channel_id", _guid(), nullable=False),
        sa.Column("author_id", _guid(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        *_base_columns(),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["chat_channel.id"],
            name=op.f("fk_chat_message_channel_id_chat_channel"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_chat_message_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_message")),
    )
    op.create_index("ix_chat_message_channel", "chat_message", ["channel_id", "id"], unique=False)
    op.create_table(
        "chat_read_marker",
        sa.Column("id", _guid(), nullable=False),
        sa.Column("channel_id", _guid(), nullable=False),
        sa.Column("user_id", _guid(), nullable=False),
        sa.Column("last_read_id", _guid(), nullable=False),
        *_base_columns(),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["chat_channel.id"],
            name=op.f("fk_chat_read_marker_channel_id_chat_channel"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_chat_read_marker_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_read_marker")),
        sa.UniqueConstraint("channel_id", "user_id", name=op.f("uq_chat_read_marker_channel_id")),
    )
    op.create_index(op.f("ix_chat_read_marker_user_id"), "chat_read_marker", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_chat_read_marker_user_id"), table_name="chat_read_marker")
    op.drop_table("chat_read_marker")
    op.drop_index("ix_chat_message_channel", table_name="chat_message")
    op.drop_table("chat_message")
    op.drop_index(op.f("ix_chat_channel_member_user_id"), table_name="chat_channel_member")
    op.drop_table("chat_channel_member")
    op.drop_index(
        "uq_chat_channel_default", table_name="chat_channel", postgresql_where=sa.text("is_default")
    )
    op.drop_index(
        "uq_chat_channel_live_name",
        table_name="chat_channel",
        postgresql_where=sa.text("archived_at IS NULL"),
    )
    op.drop_index(op.f("ix_chat_channel_project_id"), table_name="chat_channel")
    op.drop_table("chat_channel")
