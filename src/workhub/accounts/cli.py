"""``workhub create-admin``."""

from __future__ import annotations

import asyncio
import os

import click

__all__ = ("create_admin_command",)


@click.command("create-admin")
@click.option("--email", required=True, help="The administrator's email.")
@click.option("--name", required=True, help="The administrator's display name.")
def create_admin_command(email: str, name: str) -> None:
    """Create a system administrator (password from WORKHUB_ADMIN_PASSWORD or a prompt)."""
    password = os.environ.get("WORKHUB_ADMIN_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    from workhub.cli_support import open_runtime_session

    async def run() -> None:
        from workhub.accounts import schemas
        from workhub.accounts.services import UserService
        from workhub.kernel.context import Actor, acting_as

        async with open_runtime_session() as session:
            with acting_as(Actor.system("cli")):
                user = await UserService(session=session).register(
                    schemas.RegisterRequest(email=email, password=password, name=name), role="admin"
                )
            click.echo(f"Administrator {user.email} created ({user.id}).")

    asyncio.run(run())
