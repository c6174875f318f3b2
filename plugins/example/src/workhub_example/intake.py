"""The example's intake source: JSON posted to ``/api/v1/projects/{id}/inbound/example`` becomes a task.

The sender proves itself with the project's secret token (``Authorization:
Bearer <token>``), which the project's owner set through
``PUT /api/v1/projects/{id}/plugins/example``; the labels and priority the
task gets are that project's settings.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Annotated

import msgspec

from workhub.kernel.errors import Unauthorized, ValidationFailed
from workhub.kernel.intake import InboundEvent, Sender
from workhub.kernel.project_config import ProjectIntegration
from workhub_example.settings import ExampleProjectSecrets, ExampleProjectSettings

__all__ = ("ExampleMessage", "ExampleSource")


class ExampleMessage(msgspec.Struct, kw_only=True):
    """What a sender posts: its own id for the message (the dedupe key) and the text."""

    id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]


class ExampleSource:
    """An :class:`~workhub.kernel.extensions.IntakeSource` called ``example``."""

    name = "example"

    async def parse(
        self, body: bytes, headers: Mapping[str, str], config: ProjectIntegration
    ) -> InboundEvent:
        """Check the bearer token against the project's secret, then read the message."""
        secrets: ExampleProjectSecrets = config.secrets
        settings: ExampleProjectSettings = config.settings
        given = headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), secrets.token.encode()):
            raise Unauthorized("The token is not this project's.", code="invalid_source_token")
        try:
            message = msgspec.json.decode(body, type=ExampleMessage)
        except msgspec.ValidationError as exc:
            raise ValidationFailed.field("body", str(exc), code="invalid_message") from exc
        except msgspec.DecodeError as exc:
            raise ValidationFailed.field("body", "The body is not JSON.", code="invalid_message") from exc
        return InboundEvent(
            source=self.name,
            dedupe_key=message.id,
            sender=Sender(address=f"example:{message.id}"),
            text=message.text,
            fields={"labels": settings.labels, "priority": settings.priority},
            payload=msgspec.to_builtins(message),
        )
