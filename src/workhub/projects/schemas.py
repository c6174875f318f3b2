"""Requests and responses of projects, members and invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

__all__ = ("Project", "ProjectCreate", "ProjectPage", "ProjectUpdate")

ProjectRole = Literal["owner", "editor", "viewer"]
Key = Annotated[str, msgspec.Meta(min_length=2, max_length=10, pattern=r"^[A-Za-z][A-Za-z0-9]{1,9}$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=10_000)]


class Project(msgspec.Struct):
    """A project as its members see it, with the caller's role (None for admins outside it)."""

    id: UUID
    key: str
    name: str
    description: str
    archived: bool
    created_at: datetime
    my_role: ProjectRole | None


class ProjectPage(msgspec.Struct):
    """A page of projects."""

    items: list[Project]
    next_cursor: str | None


class ProjectCreate(msgspec.Struct):
    """A new project; the key is stored upper-case and must be unique."""

    key: Key
    name: Name
    description: Description = ""


class ProjectUpdate(msgspec.Struct, omit_defaults=True):
    """Rename, describe, or (owners) bring back from the archive with ``archived: false``."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    archived: bool | msgspec.UnsetType = msgspec.UNSET
