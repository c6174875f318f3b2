"""Notification rows (one per recipient)."""

from __future__ import annotations

__all__: tuple[str, ...] = ()
