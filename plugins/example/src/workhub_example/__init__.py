"""The smallest complete WorkHub plugin: a route, a subscriber, a health check, an intake source, a channel.

Copy ``plugins/example`` to start a plugin of your own; ``docs/plugins.md``
walks through every part. The entry point ``example`` in ``pyproject.toml``
points at :data:`plugin` below; WorkHub finds it there at start-up.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
from litestar.di import Provide

from workhub.kernel.plugins import Registry
from workhub.projects.events import ProjectCreated
from workhub_example.channel import ExampleChannel
from workhub_example.controllers import ExampleController
from workhub_example.intake import ExampleSource
from workhub_example.settings import ExampleProjectSecrets, ExampleProjectSettings, ExampleSettings
from workhub_example.subscribers import check_counter, count_project

__all__ = ("LOCALES", "ExamplePlugin", "ExampleSettings", "plugin")

LOCALES = Path(__file__).with_name("locales")
"""Every text a user reads, in Russian and English (``ru.po``, ``en.po``); keys start with the plugin's name."""


class ExamplePlugin:
    """What WorkHub loads: a name, settings Structs (server-wide and per project) and ``setup``."""

    name = "example"
    settings: type[msgspec.Struct] | None = ExampleSettings
    project_settings = ExampleProjectSettings
    project_secrets = ExampleProjectSecrets

    def setup(self, registry: Registry, settings: ExampleSettings) -> None:
        """Register everything the plugin adds; called once at start-up, before any request."""
        registry.add_messages(LOCALES)
        registry.add_routes(ExampleController)
        registry.add_dependency("example_settings", Provide(lambda: settings, sync_to_thread=False))
        registry.subscribe(ProjectCreated, handler=count_project)
        registry.add_health_check("counter", check_counter)
        registry.add_intake_source(ExampleSource())
        registry.add_notification_channel(ExampleChannel(registry))


plugin = ExamplePlugin()
