"""Tasks and their comments."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from advanced_alchemy.base import orm_registry
from sqlalchemy import (
    ARRAY,
    Boolean,
    DateTime,
    Double,
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

__all__ = ("CalendarFeed", "Comment", "OverdueNotice", "Task", "TaskReminder")


class Task(Base):
    """A unit of work in a project; ``version`` guards against lost updates."""

    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        Index("ix_task_project_live", "project_id", "number", postgresql_where=text("deleted_at IS NULL")),
        Index("ix_task_assignee", "assignee_id", postgresql_where=text("deleted_at IS NULL")),
        # A board column reads a project's tasks in ``ORDER BY position, id`` pages.
        Index(
            "ix_task_project_position",
            "project_id",
            "position",
            "id",
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_task_open_deadline",
            "deadline",
            postgresql_where=text("deleted_at IS NULL AND status IN ('todo', 'in_progress') AND NOT overdue"),
        ),
        Index("ix_task_labels", "labels", postgresql_using="gin"),
        # ``q`` searches with ILIKE '%text%'; trigram GIN indexes serve it (pg_trgm).
        # A 32 MB pending list (migration 0011): batches of updates rarely merge it in the foreground.
        Index(
            "ix_task_title_trgm",
            "title",
            postgresql_using="gin",
            postgresql_ops={"title": "gin_trgm_ops"},
            postgresql_with={"gin_pending_list_limit": 32768},
        ),
        Index(
            "ix_task_description_trgm",
            "description",
            postgresql_using="gin",
            postgresql_ops={"description": "gin_trgm_ops"},
            postgresql_with={"gin_pending_list_limit": 32768},
        ),
    )

    project_id: Mapped[UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="todo")
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    """No longer written (false since migration 0014): overdue is worked out from the deadline at read
    time, and what the sweep announced is kept in :class:`OverdueNotice`, off this row."""
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    labels: Mapped[list[str]] = mapped_column(ARRAY(String(50)), default=list)
    assignee_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    creator_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the current assignee got the task (the daily digest lists what is new to them)."""
    source: Mapped[str] = mapped_column(String(20), default="web")
    source_ref: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[float] = mapped_column(Double)
    """The order within a board column, ascending; ``-number`` at creation (newest first)."""
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


class CalendarFeed(Base):
    """A private ICS feed URL of a user: their tasks, or one project's.

    Only the SHA-256 of the secret token is stored; the token is shown once.
    ``revoked_at`` set: the URL answers 404 from then on.
    """

    __tablename__ = "calendar_feed"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(10))
    """``mine`` (every project of the user) or ``project``."""
    project_id: Mapped[UUID | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    include: Mapped[str] = mapped_column(String(10))
    """``assigned`` (tasks assigned to the user) or ``all``."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TaskReminder(Base):
    """One reminder of a task's deadline for its assignee (see :mod:`workhub.tasks.reminders`).

    ``origin`` ``user``: planned from the assignee's reminder offsets and
    replanned by the module; ``task``: added on the task by someone (``kind``
    ``absolute`` at ``at``, or ``offset`` minutes before the deadline).
    ``remind_at`` is when it is due, worked out from the task as it is now;
    null while it cannot be sent (no assignee, no deadline, task closed).
    A reminder is handled once: ``sent_at`` (delivered) or ``skipped_at``
    (found too late, after an outage) is set in the transaction that
    delivers it, and its notification's ``event_id`` is the reminder's id.
    """

    __tablename__ = "task_reminder"
    __table_args__ = (
        Index("ix_task_reminder_task", "task_id"),
        Index(
            "ix_task_reminder_due",
            "remind_at",
            postgresql_where=text("sent_at IS NULL AND skipped_at IS NULL"),
        ),
        Index(
            "uq_task_reminder_planned",
            "task_id",
            "user_id",
            "offset_minutes",
            "remind_at",
            unique=True,
            postgresql_where=text("origin = 'user'"),
        ),
    )

    task_id: Mapped[UUID] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    user_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    offset_minutes: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    remind_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    skipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


@orm_registry.mapped
class OverdueNotice:
    """The overdue sweep's record of one open task's deadline (see :mod:`workhub.tasks.overdue`).

    A row per open task with a deadline, written with the task by
    :class:`~workhub.tasks.services.TaskService`. ``noticed_at`` is null
    until the deadline has passed and the sweep has dealt with it;
    ``announced`` says whether that was with a ``task.overdue`` event (false:
    the deadline passed while the task was in the trash or its project
    archived). Kept apart from ``task`` so the sweep neither bumps the task's
    version nor rewrites its row and every index on it.
    """

    __tablename__ = "task_overdue_notice"
    __table_args__ = (
        Index("ix_task_overdue_notice_due", "deadline", postgresql_where=text("noticed_at IS NULL")),
    )

    task_id: Mapped[UUID] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    noticed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    announced: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
