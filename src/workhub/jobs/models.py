"""User jobs: one row per export, report or import a user started."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, SmallInteger, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from workhub.kernel.db import Base

__all__ = ("Job",)


class Job(Base):
    """A background job of one user, its progress and, once done, its result file.

    ``status`` moves ``queued → active → completed | failed``; ``cancelled``
    from either of the first two. The result file lives under the jobs
    directory until ``expires_at``; the clean-up cron then deletes it and
    clears ``result_path``.
    """

    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_user", "user_id", "id"),
        Index("ix_job_expiring", "expires_at", postgresql_where=text("result_path IS NOT NULL")),
    )

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[int] = mapped_column(SmallInteger, default=0)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    """Runs started so far; a run owns the row while ``attempts`` is its number.

    A newer run (after a crash, or a duplicate delivery) takes over, and the
    older one stops at its next step.
    """
    message: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(Text)
    result_path: Mapped[str | None] = mapped_column(String(1000))
    result_name: Mapped[str | None] = mapped_column(String(255))
    result_size: Mapped[int | None] = mapped_column(BigInteger)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
