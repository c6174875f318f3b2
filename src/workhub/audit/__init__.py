"""Audit: every published event becomes an audit record in the same transaction."""

from __future__ import annotations

from typing import Any

import msgspec

from workhub.audit.controllers import AuditController
from workhub.audit.services import record_events
from workhub.kernel.plugins import Registry

__all__ = ("AuditPlugin", "plugin")


class AuditPlugin:
    """Registers the audit transaction listener and the audit views."""

    name = "audit"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Listen inside every transaction; add the audit routes."""
        registry.add_transaction_listener(record_events)
        registry.add_routes(AuditController)


plugin = AuditPlugin()
