"""Integrations: per-project plugin configuration (settings, and secrets encrypted at rest)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.di import Provide

from workhub.integrations.cli import integrations_group
from workhub.integrations.controllers import ProjectPluginController
from workhub.integrations.services import StoredProjectConfigs, secret_box
from workhub.kernel.plugins import Registry
from workhub.kernel.secretbox import SecretBox

__all__ = ("IntegrationsPlugin", "plugin")


class IntegrationsPlugin:
    """Registers the owners' configuration routes and provides ``runtime.project_configs`` to plugins."""

    name = "integrations"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Add routes, the CLI command and the configuration reader plugins use."""
        configs = StoredProjectConfigs(registry)
        boxes: list[SecretBox] = []

        def box() -> SecretBox:
            if not boxes:
                boxes.append(secret_box(registry.runtime.settings))
            return boxes[0]

        registry.set_project_configs(configs)
        registry.add_dependency(
            "integration_schemas", Provide(lambda: registry.project_schemas, sync_to_thread=False)
        )
        registry.add_dependency("secret_box", Provide(box, sync_to_thread=False))
        registry.add_routes(ProjectPluginController)
        registry.add_cli_command(integrations_group)


plugin = IntegrationsPlugin()
