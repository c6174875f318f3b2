"""Events the projects module publishes."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from workhub.kernel.events import DomainEvent

__all__ = ("ProjectArchived", "ProjectCreated", "ProjectRestored", "ProjectUpdated")


class _ProjectEvent(DomainEvent, frozen=True, kw_only=True):
    entity_type: ClassVar[str] = "project"


class ProjectCreated(_ProjectEvent, frozen=True, kw_only=True, tag="project.created"):
    """A project exists; its creator is its first owner."""

    key: str
    owner_id: UUID | None


class ProjectUpdated(_ProjectEvent, frozen=True, kw_only=True, tag="project.updated"):
    """Name or description changed."""


class ProjectArchived(_ProjectEvent, frozen=True, kw_only=True, tag="project.archived"):
    """The project was archived (the API's delete)."""


class ProjectRestored(_ProjectEvent, frozen=True, kw_only=True, tag="project.restored"):
    """The project came back from the archive."""
