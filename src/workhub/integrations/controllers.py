"""Routes through which a project's owners turn plugins on and configure them."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.integrations import schemas
from workhub.integrations.services import IntegrationService
from workhub.kernel.guards import requires
from workhub.kernel.permissions import Action
from workhub.kernel.project_config import ProjectSchema
from workhub.kernel.secretbox import SecretBox
from workhub.kernel.security import CurrentUser

__all__ = ("ProjectPluginController",)

PluginName = Annotated[str, Parameter(pattern=r"^[a-z][a-z0-9_-]{0,39}$", description="The plugin's name")]


class ProjectPluginController(Controller):
    """Owners only (``integration.manage``): secrets go in, and never come out."""

    path = "/api/v1/projects/{project_id:uuid}/plugins"
    tags = ["integrations"]
    guards = [requires(Action.INTEGRATION_MANAGE)]

    @get("/", operation_id="ListProjectPlugins", summary="Plugins configurable in the project")
    async def list_plugins(
        self,
        db_session: NamedDependency[AsyncSession],
        integration_schemas: NamedDependency[dict[str, ProjectSchema]],
        secret_box: NamedDependency[SecretBox],
        project_id: FromPath[UUID],
    ) -> list[schemas.ProjectPlugin]:
        """Each plugin that declares per-project settings or secrets, configured here or not."""
        return await IntegrationService(db_session, integration_schemas, secret_box).list_for_project(
            project_id
        )

    @put("/{plugin:str}", operation_id="ConfigureProjectPlugin", summary="Turn on and configure a plugin")
    async def configure(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        integration_schemas: NamedDependency[dict[str, ProjectSchema]],
        secret_box: NamedDependency[SecretBox],
        project_id: FromPath[UUID],
        plugin: PluginName,
        data: JSONBody[schemas.ProjectPluginUpdate],
    ) -> schemas.ProjectPlugin:
        """404 ``unknown_plugin``; 422 ``invalid_plugin_config`` naming the field (``settings.<name>``, ``secrets.<name>``)."""
        service = IntegrationService(db_session, integration_schemas, secret_box)
        return await service.configure(project_id, plugin, data, request.user.id)

    @delete("/{plugin:str}", operation_id="RemoveProjectPlugin", summary="Remove a plugin's configuration")
    async def remove(
        self,
        db_session: NamedDependency[AsyncSession],
        integration_schemas: NamedDependency[dict[str, ProjectSchema]],
        secret_box: NamedDependency[SecretBox],
        project_id: FromPath[UUID],
        plugin: PluginName,
    ) -> None:
        """The plugin stops acting in the project; its settings and secrets are deleted (404 when none)."""
        await IntegrationService(db_session, integration_schemas, secret_box).remove(project_id, plugin)
