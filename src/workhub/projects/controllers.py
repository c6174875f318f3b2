"""Routes of projects, their members and invitations."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.kernel.guards import get_access, requires, requires_system
from workhub.kernel.openapi import problems
from workhub.kernel.pagination import MAX_LIMIT
from workhub.kernel.permissions import Action, SystemAction
from workhub.kernel.plugins import Runtime
from workhub.kernel.security import CurrentUser
from workhub.projects import schemas
from workhub.projects.cache import ProjectListCache, bump_after_write
from workhub.projects.services import InvitationService, MemberService, ProjectService
from workhub.settings import Settings

__all__ = ("InvitationController", "InvitationLinkController", "MemberController", "ProjectController")

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size")]


class ProjectController(Controller):
    """Create, list, read, change and archive projects."""

    path = "/api/v1/projects"
    tags = ["projects"]
    before_request = bump_after_write
    after_response = bump_after_write

    @post(
        "",
        operation_id="CreateProject",
        guards=[requires_system(SystemAction.PROJECT_CREATE)],
        summary="Create a project",
    )
    async def create_project(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[schemas.ProjectCreate],
    ) -> schemas.Project:
        """Leads and administrators create projects and become their owners.

        Managers work in the projects they are invited to: 403 ``system_role_forbidden``.
        """
        project = await ProjectService(session=db_session).create_project(data, request.user.id)
        return ProjectService.as_schema(project, "owner")

    @get("", operation_id="ListProjects", summary="My projects")
    async def list_projects(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        runtime: NamedDependency[Runtime],
        archived: FromQuery[bool] = False,
        all_projects: Annotated[
            bool, QueryParameter(name="all", description="Admins: every project")
        ] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> schemas.ProjectPage:
        """Projects the caller is a member of, by key; archived ones with ``archived=true``.

        A member's lists are served from Redis until a project or membership
        changes (:mod:`workhub.projects.cache`); an administrator's ``all``
        list is always read afresh.
        """
        user = request.user
        everything = all_projects and user.is_admin
        cache = ProjectListCache(runtime.redis)
        variant = f"{archived}:{limit}:{cursor or ''}"
        cached, generation = (None, "") if everything else await cache.get(user.id, variant)
        if cached is not None:
            return cached
        page = await ProjectService(session=db_session).page(
            user.id,
            is_admin=user.is_admin,
            all_projects=all_projects,
            archived=archived,
            limit=limit,
            cursor=cursor,
        )
        if not everything:
            await cache.put(user.id, variant, page, generation)
        return page

    @get(
        "/{project_id:uuid}",
        operation_id="GetProject",
        guards=[requires(Action.PROJECT_READ)],
        summary="A project",
    )
    async def get_project(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        project_id: FromPath[UUID],
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
        db_session: NamedDependency[AsyncSession],
        project_id: FromPath[UUID],
        data: JSONBody[schemas.ProjectUpdate],
    ) -> schemas.Project:
        """Owners rename, describe and archive (an archived project is read-only until restored)."""
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
    async def archive_project(
        self, db_session: NamedDependency[AsyncSession], project_id: FromPath[UUID]
    ) -> None:
        """Owners only; the project can be restored with ``POST .../restore``."""
        await ProjectService(session=db_session).archive(project_id)

    @post(
        "/{project_id:uuid}/restore",
        operation_id="RestoreProject",
        guards=[requires(Action.PROJECT_ARCHIVE)],
        status_code=HTTP_200_OK,
        summary="Bring a project back from the archive",
    )
    async def restore_project(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        project_id: FromPath[UUID],
    ) -> schemas.Project:
        """Owners only; the project becomes writable and shows in lists again."""
        project = await ProjectService(session=db_session).restore(project_id)
        return ProjectService.as_schema(project, get_access(request.state).role)


class MemberController(Controller):
    """Who is in a project: list, change roles, remove, leave."""

    path = "/api/v1/projects/{project_id:uuid}"
    tags = ["members"]
    before_request = bump_after_write
    after_response = bump_after_write

    @get(
        "/members",
        operation_id="ListMembers",
        guards=[requires(Action.MEMBER_READ)],
        summary="Members of a project",
    )
    async def list_members(
        self,
        db_session: NamedDependency[AsyncSession],
        project_id: FromPath[UUID],
        limit: Limit = 50,
        cursor: FromQuery[str | None] = None,
    ) -> schemas.MemberPage:
        """Every member with name, email and role, in the order they joined."""
        return await MemberService(session=db_session).page(project_id, limit=limit, cursor=cursor)

    @patch(
        "/members/{user_id:uuid}",
        operation_id="UpdateMember",
        guards=[requires(Action.MEMBER_MANAGE)],
        summary="Change a member's role",
    )
    async def update_member(
        self,
        db_session: NamedDependency[AsyncSession],
        project_id: FromPath[UUID],
        user_id: FromPath[UUID],
        data: JSONBody[schemas.MemberUpdate],
    ) -> schemas.Member:
        """Owners only; the last owner cannot be demoted (409 ``last_owner``)."""
        service = MemberService(session=db_session)
        row = await service.change_role(project_id, user_id, data.role)
        (member,) = await service.describe([row])
        return member

    @delete(
        "/members/{user_id:uuid}",
        operation_id="RemoveMember",
        guards=[requires(Action.MEMBER_MANAGE)],
        summary="Remove a member",
    )
    async def remove_member(
        self, db_session: NamedDependency[AsyncSession], project_id: FromPath[UUID], user_id: FromPath[UUID]
    ) -> None:
        """Owners only; the last owner cannot be removed (409 ``last_owner``)."""
        await MemberService(session=db_session).remove_member(project_id, user_id)

    @post(
        "/leave",
        operation_id="LeaveProject",
        # Every member may leave, whatever their role, and also from an archived
        # project, so the read action is the one to require.
        guards=[requires(Action.MEMBER_READ)],
        status_code=HTTP_204_NO_CONTENT,
        summary="Leave a project",
    )
    async def leave_project(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        project_id: FromPath[UUID],
    ) -> None:
        """The caller stops being a member; the last owner must hand over first (409 ``last_owner``)."""
        await MemberService(session=db_session).remove_member(project_id, request.user.id, left=True)


class InvitationController(Controller):
    """Invitations to a project, managed by its owners."""

    path = "/api/v1/projects/{project_id:uuid}/invitations"
    tags = ["members"]

    @post(
        "",
        operation_id="CreateInvitation",
        guards=[requires(Action.INVITATION_MANAGE)],
        summary="Invite someone by email",
    )
    async def create_invitation(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        project_id: FromPath[UUID],
        data: JSONBody[schemas.InvitationCreate],
    ) -> schemas.NewInvitation:
        """201 with the token and accept link, shown only this once; a pending invitation to the same email is replaced."""
        invitation, token = await InvitationService(session=db_session).create_invitation(
            project_id, data, invited_by=request.user.id, ttl=settings.invitation_ttl
        )
        return InvitationService.with_token(invitation, token, settings.base_url)

    @get(
        "",
        operation_id="ListInvitations",
        guards=[requires(Action.INVITATION_MANAGE)],
        summary="Pending invitations",
    )
    async def list_invitations(
        self,
        db_session: NamedDependency[AsyncSession],
        project_id: FromPath[UUID],
        limit: Limit = 50,
        cursor: FromQuery[str | None] = None,
    ) -> schemas.InvitationPage:
        """Invitations not yet accepted, revoked or expired, newest first (without tokens)."""
        return await InvitationService(session=db_session).pending_page(
            project_id, limit=limit, cursor=cursor
        )

    @delete(
        "/{invitation_id:uuid}",
        operation_id="RevokeInvitation",
        guards=[requires(Action.INVITATION_MANAGE)],
        summary="Revoke an invitation",
    )
    async def revoke_invitation(
        self,
        db_session: NamedDependency[AsyncSession],
        project_id: FromPath[UUID],
        invitation_id: FromPath[UUID],
    ) -> None:
        """The link stops working at once."""
        await InvitationService(session=db_session).revoke_invitation(project_id, invitation_id)


class InvitationLinkController(Controller):
    """What the holder of an invitation link does with it.

    These routes are not guarded by a project role: the invitee is not a
    member yet. The token itself authorises, bound to the invited email.
    """

    path = "/api/v1/invitations/{token:str}"
    tags = ["members"]
    before_request = bump_after_write
    after_response = bump_after_write

    @get("", operation_id="PreviewInvitation", opt={"public": True}, summary="What an invitation is for")
    async def preview_invitation(
        self, db_session: NamedDependency[AsyncSession], token: FromPath[str]
    ) -> schemas.InvitationPreview:
        """Project, role and invited email, so a newcomer can sign up with that email; 404 ``invitation_invalid`` otherwise."""
        return await InvitationService(session=db_session).preview(token)

    @post(
        "/accept",
        operation_id="AcceptInvitation",
        status_code=HTTP_200_OK,
        summary="Accept an invitation",
        responses=problems(
            403, d403="The invitation was sent to another email (`invitation_email_mismatch`)."
        ),
    )
    async def accept_invitation(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        token: FromPath[str],
    ) -> schemas.Project:
        """Join the project; the caller's email must be the invited one (403 ``invitation_email_mismatch``)."""
        project, role = await InvitationService(session=db_session).accept(token, request.user.id)
        return ProjectService.as_schema(project, role)
