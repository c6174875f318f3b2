"""Full-text task search: ``search_task`` and the triggers that keep it current.

One row per task: a ``tsvector`` of its title (weight A), labels (B),
description (C) and comments (D) in the ``russian`` configuration (Russian
stemming with ё folded to е for Cyrillic words, English stemming for Latin
ones), and ``words``, its title and labels in lower case with ё as е, whose
trigrams (pg_trgm) catch typos and prefixes. Triggers on ``task`` and
``task_comment`` rewrite a task's row in the writer's transaction; existing
tasks are indexed here.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFRESH = """
CREATE FUNCTION search_task_refresh(task_ids uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO search_task (task_id, document, words)
    SELECT t.id,
           setweight(to_tsvector('russian', t.title), 'A')
           || setweight(to_tsvector('russian', array_to_string(t.labels, ' ')), 'B')
           || setweight(to_tsvector('russian', t.description), 'C')
           || setweight(to_tsvector('russian', coalesce(
                  (SELECT string_agg(c.body, ' ' ORDER BY c.id) FROM task_comment AS c WHERE c.task_id = t.id),
                  '')), 'D'),
           translate(lower(t.title || ' ' || array_to_string(t.labels, ' ')), 'ё', 'е')
    FROM task AS t
    WHERE t.id = ANY(task_ids)
    ON CONFLICT (task_id) DO UPDATE SET document = excluded.document, words = excluded.words
$$
"""

_TRIGGERS = (
    """
CREATE FUNCTION search_task_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_task_refresh(ARRAY(SELECT id FROM inserted));
    RETURN NULL;
END $$
""",
    """
CREATE TRIGGER search_task_inserted AFTER INSERT ON task
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION search_task_inserted()
""",
    """
CREATE FUNCTION search_task_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_task_refresh(ARRAY[NEW.id]);
    RETURN NULL;
END $$
""",
    """
CREATE TRIGGER search_task_changed AFTER UPDATE OF title, description, labels ON task
    FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title
          OR OLD.description IS DISTINCT FROM NEW.description
          OR OLD.labels IS DISTINCT FROM NEW.labels)
    EXECUTE FUNCTION search_task_changed()
""",
    """
CREATE FUNCTION search_task_commented() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM search_task_refresh(ARRAY[OLD.task_id]);
    ELSE
        PERFORM search_task_refresh(ARRAY[NEW.task_id]);
    END IF;
    RETURN NULL;
END $$
""",
    """
CREATE TRIGGER search_task_commented AFTER INSERT OR DELETE OR UPDATE OF body ON task_comment
    FOR EACH ROW EXECUTE FUNCTION search_task_commented()
""",
)
"""Each a statement of its own (the driver sends one per call)."""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "search_task",
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("document", postgresql.TSVECTOR(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_search_task_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_search_task")),
    )
    op.create_index("ix_search_task_document", "search_task", ["document"], postgresql_using="gin")
    op.create_index(
        "ix_search_task_words_trgm",
        "search_task",
        ["words"],
        postgresql_using="gin",
        postgresql_ops={"words": "gin_trgm_ops"},
    )
    op.execute(_REFRESH)
    for statement in _TRIGGERS:
        op.execute(statement)
    op.execute("SELECT search_task_refresh(ARRAY(SELECT id FROM task))")


def downgrade() -> None:
    op.execute("DROP TRIGGER search_task_commented ON task_comment")
    op.execute("DROP TRIGGER search_task_changed ON task")
    op.execute("DROP TRIGGER search_task_inserted ON task")
    op.execute("DROP FUNCTION search_task_commented()")
    op.execute("DROP FUNCTION search_task_changed()")
    op.execute("DROP FUNCTION search_task_inserted()")
    op.execute("DROP FUNCTION search_task_refresh(uuid[])")
    op.drop_table("search_task")
