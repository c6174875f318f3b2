"""Tasks and their comments."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from workhub.kernel.db import Base

__all__ = ("Comment", "Task")


class Task(Base):
    """A unit of work in a project; ``version`` guards against lost updates."""

    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        Index("ix_task_project_live", "project_id", "number", postgresql_where=text("deleted_at IS NULL")),
        Index("ix_task_assignee", "assignee_id", postgresql_where=text("deleted_at IS NULL")),
        Index(
            "ix_task_open_deadline",
            "deadline",
            postgresql_where=text("deleted_at IS NULL AND status IN ('todo', 'in_progress') AND NOT overdue"),
        ),
        Index("ix_task_labels", "labels", postgresql_using="gin"),
        # ``q`` searches with ILIKE '%text%'; trigram GIN indexes serve it (pg_trgm).
        Index(
            "ix_task_title_trgm", "title", postgresql_using="gin", postgresql_ops={"title": "gin_trgm_ops"}
        ),
        Index(
            "ix_task_description_trgm",
            "description",
            postgresql_using="gin",
            postgresql_ops={"description": "gin_trgm_ops"},
        ),
    )

    project_id: Mapped[UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="todo")
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    labels: Mapped[list[str]] = mapped_column(ARRAY(String(50)), default=list)
    assignee_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    creator_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(20), default="web")
    source_ref: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Comment(Base):
    """A comment on a task (markdown)."""

    __tablename__ = "task_comment"
    __table_args__ = (Index("ix_task_comment_task", "task_id", "id"),)
    """A task's comments are paged in id order (UUIDv7 ids follow creation time)."""

    task_id: Mapped[UUID] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    author_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
