"""Demo tasks for the demo project."""

from __future__ import annotations

__all__ = ("seed_tasks",)


async def seed_tasks(session: object, project_id: object, lead_id: object, manager_id: object) -> None:
    """Add the manager as editor and about 30 tasks (some overdue, some due this week)."""
    return None
