"""Per-project plugin configuration: the only code that reads or writes ``project_integration``.

Settings are validated against the plugin's own ``project_settings`` Struct
and stored as JSON; secrets are validated against ``project_secrets``, then
sealed (kernel/secretbox.py) so the database, its backups and the audit log
hold no usable secret. Every change publishes an event in the same
transaction (so it is audited) whose diff names changed secrets, never their
values.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.integrations import schemas
from workhub.integrations.events import ProjectPluginConfigured, ProjectPluginRemoved
from workhub.integrations.models import ProjectIntegrationRow
from workhub.kernel.clock import clock
from workhub.kernel.db import new_id, session_scope
from workhub.kernel.errors import NotFound, ValidationFailed
from workhub.kernel.events import publish
from workhub.kernel.keys import KeyRing
from workhub.kernel.plugins import Registry
from workhub.kernel.project_config import ProjectIntegration, ProjectSchema
from workhub.kernel.secretbox import SealedSecret, SecretBox
from workhub.settings import Settings

__all__ = ("IntegrationService", "StoredProjectConfigs", "reencrypt_all", "secret_box")

_AT = re.compile(r"at `\$\.([A-Za-z0-9_]+)")
_MISSING = re.compile(r"missing required field `([^`]+)`")
_SET = "set"


def secret_box(settings: Settings) -> SecretBox:
    """The box sealing secrets with this server's keys."""
    return SecretBox(KeyRing.parse(settings.secret_key, settings.previous_secret_keys))


def _context(plugin: str, project_id: UUID) -> str:
    return f"{plugin}:{project_id}"


def _convert(value: dict[str, Any], struct: type[msgspec.Struct], where: str) -> msgspec.Struct:
    """``value`` as the plugin's Struct; a 422 naming ``<where>.<field>`` otherwise."""
    try:
        return msgspec.convert(value, struct, strict=False)
    except msgspec.ValidationError as exc:
        text = str(exc)
        found = _AT.search(text) or _MISSING.search(text)
        field = f"{where}.{found.group(1)}" if found else where
        raise ValidationFailed.field(field, text, code="invalid_plugin_config") from exc


def _defaults(struct: type[msgspec.Struct] | None) -> dict[str, Any] | None:
    if struct is None:
        return None
    try:
        return msgspec.to_builtins(msgspec.convert({}, struct))
    except msgspec.ValidationError:
        return None


class IntegrationService:
    """Configure plugins per project (the routes) and read the result (the plugins, via :class:`StoredProjectConfigs`)."""

    def __init__(
        self, session: AsyncSession, schemas_by_plugin: dict[str, ProjectSchema], box: SecretBox
    ) -> None:
        self.session = session
        self.schemas = schemas_by_plugin
        self.box = box

    def _schema(self, plugin: str) -> ProjectSchema:
        schema = self.schemas.get(plugin)
        if schema is None:
            raise NotFound("No plugin of that name can be configured per project.", code="unknown_plugin")
        return schema

    async def _row(
        self, project_id: UUID, plugin: str, *, lock: bool = False
    ) -> ProjectIntegrationRow | None:
        statement = select(ProjectIntegrationRow).where(
            ProjectIntegrationRow.project_id == project_id, ProjectIntegrationRow.plugin == plugin
        )
        if lock:
            statement = statement.with_for_update()
        return await self.session.scalar(statement)

    def _secrets(self, row: ProjectIntegrationRow) -> dict[str, Any]:
        if row.secrets_sealed is None or row.secrets_kid is None:
            return {}
        opened = self.box.open(
            SealedSecret((row.secrets_kid, row.secrets_sealed)), _context(row.plugin, row.project_id)
        )
        return msgspec.json.decode(opened)

    def _view(self, plugin: str, row: ProjectIntegrationRow | None) -> schemas.ProjectPlugin:
        schema = self._schema(plugin)
        stored = self._secrets(row) if row is not None else {}
        names = list(schema.secrets.__struct_fields__) if schema.secrets is not None else []
        return schemas.ProjectPlugin(
            plugin=plugin,
            configured=row is not None,
            enabled=row.enabled if row is not None else False,
            settings=row.settings if row is not None else _defaults(schema.settings),
            secrets={name: stored.get(name) is not None for name in names},
            settings_schema=msgspec.json.schema(schema.settings) if schema.settings is not None else None,
            secrets_schema=msgspec.json.schema(schema.secrets) if schema.secrets is not None else None,
        )

    async def list_for_project(self, project_id: UUID) -> list[schemas.ProjectPlugin]:
        """Every plugin configurable per project, configured here or not, by name."""
        rows = {
            row.plugin: row
            for row in await self.session.scalars(
                select(ProjectIntegrationRow).where(ProjectIntegrationRow.project_id == project_id)
            )
        }
        return [self._view(plugin, rows.get(plugin)) for plugin in sorted(self.schemas)]

    async def configure(
        self, project_id: UUID, plugin: str, data: schemas.ProjectPluginUpdate, actor_id: UUID | None
    ) -> schemas.ProjectPlugin:
        """Validate and store ``data``; published (and so audited) as ``project_plugin.configured``."""
        schema = self._schema(plugin)
        if data.settings and schema.settings is None:
            raise ValidationFailed.field(
                "settings", "This plugin has no settings.", code="invalid_plugin_config"
            )
        settings = (
            msgspec.to_builtins(_convert(data.settings, schema.settings, "settings"))
            if schema.settings is not None
            else {}
        )
        row = await self._row(project_id, plugin, lock=True)
        before_secrets = self._secrets(row) if row is not None else {}
        secrets = dict(before_secrets)
        if data.secrets and schema.secrets is None:
            raise ValidationFailed.field(
                "secrets", "This plugin has no secrets.", code="invalid_plugin_config"
            )
        for name, value in data.secrets.items():
            if schema.secrets is None or name not in schema.secrets.__struct_fields__:
                raise ValidationFailed.field(
                    f"secrets.{name}", "Unknown secret.", code="invalid_plugin_config"
                )
            if value is None:
                secrets.pop(name, None)
            else:
                secrets[name] = value
        if schema.secrets is not None:
            _convert(secrets, schema.secrets, "secrets")  # every required secret is there
        changes: dict[str, list[Any]] = {}
        before_enabled = row.enabled if row is not None else None
        if before_enabled != data.enabled:
            changes["enabled"] = [before_enabled, data.enabled]
        before_settings = row.settings if row is not None else {}
        for key in sorted(set(before_settings) | set(settings)):
            if before_settings.get(key) != settings.get(key):
                changes[f"settings.{key}"] = [before_settings.get(key), settings.get(key)]
        for key in sorted(set(before_secrets) | set(secrets)):
            if before_secrets.get(key) != secrets.get(key):
                changes[f"secrets.{key}"] = [
                    _SET if key in before_secrets else None,
                    _SET if key in secrets else None,
                ]
        sealed = (
            self.box.seal(msgspec.json.encode(secrets), _context(plugin, project_id)) if secrets else None
        )
        now = clock.now()
        if row is None:
            row = ProjectIntegrationRow(id=new_id(), project_id=project_id, plugin=plugin, created_at=now)
            self.session.add(row)
        row.enabled = data.enabled
        row.settings = settings
        row.secrets_kid = sealed.kid if sealed is not None else None
        row.secrets_sealed = sealed.blob if sealed is not None else None
        row.configured_by = actor_id
        row.updated_at = now
        await self.session.flush()
        if changes:
            await publish(
                self.session,
                ProjectPluginConfigured(
                    entity_id=row.id, project_id=project_id, plugin=plugin, changes=changes
                ),
            )
        return self._view(plugin, row)

    async def remove(self, project_id: UUID, plugin: str) -> None:
        """Delete the configuration, secrets included; 404 when there is none."""
        self._schema(plugin)
        row = await self._row(project_id, plugin, lock=True)
        if row is None:
            raise NotFound("The plugin is not configured in this project.", code="plugin_not_configured")
        await self.session.execute(delete(ProjectIntegrationRow).where(ProjectIntegrationRow.id == row.id))
        await publish(
            self.session,
            ProjectPluginRemoved(
                entity_id=row.id,
                project_id=project_id,
                plugin=plugin,
                changes={"enabled": [row.enabled, None]},
            ),
        )

    async def read(self, plugin: str, project_id: UUID) -> ProjectIntegration | None:
        """The configuration as the plugin's own Structs, secrets opened."""
        schema = self._schema(plugin)
        row = await self._row(project_id, plugin)
        if row is None:
            return None
        return ProjectIntegration(
            plugin=plugin,
            project_id=project_id,
            enabled=row.enabled,
            settings=msgspec.convert(row.settings, schema.settings) if schema.settings is not None else None,
            secrets=msgspec.convert(self._secrets(row), schema.secrets)
            if schema.secrets is not None
            else None,
            configured_by=row.configured_by,
        )


class StoredProjectConfigs:
    """:class:`~workhub.kernel.project_config.ProjectConfigs` over the database, for plugins."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._box: SecretBox | None = None

    async def get(self, plugin: str, project_id: UUID) -> ProjectIntegration | None:
        """Read ``plugin``'s configuration in the project (unknown plugin: None)."""
        schemas_by_plugin = self._registry.project_schemas
        if plugin not in schemas_by_plugin:
            return None
        runtime = self._registry.runtime
        if self._box is None:
            self._box = secret_box(runtime.settings)
        async with session_scope(runtime.db) as session:
            return await IntegrationService(session, schemas_by_plugin, self._box).read(plugin, project_id)


async def reencrypt_all(session: AsyncSession, box: SecretBox) -> int:
    """Seal every stored secret again with the current key; how many rows changed."""
    changed = 0
    rows = await session.scalars(
        select(ProjectIntegrationRow).where(ProjectIntegrationRow.secrets_sealed.is_not(None))
    )
    for row in rows:
        if row.secrets_kid == box.current_kid or row.secrets_sealed is None or row.secrets_kid is None:
            continue
        context = _context(row.plugin, row.project_id)
        plain = box.open(SealedSecret((row.secrets_kid, row.secrets_sealed)), context)
        sealed = box.seal(plain, context)
        row.secrets_kid, row.secrets_sealed = sealed.kid, sealed.blob
        changed += 1
    await session.flush()
    return changed
