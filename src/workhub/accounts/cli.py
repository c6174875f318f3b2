"""``workhub create-admin``."""

from __future__ import annotations

import asyncio
import os

import click
import msgspec

__all__ = ("create_admin_command",)


@click.command("create-admin")
@click.option("--email", required=True, help="The administrator's email.")
@click.option("--name", required=True, help="The administrator's display name.")
def create_admin_command(email: str, name: str) -> None:
    """Create a system administrator (password from WORKHUB_ADMIN_PASSWORD or a prompt)."""
    from workhub.accounts import schemas

    password = os.environ.get("WORKHUB_ADMIN_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        # convert, not the constructor: only decoding checks the email pattern and lengths.
        data = msgspec.convert(
            {"email": email, "password": password, "name": name.strip()}, schemas.RegisterRequest
        )
    except msgspec.ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    from workhub.cli_support import open_runtime_session
    from workhub.kernel.errors import AppError

    async def run() -> None:
        from workhub.accounts.services import UserService
        from workhub.kernel.context import Actor, acting_as

        async with open_runtime_session() as session:
            with acting_as(Actor.system("cli")):
                user = await UserService(session=session).register(data, role="admin")
            click.echo(f"Administrator {user.email} created ({user.id}).")

    try:
        asyncio.run(run())
    except AppError as exc:
        raise click.ClickException(exc.detail or exc.code) from exc
