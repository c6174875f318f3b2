"""Inbound events (``inbound_event``) and per-project plugin configuration (``project_integration``).

``inbound_event`` keeps every delivery from a source; ``(source, dedupe_key)``
is unique so a repeat finds the first. ``project_integration`` holds one
plugin's settings in one project, with its secrets sealed by the server's
keys (``secrets_kid`` names the key).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types.datetime
import advanced_alchemy.types.guid
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)


def _audit_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "project_integration",
        sa.Column("id", GUID, nullable=False),
        sa.Column("project_id", GUID, nullable=False),
        sa.Column("plugin", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("secrets_kid", sa.String(length=32), nullable=True),
        sa.Column("secrets_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("configured_by", GUID, nullable=True),
        *_audit_columns(),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_integration_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["configured_by"],
            ["user_account.id"],
            name=op.f("fk_project_integration_configured_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_integration")),
        sa.UniqueConstraint("project_id", "plugin", name=op.f("uq_project_integration_project_id")),
    )
    op.create_table(
        "inbound_event",
        sa.Column("id", GUID, nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("project_id", GUID, nullable=True),
        sa.Column("acting_user_id", GUID, nullable=True),
        sa.Column("sender", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("task_id", GUID, nullable=True),
        sa.Column("rule_runs", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("error_code", sa.String(length=60), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        *_audit_columns(),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_inbound_event_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["acting_user_id"],
            ["user_account.id"],
            name=op.f("fk_inbound_event_acting_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_inbound_event_task_id_task"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_event")),
        sa.UniqueConstraint("source", "dedupe_key", name=op.f("uq_inbound_event_source")),
    )
    op.create_index(
        "ix_inbound_event_project", "inbound_event", ["project_id", "received_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_event_project", table_name="inbound_event")
    op.drop_table("inbound_event")
    op.drop_table("project_integration")
