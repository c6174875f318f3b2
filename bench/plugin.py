"""The bench-only WorkHub plugin: two ceiling routes served by the same process as the app.

* ``GET /api/v1/integrations/bench/ceiling/projects/{id}/tasks?limit=50`` runs
  the project task list query (the statement ``TaskReader.page_tasks`` sends
  for a project's first page, without the caller's role) with bare asyncpg,
  turns the rows into Structs with the app's own ``row_to_task`` and encodes
  the same ``TaskPage`` with msgspec: no ORM, no session, no auth, no guard.
* ``GET /api/v1/integrations/bench/ceiling/const`` answers a constant JSON body.

Both are public and go through the app's middleware stack like any route, so
the difference to the real list is what authentication, the guard, the
per-request session and the service path cost. Two more routes split that
difference for profiling (``--scenarios const_auth,bare_guard``):

* ``GET .../ceiling/auth/const``: the constant body behind the auth middleware
  (JWT check and the Redis round trip);
* ``GET .../ceiling/guarded/projects/{id}/tasks``: the bare list behind the
  auth middleware and the project guard ``requires(Action.TASK_READ)``, which
  sends its own access query on the request's SQLAlchemy session (the real
  list's guard takes the role from the page instead); the bare list then
  takes a second connection from its own pool, so this route holds two at
  once. Only :mod:`bench.server` installs this
plugin; the production app never does (it is not an entry point).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import asyncpg
import msgspec
from litestar import get
from litestar.params import Parameter

from workhub.kernel.guards import requires
from workhub.kernel.pagination import MAX_LIMIT, encode_cursor
from workhub.kernel.permissions import Action
from workhub.kernel.plugins import Registry
from workhub.tasks import schemas
from workhub.tasks.rows import row_to_task

__all__ = ("LIST_SQL", "BenchPlugin", "plugin")

LIST_SQL = """
SELECT t.id, t.project_id, t.number, p.key, t.title, t.description, t.status, t.overdue, t.priority,
       t.labels, t.assignee_id, t.creator_id, t.deadline, t.completed_at, t.source, t.source_ref,
       t.version, t.created_at, t.updated_at, t.position
FROM task AS t JOIN project AS p ON p.id = t.project_id
WHERE t.deleted_at IS NULL AND t.project_id = $1
ORDER BY t.number DESC, t.id DESC
LIMIT $2
"""
"""The first page of a project's live tasks, newest first: the app's default project list."""

Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT)]
CONSTANT = msgspec.json.encode({"status": "ok", "service": "workhub-bench"})
_encoder = msgspec.json.Encoder()


class _Pool:
    """An asyncpg pool made on first use (the database URL is known once the app runs)."""

    def __init__(self, registry: Registry, size: int) -> None:
        self.registry = registry
        self.size = size
        self._pool: asyncpg.Pool | None = None
        self._lock: asyncio.Lock | None = None

    async def get(self) -> asyncpg.Pool:
        if self._pool is not None:
            return self._pool
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if self._pool is None:
                url = self.registry.runtime.settings.database_url or ""
                dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
                # No reset query on release: each request is exactly one round trip.
                self._pool = await asyncpg.create_pool(dsn, min_size=1, max_size=self.size, reset=_keep)
        return self._pool


async def _keep(connection: asyncpg.Connection) -> None:
    """A released connection needs no reset: the ceiling opens no transaction and sets nothing."""
    _ = connection


class BenchPlugin:
    """Adds the ceiling routes; ``pool_size`` matches the app's SQLAlchemy pool plus overflow."""

    name = "bench"
    settings: type[msgspec.Struct] | None = None

    def __init__(self, pool_size: int = 20) -> None:
        self.pool_size = pool_size

    def setup(self, registry: Registry, settings: Any) -> None:
        """Register the ceiling routes."""
        pool = _Pool(registry, self.pool_size)
        json = "application/json"

        async def page(project_id: UUID, limit: int) -> bytes:
            """The project list query with asyncpg, encoded with msgspec."""
            connections = await pool.get()
            rows = await connections.fetch(LIST_SQL, project_id, limit + 1)
            now = datetime.now(UTC)
            items = [row_to_task(row, now) for row in rows[:limit]]
            cursor = None
            if len(rows) > limit and items:
                cursor = encode_cursor("number", items[-1].number, str(items[-1].id))
            return _encoder.encode(schemas.TaskPage(items=items, next_cursor=cursor))

        @get(
            "/ceiling/projects/{project_id:uuid}/tasks",
            opt={"public": True},
            media_type=json,
            include_in_schema=False,
        )
        async def bare_list(project_id: UUID, limit: Limit = 50) -> bytes:
            """The list ceiling: no auth, no guard, no ORM."""
            return await page(project_id, limit)

        @get(
            "/ceiling/guarded/projects/{project_id:uuid}/tasks",
            guards=[requires(Action.TASK_READ)],
            media_type=json,
            include_in_schema=False,
        )
        async def guarded_list(project_id: UUID, limit: Limit = 50) -> bytes:
            """The bare list behind authentication and the project guard."""
            return await page(project_id, limit)

        @get("/ceiling/const", opt={"public": True}, media_type=json, include_in_schema=False)
        async def constant() -> bytes:
            """A constant JSON body: what the framework and server cost by themselves."""
            return CONSTANT

        @get("/ceiling/auth/const", media_type=json, include_in_schema=False)
        async def authenticated_constant() -> bytes:
            """The constant body behind the auth middleware."""
            return CONSTANT

        _ = settings
        registry.add_routes(bare_list, guarded_list, constant, authenticated_constant)


plugin = BenchPlugin()
"""The plugin object :mod:`bench.server` installs."""
