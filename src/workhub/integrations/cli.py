"""``workhub integrations reencrypt``: seal stored secrets with the current key after a rotation."""

from __future__ import annotations

import asyncio

import click

__all__ = ("integrations_group",)


@click.group("integrations")
def integrations_group() -> None:
    """Per-project plugin configuration."""


@integrations_group.command("reencrypt")
def reencrypt() -> None:
    """Seal every stored plugin secret with the signing key (run after `workhub rotate-secret-key` and a restart)."""
    from workhub.cli_support import open_runtime_session, resolve_servers
    from workhub.integrations.services import reencrypt_all, secret_box

    settings, _ = resolve_servers(keys=True)
    box = secret_box(settings)

    async def run() -> int:
        async with open_runtime_session() as session:
            return await reencrypt_all(session, box)

    click.echo(f"Sealed {asyncio.run(run())} project configurations with the current key.")
