"""What other modules may call of the tasks module (with its ``events`` and ``schemas``).

Task filters are parsed here once (:func:`parse_task_filters`, the rules of
``GET /api/v1/tasks``) for the lists, the calendar and exports; jobs stream,
count and import tasks, notifications read the tasks a notice or a digest
names, chat links tasks to messages; search reads its hits back as tasks
(:data:`COLUMNS_SQL` from :func:`task_from`, decoded by :func:`row_to_task`).
"""

from __future__ import annotations

from workhub.tasks.digest_queries import DigestItem, DigestSections, DigestWindow, digest_sections
from workhub.tasks.exports import count_tasks, stream_tasks, task_stats
from workhub.tasks.filters import ZoneSource, fixed_zone, parse_task_filters
from workhub.tasks.imports import COLUMNS, RowError, TaskImporter
from workhub.tasks.queries import TaskFilters, TaskReader
from workhub.tasks.rows import COLUMNS_SQL, row_to_task, task_from
from workhub.tasks.services import CommentService, TaskService

__all__ = (
    "COLUMNS",
    "COLUMNS_SQL",
    "CommentService",
    "DigestItem",
    "DigestSections",
    "DigestWindow",
    "RowError",
    "TaskFilters",
    "TaskImporter",
    "TaskReader",
    "TaskService",
    "ZoneSource",
    "count_tasks",
    "digest_sections",
    "fixed_zone",
    "parse_task_filters",
    "row_to_task",
    "stream_tasks",
    "task_from",
    "task_stats",
)
