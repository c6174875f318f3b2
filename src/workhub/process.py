"""What every WorkHub process builds first: its registry, and a database whose sessions audit.

The web app (:mod:`workhub.app`), the worker (:mod:`workhub.worker`) and CLI
commands (:mod:`workhub.cli_support`) all start here, so what a process needs
(transaction listeners, message catalogs, room kinds) comes from the registry
it built, not from module globals one of them might forget to set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from workhub.kernel import events
from workhub.kernel.db import build_db_config
from workhub.kernel.plugins import Registry, WorkhubPlugin, discover_plugins
from workhub.kernel.realtime import install_bridge

if TYPE_CHECKING:
    from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig

    from workhub.settings import Settings

__all__ = ("build_registry", "core_plugins", "process_db_config")


def core_plugins() -> list[WorkhubPlugin]:
    """The core modules, in the order their subscribers run."""
    from workhub import (
        accounts,
        audit,
        chat,
        intake,
        integrations,
        jobs,
        notifications,
        projects,
        search,
        tasks,
        web,
    )

    return [
        audit.plugin,
        accounts.plugin,
        projects.plugin,
        tasks.plugin,
        notifications.plugin,
        chat.plugin,
        jobs.plugin,
        integrations.plugin,
        intake.plugin,
        search.plugin,
        web.plugin,
    ]


def build_registry(settings: Settings, plugins: Sequence[WorkhubPlugin] | None = None) -> Registry:
    """Install the core, then ``plugins`` (or the discovered ones when None)."""
    registry = Registry()
    for plugin in core_plugins():
        registry.install(plugin, core=True)
    if plugins is None:
        allow = settings.plugins.split(",") if settings.plugins is not None else None
        for plugin, named in discover_plugins(allow):
            registry.install(plugin, required=named)
    else:
        for plugin in plugins:
            registry.install(plugin, required=True)
    registry.add_job(events.deliver_event, name="workhub.deliver_event")
    install_bridge(registry)  # after every plugin, so it sees all broadcasts
    return registry


def process_db_config(
    settings: Settings, registry: Registry, *, pool_size: int | None = None
) -> SQLAlchemyAsyncConfig:
    """The database of a process: its sessions run ``registry``'s transaction listeners (the audit log)."""
    assert settings.database_url is not None
    return build_db_config(
        settings.database_url,
        pool_size=settings.db_pool_size if pool_size is None else pool_size,
        listeners=registry.transaction_listeners,
    )
