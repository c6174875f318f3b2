"""The example's settings, read from ``WORKHUB_EXAMPLE_*`` environment variables."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

__all__ = ("ExampleProjectSecrets", "ExampleProjectSettings", "ExampleSettings")


class ExampleSettings(msgspec.Struct, kw_only=True):
    """``WORKHUB_EXAMPLE_GREETING`` sets ``greeting``; values are converted to the field's type.

    Every field has a default, so the plugin always loads. A field without a
    default makes the settings incomplete until its variable is set: the
    plugin is then disabled (and reported) unless ``WORKHUB_PLUGINS`` names
    it, in which case start-up stops and names the missing variable.
    """

    greeting: str | None = None
    """Replaces the built-in greeting (which is translated) when set."""


class ExampleProjectSettings(msgspec.Struct, kw_only=True):
    """Per project, set by its owners: what tasks that arrive through the example source get."""

    labels: list[str] = msgspec.field(default_factory=lambda: ["example"])
    priority: Literal["low", "normal", "high", "urgent"] = "normal"


class ExampleProjectSecrets(msgspec.Struct, kw_only=True):
    """Per project, write-only: the token a sender must present (sealed at rest, never shown again)."""

    token: Annotated[str, msgspec.Meta(min_length=16)]
