"""Invitations: single-use links that let a person with a given email join a project.

The token is random and only its SHA-256 is stored; the creator sees it once.
Any token that cannot be used — unknown, expired, revoked or already used —
gets the same 404, so a link cannot be probed for what happened to it. The
accept route is not guarded by project role (the caller is not a member yet):
the token is the authorisation, bound to the invitee's email.

Locks are always taken project first, invitation second (as in
:mod:`workhub.projects._members`), so concurrent invite, revoke and accept in
one project queue instead of deadlocking.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import select

from workhub.accounts.api import UserService, normalise_email
from workhub.kernel.clock import clock
from workhub.kernel.db import new_id
from workhub.kernel.errors import Conflict, Forbidden, NotFound
from workhub.kernel.events import publish
from workhub.kernel.pagination import encode_cursor
from workhub.kernel.security import hash_token, new_token
from workhub.kernel.services import Service
from workhub.projects import schemas
from workhub.projects._members import MemberService, lock_project, uuid_cursor
from workhub.projects.events import InvitationAccepted, InvitationCreated, InvitationRevoked
from workhub.projects.models import Invitation, Project

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("InvitationService", "invited_signup_role")


def _invalid() -> NotFound:
    return NotFound(
        "This invitation link is not valid: it may have expired, been revoked or been used.",
        code="invitation_invalid",
        message_key="projects.error.invitation_invalid",
    )


def _pending() -> tuple[ColumnElement[bool], ...]:
    return (Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))


async def invited_signup_role(session: AsyncSession, email: str) -> str | None:
    """``manager`` for someone signing up with a pending, unexpired invitation: they join a lead's project.

    The registry's signup-role source; anyone else is left to the accounts module (a lead).
    """
    invited = await session.scalar(
        select(Invitation.id)
        .where(Invitation.email == email, *_pending(), Invitation.expires_at > clock.now())
        .limit(1)
    )
    return "manager" if invited is not None else None


class InvitationService(Service[Invitation]):
    """Invitations to projects: create, list, revoke, accept."""

    class Repo(SQLAlchemyAsyncRepository[Invitation]):
        """Invitation rows."""

        model_type = Invitation

    repository_type = Repo

    @staticmethod
    def as_schema(invitation: Invitation) -> schemas.Invitation:
        """The API form of an invitation (never with its token)."""
        return schemas.Invitation(
            id=invitation.id,
            project_id=invitation.project_id,
            email=invitation.email,
            role=invitation.role,  # type: ignore[arg-type]
            invited_by=invitation.invited_by,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
        )

    @classmethod
    def with_token(cls, invitation: Invitation, token: str, base_url: str) -> schemas.NewInvitation:
        """The one response that carries the token and the link for the invitee."""
        plain = cls.as_schema(invitation)
        return schemas.NewInvitation(
            **{f: getattr(plain, f) for f in plain.__struct_fields__},
            token=token,
            accept_url=f"{base_url.rstrip('/')}/invitations/{token}",
        )

    async def create_invitation(
        self, project_id: UUID, data: schemas.InvitationCreate, *, invited_by: UUID, ttl: int
    ) -> tuple[Invitation, str]:
        """A new invitation and its token; an older pending one for the same email is revoked."""
        await lock_project(self.session, project_id)
        email = normalise_email(data.email)
        user = await UserService(session=self.session).by_email(email)
        if user is not None and await MemberService(session=self.session).membership(project_id, user.id):
            raise Conflict(
                "This person is already a member of the project.",
                code="already_member",
                message_key="projects.error.already_member",
            )
        invitation_id = new_id()
        older = (
            await self.session.scalars(
                select(Invitation)
                .where(Invitation.project_id == project_id, Invitation.email == email, *_pending())
                .with_for_update()
            )
        ).all()
        now = clock.now()
        for old in older:
            old.revoked_at = now
            await publish(
                self.session,
                InvitationRevoked(
                    entity_id=old.id,
                    project_id=project_id,
                    email=email,
                    replaced_by=invitation_id,
                    changes={"revoked": [False, True]},
                ),
            )
        await self.session.flush()
        token = new_token()
        invitation = Invitation(
            id=invitation_id,
            project_id=project_id,
            email=email,
            role=data.role,
            token_hash=hash_token(token),
            expires_at=now + timedelta(seconds=ttl),
            invited_by=invited_by,
        )
        self.session.add(invitation)
        await self.session.flush()
        await publish(
            self.session,
            InvitationCreated(
                entity_id=invitation.id,
                project_id=project_id,
                email=email,
                role=data.role,
                expires_at=invitation.expires_at,
                invited_by=invited_by,
                changes={"email": [None, email], "role": [None, data.role]},
            ),
        )
        return invitation, token

    async def pending_page(
        self, project_id: UUID, *, limit: int, cursor: str | None
    ) -> schemas.InvitationPage:
        """Invitations that can still be accepted, newest first."""
        stmt = (
            select(Invitation)
            .where(Invitation.project_id == project_id, Invitation.expires_at > clock.now(), *_pending())
            .order_by(Invitation.id.desc())
            .limit(limit + 1)
        )
        if cursor:
            stmt = stmt.where(Invitation.id < uuid_cursor(cursor))
        rows = list((await self.session.scalars(stmt)).all())
        more = len(rows) > limit
        rows = rows[:limit]
        return schemas.InvitationPage(
            items=[self.as_schema(r) for r in rows],
            next_cursor=encode_cursor(str(rows[-1].id)) if more and rows else None,
        )

    async def revoke_invitation(self, project_id: UUID, invitation_id: UUID) -> Invitation:
        """Make a pending invitation unusable; one already used or revoked is not found."""
        await lock_project(self.session, project_id)
        invitation = await self.session.scalar(
            select(Invitation)
            .where(Invitation.id == invitation_id, Invitation.project_id == project_id, *_pending())
            .with_for_update()
        )
        if invitation is None:
            raise NotFound("No pending invitation with this id.", code="invitation_not_found")
        invitation.revoked_at = clock.now()
        await self.session.flush()
        await publish(
            self.session,
            InvitationRevoked(
                entity_id=invitation.id,
                project_id=project_id,
                email=invitation.email,
                changes={"revoked": [False, True]},
            ),
        )
        return invitation

    async def _usable(self, token: str, *, lock: bool = False) -> Invitation:
        stmt = select(Invitation).where(Invitation.token_hash == hash_token(token))
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        invitation = await self.session.scalar(stmt)
        if (
            invitation is None
            or invitation.accepted_at is not None
            or invitation.revoked_at is not None
            or invitation.expires_at <= clock.now()
        ):
            raise _invalid()
        return invitation

    async def preview(self, token: str) -> schemas.InvitationPreview:
        """What the link's holder is invited to, so they can sign up with the right email."""
        invitation = await self._usable(token)
        project = await self.session.get_one(Project, invitation.project_id)
        return schemas.InvitationPreview(
            project_name=project.name,
            project_key=project.key,
            email=invitation.email,
            role=invitation.role,  # type: ignore[arg-type]
            expires_at=invitation.expires_at,
        )

    async def accept(self, token: str, user_id: UUID) -> tuple[Project, str]:
        """Join the invitation's project as ``user_id``, whose email must be the invited one."""
        found = await self._usable(token)
        project = await lock_project(self.session, found.project_id)
        invitation = await self._usable(token, lock=True)
        user = UserService.as_schema(await UserService(session=self.session).get(user_id))
        if normalise_email(user.email) != invitation.email:
            raise Forbidden(
                "This invitation was sent to another email address; sign in with that address to accept it.",
                code="invitation_email_mismatch",
                message_key="projects.error.invitation_email_mismatch",
            )
        if project.archived_at is not None:
            raise Conflict("The project is archived.", code="project_archived")
        invitation.accepted_at = clock.now()
        invitation.accepted_by = user_id
        await MemberService(session=self.session).add_member(
            project.id, user_id, invitation.role, invitation_id=invitation.id
        )
        await publish(
            self.session,
            InvitationAccepted(
                entity_id=invitation.id,
                project_id=project.id,
                email=invitation.email,
                role=invitation.role,
                user_id=user_id,
                changes={"accepted_by": [None, str(user_id)]},
            ),
        )
        return project, invitation.role
