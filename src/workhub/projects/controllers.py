"""Routes of projects."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.kernel.guards import get_access, requires
from workhub.kernel.pagination import MAX_LIMIT
from workhub.kernel.permissions import Action
from workhub.kernel.security import CurrentUser
from workhub.projects import schemas
from workhub.projects.services import ProjectService

__all__ = ("ProjectController",)


class ProjectController(Controller):
    """Create, list, read, change and archive projects."""

    path = "/api/v1/projects"
    tags = ["projects"]

    @post("", operation_id="CreateProject", summary="Create a project")
    async def create_project(
        self, request: Request[CurrentUser, Any, Any], db_session: AsyncSession, data: schemas.ProjectCreate
    ) -> schemas.Project:
        """Any signed-in user may create a project and becomes its owner."""
        project = await ProjectService(session=db_session).create_project(data, request.user.id)
        return ProjectService.as_schema(project, "owner")

    @get("", operation_id="ListProjects", summary="My projects")
    async def list_projects(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: AsyncSession,
        archived: bool = False,
        all_projects: Annotated[bool, Parameter(query="all", description="Admins: every project")] = False,
        limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT)] = 50,
        cursor: str | None = None,
    ) -> schemas.ProjectPage:
        """Projects the caller is a member of, by key; archived ones with ``archived=true``."""
        user = request.user
        return await ProjectService(session=db_session).page(
            user.id,
            is_admin=user.is_admin,
            all_projects=all_projects,
            archived=archived,
            limit=limit,
            cursor=cursor,
        )

    @get(
        "/{project_id:uuid}",
        operation_id="GetProject",
        guards=[requires(Action.PROJECT_READ)],
        summary="A project",
    )
    async def get_project(
        self, request: Request[CurrentUser, Any, Any], db_session: AsyncSession, project_id: UUID
    ) -> schemas.Project:
        """404 for callers outside the project."""
        project = await ProjectService(session=db_session).get(project_id)
        return ProjectService.as_schema(project, get_access(request.state).role)

    @patch(
        "/{project_id:uuid}",
        operation_id="UpdateProject",
        guards=[requires(Action.PROJECT_UPDATE)],
        summary="Change a project",
    )
    async def update_project(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: AsyncSession,
        project_id: UUID,
        data: schemas.ProjectUpdate,
    ) -> schemas.Project:
        """Owners rename, describe, archive and restore."""
        access = get_access(request.state)
        project = await ProjectService(session=db_session).update_project(
            project_id, data, may_archive=access.may(Action.PROJECT_ARCHIVE)
        )
        return ProjectService.as_schema(project, access.role)

    @delete(
        "/{project_id:uuid}",
        operation_id="ArchiveProject",
        guards=[requires(Action.PROJECT_ARCHIVE)],
        summary="Archive a project",
    )
    async def archive_project(self, db_session: AsyncSession, project_id: UUID) -> None:
        """Owners only; the project can be restored with PATCH ``archived: false``."""
        await ProjectService(session=db_session).archive(project_id)
