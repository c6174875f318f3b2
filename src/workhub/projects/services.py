"""Projects and memberships: the only code that touches their tables.

Other modules ask through :class:`ProjectService` (keys, roles, task
numbers), and compose project access into their own statements with
:func:`~workhub.projects.access.project_access` /
:func:`~workhub.projects.access.project_access_sql`, re-exported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

import msgspec
from advanced_alchemy.exceptions import NotFoundError
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workhub.kernel.clock import clock
from workhub.kernel.db import driver_connection, new_id, transaction_connection
from workhub.kernel.errors import Conflict, Forbidden
from workhub.kernel.events import publish
from workhub.kernel.guards import Access
from workhub.kernel.pagination import decode_cursor, encode_cursor
from workhub.kernel.services import Service
from workhub.projects import schemas
from workhub.projects._invitations import InvitationService
from workhub.projects._members import MemberService
from workhub.projects.access import (
    ACCESS_COLUMNS,
    member_projects_sql,
    project_access,
    project_access_sql,
)
from workhub.projects.events import ProjectArchived, ProjectCreated, ProjectRestored, ProjectUpdated
from workhub.projects.models import Project, ProjectMember

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "ACCESS_COLUMNS",
    "InvitationService",
    "MemberService",
    "ProjectService",
    "TaskNumber",
    "member_projects_sql",
    "project_access",
    "project_access_sql",
    "resolve_project_access",
)


class TaskNumber(NamedTuple):
    """A task number handed out by a project, with the key that prefixes it (``OPS``, 42)."""

    key: str
    number: int


_PROJECT_ACCESS_SQL = f"SELECT pa.project_id, pa.archived, pa.role FROM {project_access_sql('$2')} AS pa WHERE pa.project_id = $1"


_ALLOCATE_TASK_NUMBER_SQL = (
    "UPDATE project SET task_seq = task_seq + 1, updated_at = $2 WHERE id = $1 RETURNING key, task_seq"
)
"""Plain SQL on the transaction's driver connection: it runs on every task created."""


async def resolve_project_access(session: AsyncSession, project_id: UUID, user_id: UUID) -> Access | None:
    """Access resolver for the ``project`` scope: one statement for existence and role.

    It guards every project, member, invitation and channel route, so it is
    plain SQL on the session's asyncpg connection like the tasks module's
    resolvers: no ORM statement compilation, no ``BEGIN`` outside a write.
    """
    row = await (await driver_connection(session)).fetchrow(_PROJECT_ACCESS_SQL, project_id, user_id)
    if row is None:
        return None
    return Access(project_id=row[0], role=row[2], archived=row[1])


class ProjectService(Service[Project]):
    """Projects and their members."""

    class Repo(SQLAlchemyAsyncRepository[Project]):
        """Project rows."""

        model_type = Project

    repository_type = Repo

    @staticmethod
    def as_schema(project: Project, role: str | None) -> schemas.Project:
        """The API form of a project for a caller with ``role``."""
        return schemas.Project(
            id=project.id,
            key=project.key,
            name=project.name,
            description=project.description,
            archived=project.archived_at is not None,
            created_at=project.created_at,
            my_role=role,  # type: ignore[arg-type]
        )

    @staticmethod
    def _key_taken(key: str) -> Conflict:
        return Conflict(
            f"The key {key} is taken.", code="project_key_taken", message_key="projects.error.key_taken"
        )

    async def _check_key_free(self, key: str) -> None:
        if await self.session.scalar(select(Project.id).where(Project.key == key)) is not None:
            raise self._key_taken(key)

    async def create_project(self, data: schemas.ProjectCreate, owner_id: UUID) -> Project:
        """A new project with its creator as owner."""
        key = data.key.upper()
        taken = self._key_taken(key)
        await self._check_key_free(key)
        project = Project(
            id=new_id(), key=key, name=data.name.strip(), description=data.description, created_by=owner_id
        )
        self.session.add(project)
        self.session.add(ProjectMember(project_id=project.id, user_id=owner_id, role="owner"))
        try:
            await self.session.flush()
        except IntegrityError as exc:
            if "uq_project_key" in str(exc.orig):  # taken between the check and the insert
                raise taken from exc
            raise
        await publish(
            self.session,
            ProjectCreated(
                entity_id=project.id,
                project_id=project.id,
                key=key,
                owner_id=owner_id,
                changes={"key": [None, key], "name": [None, project.name]},
            ),
        )
        return project

    async def update_project(
        self, project_id: UUID, data: schemas.ProjectUpdate, *, may_archive: bool
    ) -> Project:
        """Apply a PATCH; archiving needs ``may_archive`` (owners).

        ``archived: false`` is a no-op here: the guard refuses every change to
        an archived project, which comes back through :meth:`restore`.
        """
        project = await self.get(project_id)
        if data.archived is True and project.archived_at is None and not may_archive:
            raise Forbidden("Only an owner can archive the project.")
        values: dict[str, Any] = {
            k: v
            for k, v in msgspec.structs.asdict(data).items()
            if v is not msgspec.UNSET and k != "archived"
        }
        if "key" in values:
            values["key"] = values["key"].upper()
            if values["key"] != project.key:
                await self._check_key_free(values["key"])
        changes = {k: [getattr(project, k), v] for k, v in values.items() if getattr(project, k) != v}
        for key, value in values.items():
            setattr(project, key, value)
        if "key" in changes:
            try:
                await self.session.flush()
            except IntegrityError as exc:
                if "uq_project_key" in str(exc.orig):  # taken between the check and the update
                    raise self._key_taken(project.key) from exc
                raise
        if changes:
            await publish(
                self.session, ProjectUpdated(entity_id=project.id, project_id=project.id, changes=changes)
            )
        if data.archived is True and project.archived_at is None:
            await self.archive(project_id)
        await self.session.flush()
        return project

    async def archive(self, project_id: UUID) -> Project:
        """Archive (the API's delete): hidden from lists, read-only, restorable."""
        project = await self.get(project_id)
        if project.archived_at is None:
            project.archived_at = clock.now()
            await publish(
                self.session,
                ProjectArchived(
                    entity_id=project.id, project_id=project.id, changes={"archived": [False, True]}
                ),
            )
            await self.session.flush()
        return project

    async def restore(self, project_id: UUID) -> Project:
        """Bring an archived project back; restoring an active one changes nothing."""
        project = await self.get(project_id)
        if project.archived_at is not None:
            project.archived_at = None
            await publish(
                self.session,
                ProjectRestored(
                    entity_id=project.id, project_id=project.id, changes={"archived": [True, False]}
                ),
            )
            await self.session.flush()
        return project

    async def add_member(self, project_id: UUID, user_id: UUID, role: str) -> ProjectMember:
        """Make a user a member directly (demo seed, CLI); the API adds members by invitation."""
        return await MemberService(session=self.session).add_member(project_id, user_id, role)

    async def role_of(self, project_id: UUID, user_id: UUID, *, hold: bool = False) -> str | None:
        """The user's role in the project, if a member.

        ``hold`` keeps the membership from being removed until the caller's
        transaction ends (a key-share lock on its row): a task assigned to a
        member is then either seen by the removal, which unassigns it, or
        refused because the removal came first.
        """
        stmt = select(ProjectMember.role).where(
            ProjectMember.project_id == project_id, ProjectMember.user_id == user_id
        )
        if hold:
            stmt = stmt.with_for_update(key_share=True)
        return await self.session.scalar(stmt)

    async def owner_ids(self, project_id: UUID) -> list[UUID]:
        """The project's owners, in the order they joined."""
        stmt = (
            select(ProjectMember.user_id)
            .where(ProjectMember.project_id == project_id, ProjectMember.role == "owner")
            .order_by(ProjectMember.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def allocate_task_number(self, project_id: UUID) -> TaskNumber:
        """The project's next task number and its key, in one statement.

        The row lock taken by the UPDATE serialises concurrent creators until
        the caller's transaction ends, so numbers are never handed out twice.
        """
        connection = await transaction_connection(self.session)
        row = await connection.fetchrow(_ALLOCATE_TASK_NUMBER_SQL, project_id, clock.now())
        if row is None:
            raise NotFoundError(f"project {project_id} not found")
        return TaskNumber(key=row[0], number=int(row[1]))

    async def visible_project_ids(self, user_id: UUID, *, include_archived: bool = False) -> list[UUID]:
        """Projects the user is a member of."""
        stmt = select(ProjectMember.project_id).where(ProjectMember.user_id == user_id)
        if not include_archived:
            stmt = stmt.join(Project, Project.id == ProjectMember.project_id).where(
                Project.archived_at.is_(None)
            )
        return list((await self.session.execute(stmt)).scalars())

    async def page(
        self,
        user_id: UUID,
        *,
        is_admin: bool,
        all_projects: bool,
        archived: bool,
        limit: int,
        cursor: str | None,
    ) -> schemas.ProjectPage:
        """The caller's projects by key (admins may ask for ``all``)."""
        member = (ProjectMember.project_id == Project.id) & (ProjectMember.user_id == user_id)
        stmt = select(Project, ProjectMember.role).order_by(Project.key).limit(limit + 1)
        if all_projects and is_admin:
            stmt = stmt.outerjoin(ProjectMember, member)
        else:
            stmt = stmt.join(ProjectMember, member)
        stmt = stmt.where(Project.archived_at.is_not(None) if archived else Project.archived_at.is_(None))
        if cursor:
            (last,) = decode_cursor(cursor, 1)
            stmt = stmt.where(Project.key > str(last))
        rows = list((await self.session.execute(stmt)).all())
        more = len(rows) > limit
        rows = rows[:limit]
        return schemas.ProjectPage(
            items=[self.as_schema(p, role) for p, role in rows],
            next_cursor=encode_cursor(rows[-1][0].key) if more and rows else None,
        )
