"""Projects: one pending invitation per email and project.

A partial unique index keeps it so.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One pending invitation per email and project (a new one revokes the old).
    op.create_index(
        "uq_project_invitation_pending",
        "project_invitation",
        ["project_id", "email"],
        unique=True,
        postgresql_where=sa.text("accepted_at IS NULL AND revoked_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_project_invitation_pending", table_name="project_invitation")
