"""Organisation roles: ``member`` becomes ``lead`` or ``manager`` beside ``admin``.

Leads set tasks for managers and create projects; managers carry tasks out in
the projects they are invited to. A member who owns a project today is a lead
(so nobody loses what they already do); every other member is a manager until
an administrator makes them a lead. Going down, leads and managers are
members again.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        UPDATE user_account AS u
        SET role = CASE
            WHEN EXISTS (SELECT 1 FROM project_member AS m WHERE m.user_id = u.id AND m.role = 'owner')
            THEN 'lead'
            ELSE 'manager'
        END
        WHERE u.role = 'member'
        """
    )


def downgrade() -> None:
    op.execute("UPDATE user_account SET role = 'member' WHERE role IN ('lead', 'manager')")
