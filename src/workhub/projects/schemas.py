"""Requests and responses of projects, members and invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from workhub.accounts.schemas import Email

__all__ = (
    "Invitation",
    "InvitationCreate",
    "InvitationPage",
    "InvitationPreview",
    "Member",
    "MemberPage",
    "MemberUpdate",
    "NewInvitation",
    "Project",
    "ProjectCreate",
    "ProjectPage",
    "ProjectRole",
    "ProjectUpdate",
)

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
    """Rename, re-key, describe, or (owners) archive with ``archived: true``.

    An archived project is read-only, so it comes back through
    ``POST /api/v1/projects/{id}/restore``, not through this PATCH.
    """

    key: Key | msgspec.UnsetType = msgspec.UNSET
    """A new key (stored upper-case, unique); every task's key follows (``OPS-7`` becomes ``OPR-7``)."""
    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    archived: bool | msgspec.UnsetType = msgspec.UNSET


class Member(msgspec.Struct):
    """A member of a project with the user's name and email."""

    user_id: UUID
    name: str
    email: str
    role: ProjectRole
    joined_at: datetime


class MemberPage(msgspec.Struct):
    """A page of members in the order they joined."""

    items: list[Member]
    next_cursor: str | None


class MemberUpdate(msgspec.Struct):
    """A member's new role."""

    role: ProjectRole


class InvitationCreate(msgspec.Struct):
    """Invite ``email`` (with or without an account) to join with ``role``."""

    email: Email
    role: ProjectRole


class Invitation(msgspec.Struct):
    """A pending invitation (the token is shown only once, when it is created)."""

    id: UUID
    project_id: UUID
    email: str
    role: ProjectRole
    invited_by: UUID | None
    created_at: datetime
    expires_at: datetime


class NewInvitation(Invitation):
    """A just-created invitation with its single-use token and the link to send the invitee."""

    token: str
    accept_url: str


class InvitationPage(msgspec.Struct):
    """A page of pending invitations, newest first."""

    items: list[Invitation]
    next_cursor: str | None


class InvitationPreview(msgspec.Struct):
    """What the holder of an invitation link may see before accepting it."""

    project_name: str
    project_key: str
    email: str
    role: ProjectRole
    expires_at: datetime
