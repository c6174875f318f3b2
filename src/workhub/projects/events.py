"""Events the projects module publishes.

Membership events name the member's user as their entity (``project_member``,
``user_id``) inside ``project_id``, so one person's history in a project reads
as one thread even when they leave and come back. Invitation events never
carry the token: the outbox and the audit log are readable by operators, and
a token there could be used to join the project.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from workhub.kernel.events import DomainEvent

__all__ = (
    "InvitationAccepted",
    "InvitationCreated",
    "InvitationRevoked",
    "MemberAdded",
    "MemberRemoved",
    "MemberRoleChanged",
    "ProjectArchived",
    "ProjectCreated",
    "ProjectRestored",
    "ProjectUpdated",
)


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


class _MemberEvent(DomainEvent, frozen=True, kw_only=True):
    entity_type: ClassVar[str] = "project_member"


class MemberAdded(_MemberEvent, frozen=True, kw_only=True, tag="member.added"):
    """A user joined the project with ``role`` (directly or by an invitation)."""

    user_id: UUID
    role: str
    invitation_id: UUID | None = None


class MemberRoleChanged(_MemberEvent, frozen=True, kw_only=True, tag="member.role_changed"):
    """An owner changed a member's role."""

    user_id: UUID
    old_role: str
    role: str


class MemberRemoved(_MemberEvent, frozen=True, kw_only=True, tag="member.removed"):
    """A member is gone: removed by an owner, or ``left`` on their own."""

    user_id: UUID
    role: str
    left: bool = False


class _InvitationEvent(DomainEvent, frozen=True, kw_only=True):
    entity_type: ClassVar[str] = "invitation"


class InvitationCreated(_InvitationEvent, frozen=True, kw_only=True, tag="invitation.created"):
    """An owner invited ``email`` to join with ``role``."""

    email: str
    role: str
    expires_at: datetime
    invited_by: UUID | None


class InvitationRevoked(_InvitationEvent, frozen=True, kw_only=True, tag="invitation.revoked"):
    """A pending invitation can no longer be accepted (revoked, or replaced by a newer one)."""

    email: str
    replaced_by: UUID | None = None


class InvitationAccepted(_InvitationEvent, frozen=True, kw_only=True, tag="invitation.accepted"):
    """The invitee signed in and joined the project."""

    email: str
    role: str
    user_id: UUID
