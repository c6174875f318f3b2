"""Accounts: users, sign-in with rotating refresh tokens, user administration."""

from __future__ import annotations

from typing import Any

import msgspec

from workhub.accounts.cli import create_admin_command
from workhub.accounts.controllers import AdminUserController, AuthController, MeController
from workhub.accounts.external import ExternalSignInController
from workhub.accounts.services import current_system_role
from workhub.kernel.plugins import Registry

__all__ = ("AccountsPlugin", "plugin")


class AccountsPlugin:
    """Registers the account routes (sign-in through plugins' identity providers too) and ``create-admin``."""

    name = "accounts"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Add routes and CLI commands."""
        registry.add_routes(AuthController, MeController, AdminUserController, ExternalSignInController)
        registry.set_system_role_source(current_system_role)
        registry.add_cli_command(create_admin_command)


plugin = AccountsPlugin()
