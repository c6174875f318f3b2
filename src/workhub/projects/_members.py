"""Memberships: who is in a project, with which role, and the one-owner rule.

Every change of membership locks the project row first (``FOR NO KEY
UPDATE``: it does not block rows that merely reference the project, such as
new tasks). Two owners demoting or removing each other at the same moment
therefore run one after the other, and the second sees that it would leave
the project without an owner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from advanced_alchemy.filters import CollectionFilter
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import func, select

from workhub.accounts.api import UserService
from workhub.kernel.errors import Conflict, NotFound, ValidationFailed
from workhub.kernel.events import publish
from workhub.kernel.pagination import decode_cursor, encode_cursor
from workhub.kernel.services import Service
from workhub.projects import schemas
from workhub.projects.events import MemberAdded, MemberRemoved, MemberRoleChanged
from workhub.projects.models import Project, ProjectMember

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("MemberService", "lock_project", "uuid_cursor")


async def lock_project(session: AsyncSession, project_id: UUID) -> Project:
    """Lock and reload the project row; membership and invitation changes in one project queue here."""
    project = await session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if project is None:
        raise NotFound
    return project


def uuid_cursor(cursor: str) -> UUID:
    """The row id a cursor holds; a tampered one is the usual 422."""
    (last,) = decode_cursor(cursor, 1)
    try:
        return UUID(str(last))
    except ValueError as exc:
        raise ValidationFailed.field("cursor", "The cursor is not valid.", code="invalid_cursor") from exc


def _last_owner() -> Conflict:
    return Conflict(
        "A project must keep at least one owner; make someone else an owner first.",
        code="last_owner",
        message_key="projects.error.last_owner",
    )


class MemberService(Service[ProjectMember]):
    """Members of projects: the only code that writes ``project_member`` after creation."""

    class Repo(SQLAlchemyAsyncRepository[ProjectMember]):
        """Membership rows."""

        model_type = ProjectMember

    repository_type = Repo

    async def membership(
        self, project_id: UUID, user_id: UUID, *, lock: bool = False
    ) -> ProjectMember | None:
        """The user's membership row in the project, if any."""
        stmt = select(ProjectMember).where(
            ProjectMember.project_id == project_id, ProjectMember.user_id == user_id
        )
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return await self.session.scalar(stmt)

    async def _required(self, project_id: UUID, user_id: UUID) -> ProjectMember:
        row = await self.membership(project_id, user_id, lock=True)
        if row is None:
            raise NotFound("This user is not a member of the project.", code="member_not_found")
        return row

    async def _other_owners(self, project_id: UUID, user_id: UUID) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(ProjectMember)
                .where(
                    ProjectMember.project_id == project_id,
                    ProjectMember.role == "owner",
                    ProjectMember.user_id != user_id,
                )
            )
            or 0
        )

    async def add_member(
        self, project_id: UUID, user_id: UUID, role: str, *, invitation_id: UUID | None = None
    ) -> ProjectMember:
        """Make ``user_id`` a member with ``role``; a user is in a project at most once."""
        await lock_project(self.session, project_id)
        if await UserService(session=self.session).get_one_or_none(id=user_id) is None:
            raise NotFound("No such user.", code="user_not_found")
        if await self.membership(project_id, user_id) is not None:
            raise Conflict(
                "This user is already a member of the project.",
                code="already_member",
                message_key="projects.error.already_member",
            )
        row = ProjectMember(project_id=project_id, user_id=user_id, role=role)
        self.session.add(row)
        await self.session.flush()
        await publish(
            self.session,
            MemberAdded(
                entity_id=user_id,
                project_id=project_id,
                user_id=user_id,
                role=role,
                invitation_id=invitation_id,
                changes={"role": [None, role]},
            ),
        )
        return row

    async def change_role(self, project_id: UUID, user_id: UUID, role: str) -> ProjectMember:
        """Give a member another role; the last owner cannot step down."""
        await lock_project(self.session, project_id)
        row = await self._required(project_id, user_id)
        if row.role == role:
            return row
        if row.role == "owner" and not await self._other_owners(project_id, user_id):
            raise _last_owner()
        old = row.role
        row.role = role
        await self.session.flush()
        await publish(
            self.session,
            MemberRoleChanged(
                entity_id=user_id,
                project_id=project_id,
                user_id=user_id,
                old_role=old,
                role=role,
                changes={"role": [old, role]},
            ),
        )
        return row

    async def remove_member(self, project_id: UUID, user_id: UUID, *, left: bool = False) -> None:
        """Remove a member (``left`` when they leave on their own); never the last owner.

        Project roles are read from the database on every request, so the
        removed user's next request is refused. What else follows is done by
        the modules concerned, in this transaction, through the published
        ``member.removed``: the tasks module's transaction listener unassigns
        their open tasks (it must not be possible to commit one without the
        other); after the commit their sockets leave the project's rooms.
        """
        await lock_project(self.session, project_id)
        row = await self._required(project_id, user_id)
        if row.role == "owner" and not await self._other_owners(project_id, user_id):
            raise _last_owner()
        role = row.role
        await self.session.delete(row)
        await self.session.flush()
        await publish(
            self.session,
            MemberRemoved(
                entity_id=user_id,
                project_id=project_id,
                user_id=user_id,
                role=role,
                left=left,
                changes={"role": [role, None]},
            ),
        )

    async def describe(self, rows: Sequence[ProjectMember]) -> list[schemas.Member]:
        """The API form of memberships, with names and emails from the accounts module."""
        if not rows:
            return []
        users_service = UserService(session=self.session)
        found = await users_service.get_many(
            CollectionFilter(field_name="id", values=[r.user_id for r in rows])
        )
        users = {u.id: UserService.as_schema(u) for u in found}
        return [
            schemas.Member(
                user_id=r.user_id,
                name=users[r.user_id].name,
                email=users[r.user_id].email,
                role=r.role,  # type: ignore[arg-type]
                joined_at=r.created_at,
            )
            for r in rows
            if r.user_id in users
        ]

    async def page(self, project_id: UUID, *, limit: int, cursor: str | None) -> schemas.MemberPage:
        """Members in the order they joined (membership ids are time-ordered)."""
        stmt = (
            select(ProjectMember)
            .where(ProjectMember.project_id == project_id)
            .order_by(ProjectMember.id)
            .limit(limit + 1)
        )
        if cursor:
            stmt = stmt.where(ProjectMember.id > uuid_cursor(cursor))
        rows = list((await self.session.execute(stmt)).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
        return schemas.MemberPage(
            items=await self.describe(rows),
            next_cursor=encode_cursor(str(rows[-1].id)) if more and rows else None,
        )
