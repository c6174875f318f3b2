"""Audit views: a task's history, a project's log, the whole log for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.audit.schemas import AuditPage
from workhub.audit.services import AuditFilter, AuditService
from workhub.kernel.guards import admin_only, requires
from workhub.kernel.pagination import MAX_LIMIT
from workhub.kernel.permissions import Action

__all__ = ("AuditController",)

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size")]


class AuditController(Controller):
    """Read-only views of the audit log."""

    tags = ["audit"]

    @get(
        "/api/v1/tasks/{task_id:uuid}/history",
        operation_id="TaskHistory",
        guards=[requires(Action.TASK_READ, scope="task")],
        summary="Every change of a task, newest first",
    )
    async def task_history(
        self,
        db_session: NamedDependency[AsyncSession],
        task_id: FromPath[UUID],
        limit: Limit = 50,
        cursor: FromQuery[str | None] = None,
    ) -> AuditPage:
        """The task's audit records (creation, updates, comments, deletion)."""
        service = AuditService(session=db_session)
        return await service.page(AuditFilter(entity=("task", task_id)), limit=limit, cursor=cursor)

    @get(
        "/api/v1/projects/{project_id:uuid}/audit",
        operation_id="ProjectAudit",
        guards=[requires(Action.AUDIT_READ)],
        summary="The project's audit log (owners and editors)",
    )
    async def project_audit(
        self,
        db_session: NamedDependency[AsyncSession],
        project_id: FromPath[UUID],
        limit: Limit = 50,
        cursor: FromQuery[str | None] = None,
        action: FromQuery[str | None] = None,
        actor: FromQuery[UUID | None] = None,
    ) -> AuditPage:
        """Everything done inside the project."""
        service = AuditService(session=db_session)
        filters = AuditFilter(project_id=project_id, action=action, actor_id=actor)
        return await service.page(filters, limit=limit, cursor=cursor)

    @get("/api/v1/admin/audit", operation_id="AdminAudit", guards=[admin_only], summary="The whole audit log")
    async def admin_audit(
        self,
        db_session: NamedDependency[AsyncSession],
        limit: Limit = 50,
        cursor: FromQuery[str | None] = None,
        actor: FromQuery[UUID | None] = None,
        project: FromQuery[UUID | None] = None,
        action: FromQuery[str | None] = None,
        since: Annotated[datetime | None, QueryParameter(name="from")] = None,
        until: Annotated[datetime | None, QueryParameter(name="to")] = None,
    ) -> AuditPage:
        """Filter by actor, project, action and a time range."""
        service = AuditService(session=db_session)
        filters = AuditFilter(actor_id=actor, project_id=project, action=action, since=since, until=until)
        return await service.page(filters, limit=limit, cursor=cursor)
