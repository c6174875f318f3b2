"""Who a task's discussion has ``@mentioned``: the row a comment notice reads instead of every earlier comment.

One ``notification_thread`` row per task, kept by the comment notices
(:mod:`workhub.notifications.subscribers`): a new comment adds the members
it mentions, an edit those it newly mentions. Once mentioned, a person
follows the task (an edit that takes the mention out, or a deleted comment,
does not take them off). A task whose row does not exist yet (its first
comment, or a task older than the table) gets it from the comments it has
by then, read once. Two comments whose notices run at the same moment do
not see each other's mentions (a scan of the comments did); the next
comment's notice does.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import ARRAY, DateTime, Uuid, bindparam, select, text

from workhub.kernel.clock import clock
from workhub.kernel.db import new_id
from workhub.notifications.models import MentionThread

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("add_to_thread", "extend_thread", "read_thread")

_MERGED = "ARRAY(SELECT DISTINCT m FROM unnest(notification_thread.mentioned || {new}) AS m)"
_BINDS = (
    bindparam("id", type_=Uuid()),
    bindparam("task_id", type_=Uuid()),
    bindparam("mentioned", type_=ARRAY(Uuid())),
    bindparam("now", type_=DateTime(timezone=True)),
)
_UPSERT = text(
    "INSERT INTO notification_thread (id, task_id, mentioned, created_at, updated_at)"
    " VALUES (:id, :task_id, :mentioned, :now, :now)"
    f" ON CONFLICT (task_id) DO UPDATE SET mentioned = {_MERGED.format(new='EXCLUDED.mentioned')},"
    " updated_at = EXCLUDED.updated_at"
).bindparams(*_BINDS)
_EXTEND = text(
    f"UPDATE notification_thread SET mentioned = {_MERGED.format(new=':mentioned')}, updated_at = :now"
    " WHERE task_id = :task_id"
).bindparams(*_BINDS[1:])


async def read_thread(session: AsyncSession, task_id: UUID) -> set[UUID] | None:
    """The users the task's discussion mentioned, or None when its row is not made yet."""
    found = await session.scalar(select(MentionThread.mentioned).where(MentionThread.task_id == task_id))
    return None if found is None else set(found)


async def add_to_thread(session: AsyncSession, task_id: UUID, users: Collection[UUID]) -> None:
    """Make the task's row, or add ``users`` to it (a concurrent notice's additions are kept)."""
    params = {"id": new_id(), "task_id": task_id, "mentioned": sorted(users), "now": clock.now()}
    await session.execute(_UPSERT, params)


async def extend_thread(session: AsyncSession, task_id: UUID, users: Collection[UUID]) -> None:
    """Add ``users`` to the task's row if it is made (else its first reading will find them in the comments)."""
    if users:
        await session.execute(_EXTEND, {"task_id": task_id, "mentioned": sorted(users), "now": clock.now()})
