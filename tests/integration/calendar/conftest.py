"""The calendar tests use the tasks tests' board: project OPS with an owner, an editor, a viewer and an outsider."""

from __future__ import annotations

from tests.integration.tasks.conftest import board

__all__ = ("board",)
