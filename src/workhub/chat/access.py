"""Access resolvers of the chat module's guard scopes.

A channel belongs to a project, and the caller's role there decides what
they may do (the one permission table). A private channel adds one rule: a
project member who is not listed in it is told it does not exist (404), so
its name and messages stay private, and so are system administrators, who do
not read chat at all. The project's owners are the exception for the
channel itself, never for its messages: they always see that a private
channel exists and manage its list (adding themselves too), so a channel
everyone left is never out of reach.

Scopes:

* ``channel``: a channel, archived or not, as a thing to see and manage
  (listed members, and the project's owners);
* ``channel_content``: a channel's messages and read marks (listed members
  only); the Socket.IO ``subscribe`` to ``channel:<id>`` asks this one;
* ``message``: a message (tombstones included), through its channel, as
  ``channel_content``.

Each is one plain statement on the request's asyncpg connection, joining the
projects module's :func:`~workhub.projects.services.project_access_sql`
relation rather than its tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from workhub.kernel.db import driver_connection
from workhub.kernel.guards import Access
from workhub.projects.api import project_access_sql

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("resolve_channel_access", "resolve_channel_content_access", "resolve_message_access")

_ACCESS = project_access_sql("$2")
_LISTED = "EXISTS (SELECT 1 FROM chat_channel_member AS cm WHERE cm.channel_id = ch.id AND cm.user_id = $2)"
_CHANNEL_SQL = (
    f"SELECT ch.project_id, pa.archived, pa.role, ch.private, {_LISTED}"
    f" FROM chat_channel AS ch JOIN {_ACCESS} AS pa ON pa.project_id = ch.project_id"
    " WHERE ch.id = $1"
)
_MESSAGE_SQL = (
    f"SELECT ch.project_id, pa.archived, pa.role, ch.private, {_LISTED}"
    " FROM chat_message AS m JOIN chat_channel AS ch ON ch.id = m.channel_id"
    f" JOIN {_ACCESS} AS pa ON pa.project_id = ch.project_id"
    " WHERE m.id = $1"
)


async def _resolve(
    session: AsyncSession, sql: str, object_id: UUID, user_id: UUID, *, owners_manage: bool
) -> Access | None:
    row = await (await driver_connection(session)).fetchrow(sql, object_id, user_id)
    if row is None:
        return None
    project_id, archived, role, private, listed = row
    if private and not (listed and role is not None) and not (owners_manage and role == "owner"):
        return None
    return Access(project_id=project_id, role=role, archived=archived)


async def resolve_channel_access(session: AsyncSession, channel_id: UUID, user_id: UUID) -> Access | None:
    """The ``channel`` scope: the channel's project and role; a private one only for its members and the owners."""
    return await _resolve(session, _CHANNEL_SQL, channel_id, user_id, owners_manage=True)


async def resolve_channel_content_access(
    session: AsyncSession, channel_id: UUID, user_id: UUID
) -> Access | None:
    """The ``channel_content`` scope: as ``channel``, but a private channel only for the members it lists."""
    return await _resolve(session, _CHANNEL_SQL, channel_id, user_id, owners_manage=False)


async def resolve_message_access(session: AsyncSession, message_id: UUID, user_id: UUID) -> Access | None:
    """The ``message`` scope: as ``channel_content``, through the message's channel."""
    return await _resolve(session, _MESSAGE_SQL, message_id, user_id, owners_manage=False)
