"""The example's settings, read from ``WORKHUB_EXAMPLE_*`` environment variables."""

from __future__ import annotations

import msgspec

__all__ = ("ExampleSettings",)


class ExampleSettings(msgspec.Struct, kw_only=True):
    """``WORKHUB_EXAMPLE_GREETING`` sets ``greeting``; values are converted to the field's type.

    Every field has a default, so the plugin always loads. A field without a
    default makes the settings incomplete until its variable is set: the
    plugin is then disabled (and reported) unless ``WORKHUB_PLUGINS`` names
    it, in which case start-up stops and names the missing variable.
    """

    greeting: str | None = None
    """Replaces the built-in greeting (which is translated) when set."""
