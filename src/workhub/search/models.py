"""The PostgreSQL backend's index: one row per task, kept by triggers.

A plain table rather than a model: nothing in Python writes it. Triggers
(migration 0017) rewrite a task's row when its title, description or
labels change and when one of its comments is written or deleted, so the
index is current inside the writer's own transaction, with no outbox
consumer and nothing for a service to remember.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Table, Text, Uuid
from sqlalchemy.dialects.postgresql import TSVECTOR

from workhub.kernel.db import metadata

__all__ = ("search_task",)

search_task = Table(
    "search_task",
    metadata,
    Column("task_id", Uuid, ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    Column("document", TSVECTOR, nullable=False),
    # Title (weight A), labels (B), description (C) and comments (D) in the ``russian`` configuration,
    # which stems Cyrillic words with the Russian stemmer (folding ё to е) and Latin ones with English's.
    Column("words", Text, nullable=False),
    # Title and labels, lower case, ё as е: trigrams of these catch typos and prefixes.
    Index("ix_search_task_document", "document", postgresql_using="gin"),
    Index(
        "ix_search_task_words_trgm",
        "words",
        postgresql_using="gin",
        postgresql_ops={"words": "gin_trgm_ops"},
    ),
)
