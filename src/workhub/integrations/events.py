"""Events the integrations module publishes; they never carry a secret's value."""

from __future__ import annotations

from typing import ClassVar

from workhub.kernel.events import DomainEvent

__all__ = ("ProjectPluginConfigured", "ProjectPluginRemoved")


class _IntegrationEvent(DomainEvent, frozen=True, kw_only=True):
    entity_type: ClassVar[str] = "project_integration"


class ProjectPluginConfigured(_IntegrationEvent, frozen=True, kw_only=True, tag="project_plugin.configured"):
    """A plugin was turned on or off in a project, or its settings or secrets changed.

    ``changes`` holds ``enabled`` and ``settings.<field>`` as ``[before, after]``; secrets
    appear only by name, as ``secrets.<field>: ["set" | null, "set" | null]``.
    """

    plugin: str


class ProjectPluginRemoved(_IntegrationEvent, frozen=True, kw_only=True, tag="project_plugin.removed"):
    """A plugin's configuration in a project was deleted, secrets included."""

    plugin: str
