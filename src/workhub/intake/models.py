"""Inbound events: every input from a source, stored before anything else happens."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from workhub.kernel.db import Base

__all__ = ("InboundEventRow",)


class InboundEventRow(Base):
    """One delivery from a source; ``(source, dedupe_key)`` is unique, so a repeat finds this row.

    ``status`` moves from ``accepted`` to ``processed`` (``task_id`` set),
    ``ignored`` or ``failed`` (``error_code``/``error`` say why) in the
    worker job that processes it, in the same transaction as the task it
    makes: a crash in between leaves it ``accepted``, and the retried job
    makes the task once.
    """

    __tablename__ = "inbound_event"
    __table_args__ = (
        UniqueConstraint("source", "dedupe_key"),
        Index("ix_inbound_event_project", "project_id", "received_at", "id"),
    )

    source: Mapped[str] = mapped_column(String(20))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    project_id: Mapped[UUID | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    acting_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    sender: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    text: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="accepted")
    task_id: Mapped[UUID | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"))
    rule_runs: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    error_code: Mapped[str | None] = mapped_column(String(60))
    error: Mapped[str | None] = mapped_column(String(1000))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
