"""One Redis script call shared by the concurrent callers of a process.

Every authenticated request runs the same small Lua script on its own keys.
A busy web process authenticates dozens of requests at once; each round trip
through redis-py costs more CPU than the script does in Redis, so callers
that arrive while a call is in flight queue up and go together in the next
call: one ``EVALSHA`` with every queued caller's keys, one reply split back
per caller. A caller that arrives when nothing is in flight goes at once, so
a quiet process sees no added latency, and a busy one waits at most for the
call before its own.

The script receives each caller's ``keys_per_call`` keys in turn and must
return ``values_per_call`` values per caller, in the same order (a missing
value as ``false``, which keeps the list aligned where ``nil`` would end it).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from collections.abc import Sequence

    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

__all__ = ("ScriptBatch",)

MAX_BATCH = 256
"""Callers per script call at most (a reply of 768 values for the auth check)."""


class ScriptBatch:
    """Runs ``script`` for many callers at once; ``await batch.run(keys)`` returns this caller's values."""

    def __init__(self, redis: Redis, script: str, *, keys_per_call: int, values_per_call: int) -> None:
        self.redis = redis
        self.source = script
        self.keys_per_call = keys_per_call
        self.values_per_call = values_per_call
        self._script: AsyncScript | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: list[tuple[Sequence[str], asyncio.Future[list[Any]]]] = []
        self._drainer: asyncio.Task[None] | None = None  # kept: the loop holds tasks weakly

    async def run(self, keys: Sequence[str]) -> list[Any]:
        """The ``values_per_call`` values the script returned for ``keys``."""
        if len(keys) != self.keys_per_call:
            raise ValueError(f"expected {self.keys_per_call} keys, got {len(keys)}")
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (tests, a restarted worker): start afresh
            self._loop, self._queue, self._drainer = loop, [], None
        future: asyncio.Future[list[Any]] = loop.create_future()
        self._queue.append((keys, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        """Send the queue in calls of up to :data:`MAX_BATCH` callers until it is empty."""
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            await self._call(batch)

    async def _call(self, batch: list[tuple[Sequence[str], asyncio.Future[list[Any]]]]) -> None:
        if self._script is None:
            self._script = self.redis.register_script(self.source)
        keys = [key for caller_keys, _ in batch for key in caller_keys]
        try:
            values = cast("list[Any]", await self._script(keys=keys))
        except asyncio.CancelledError:  # the process is stopping: so are its requests
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:  # every caller of the call sees the error it would have seen alone
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        step = self.values_per_call
        for index, (_, future) in enumerate(batch):
            if not future.done():  # a caller that gave up (client gone) is skipped
                future.set_result(values[index * step : (index + 1) * step])
