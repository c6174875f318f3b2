"""SIGKILL of a real ``workhub worker`` in the middle of delivering reminders: after a restart each goes out once.

The worker probe pauses delivery right after the batch's notifications were
written, inside the transaction; the test kills the worker there. The
worker's clock runs a day and a minute ahead of the test's (``WORKHUB_CLOCK_OFFSET``), so
the one-day reminders of the tasks made now are due for it.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.kernel.worker_probe import REMINDER_PAUSE, REMINDER_SENDING
from tests.integration.kernel.worker_process import WorkerProcess
from tests.integration.tasks.conftest import Board
from tests.support import Deliver, read
from workhub.kernel.clock import clock
from workhub.kernel.queue import SaqQueue
from workhub.notifications.models import Notification
from workhub.settings import Settings
from workhub.tasks.models import TaskReminder

AHEAD = timedelta(days=1, minutes=1)


async def counts(board: Board) -> tuple[int, int, int]:
    """Reminder notifications, reminders marked sent, and distinct reminders notified."""

    async def run(session: AsyncSession) -> tuple[int, int, int]:
        notes = int(
            await session.scalar(
                select(func.count()).select_from(Notification).where(Notification.kind == "reminder")
            )
            or 0
        )
        distinct = int(
            await session.scalar(
                select(func.count(func.distinct(Notification.event_id))).where(
                    Notification.kind == "reminder"
                )
            )
            or 0
        )
        sent = int(
            await session.scalar(
                select(func.count()).select_from(TaskReminder).where(TaskReminder.sent_at.is_not(None))
            )
            or 0
        )
        return notes, sent, distinct

    return await read(board.client, run)


async def test_a_worker_killed_mid_delivery_sends_each_reminder_once_after_restart(
    board: Board, deliver: Deliver, settings: Settings, tmp_path: Path
) -> None:
    assert settings.redis_url
    deadline = (clock.now() + timedelta(days=2)).replace(microsecond=0)
    for n in range(3):
        await board.create(title=f"T{n}", deadline=deadline.isoformat(), assignee_id=str(board.editor.id))
    await deliver()  # reminders planned

    redis: Any = Redis.from_url(settings.redis_url, decode_responses=True)
    queue = SaqQueue(settings.redis_url, heartbeat=2)
    await queue.connect()
    worker = WorkerProcess(
        settings, tmp_path, WORKHUB_CLOCK_OFFSET=str((clock.offset + AHEAD).total_seconds())
    )
    try:
        await redis.set(REMINDER_PAUSE, 1)
        await worker.start()
        await queue.enqueue("tasks.deliver_reminders", key="deliver-now")
        for _ in range(600):
            if await redis.llen(REMINDER_SENDING):
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("delivery never started:\n" + worker.log()[-4000:])
        await worker.kill()  # notifications written, their transaction not committed
        assert await counts(board) == (0, 0, 0)

        await redis.delete(REMINDER_PAUSE)
        await worker.start()
        deadline_s = time.monotonic() + 60
        while time.monotonic() < deadline_s:
            if (await counts(board))[1] == 3:
                break
            await asyncio.sleep(0.2)
        else:
            pytest.fail("reminders not delivered after restart:\n" + worker.log()[-4000:])
        await asyncio.sleep(2)  # any second delivery would show up now
        assert await counts(board) == (3, 3, 3)
        assert await worker.stop() == 0
    finally:
        if worker.proc is not None and worker.proc.returncode is None:
            await worker.kill()
        await queue.disconnect()
        await redis.aclose()
