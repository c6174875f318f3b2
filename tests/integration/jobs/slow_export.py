"""A test-only plugin for a real ``workhub worker``: exports that crawl, so a test can kill one half-way.

Installed as an entry point and enabled with ``WORKHUB_PLUGINS=slowexport``:
exports read two tasks per step, and every progress step waits a quarter of
a second first.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec

from workhub.kernel.plugins import Registry

__all__ = ("plugin",)


class SlowExport:
    """Slows down every export of the worker it is installed in."""

    name = "slowexport"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        from workhub.jobs import exporters
        from workhub.jobs.work import Progress

        exporters.EXPORT_BATCH = 2
        Progress.interval = 0.0
        original = Progress.set

        async def crawl(
            self: Progress, percent: int, message: str | None = None, *, force: bool = False
        ) -> None:
            await asyncio.sleep(0.25)
            await original(self, percent, message, force=force)

        Progress.set = crawl  # type: ignore[method-assign]


plugin = SlowExport()
