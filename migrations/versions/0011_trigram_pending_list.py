"""Larger pending lists for the trigram indexes of tasks.

Every update of a task row adds its title's and description's trigrams to
these GIN indexes. With the default 4 MB pending list, a batch of updates
(the overdue sweep marks up to 1,000 tasks in one statement) often has to
merge the list into the index itself, which tripled some sweeps. With 32 MB
the merge is left to autovacuum in all but bursts far above that.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = ("ix_task_title_trgm", "ix_task_description_trgm")


def upgrade() -> None:
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} SET (gin_pending_list_limit = 32768)")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} RESET (gin_pending_list_limit)")
