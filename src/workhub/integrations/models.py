"""Per-project plugin configuration rows."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from workhub.kernel.db import Base

__all__ = ("ProjectIntegrationRow",)


class ProjectIntegrationRow(Base):
    """One plugin in one project: on or off, its settings, its secrets sealed.

    ``secrets_sealed`` is the JSON of the plugin's secrets Struct, encrypted
    with the server key ``secrets_kid`` names (kernel/secretbox.py); the
    associated data is ``<plugin>:<project id>``, so a sealed value copied to
    another row does not open.
    """

    __tablename__ = "project_integration"
    __table_args__ = (UniqueConstraint("project_id", "plugin"),)

    project_id: Mapped[UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    plugin: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    secrets_kid: Mapped[str | None] = mapped_column(String(32))
    secrets_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    configured_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
