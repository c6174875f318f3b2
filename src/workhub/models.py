"""Imports every model so the metadata is complete (migrations, tests)."""

from __future__ import annotations

from importlib import import_module

from sqlalchemy import MetaData

from workhub.kernel.db import metadata

__all__ = ("CORE_MODEL_MODULES", "load_all_models")

CORE_MODEL_MODULES = (
    "workhub.kernel.events",
    "workhub.accounts.models",
    "workhub.audit.models",
    "workhub.projects.models",
    "workhub.tasks.models",
    "workhub.notifications.models",
    "workhub.notifications.digest_models",
    "workhub.chat.models",
    "workhub.jobs.models",
    "workhub.integrations.models",
    "workhub.intake.models",
    "workhub.search.models",
)


def load_all_models() -> MetaData:
    """Import core model modules and installed plugins (plugins import their own models)."""
    for name in CORE_MODEL_MODULES:
        import_module(name)
    from workhub.kernel.plugins import discover_plugins

    discover_plugins(None)  # loading each plugin's entry point imports its models
    return metadata
