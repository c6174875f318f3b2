"""What the chat module does when other things happen.

* a project is created: it gets its ``general`` channel in the same
  transaction (a transaction listener, so no project is ever without one;
  listing the channels of a project that predates chat creates it too);

After the commit, as SAQ jobs, at least once each:

* a member left or was removed from a project: they leave its private
  channels' lists, which also makes their sockets leave those rooms;
* a message was posted: the readers it ``@mentions`` are notified, once per
  message each (the notifier is idempotent per event and user).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workhub.chat.cache import ChannelCache
from workhub.chat.services import ChannelService, MessageService
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import session_scope
from workhub.kernel.i18n import Msg
from workhub.kernel.notifier import NotificationRequest
from workhub.notifications.api import mentioned, words
from workhub.projects.api import MemberService
from workhub.projects.events import ProjectCreated

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.chat.events import MessageCreated
    from workhub.kernel.events import DomainEvent
    from workhub.kernel.plugins import Runtime
    from workhub.projects.events import MemberRemoved

__all__ = ("EXCERPT", "create_general_channel", "leave_private_channels", "notify_mentions")

EXCERPT = 200
"""Characters of the message quoted in a mention notification."""
_ALL_MEMBERS = 10_000


async def create_general_channel(session: AsyncSession, events: Sequence[DomainEvent]) -> None:
    """Transaction listener: a new project gets its ``general`` channel with the project itself.

    Nothing is cached for a project that did not exist, so no cache entry is dropped.
    """
    for event in events:
        if isinstance(event, ProjectCreated):
            await ChannelService(session=session).ensure_default(event.entity_id)


async def leave_private_channels(event: MemberRemoved, runtime: Runtime) -> None:
    """Take a former project member off the project's private channels."""
    if event.project_id is None:
        return
    with acting_as(Actor.system("chat")):
        async with session_scope(runtime.db) as session:
            service = ChannelService(session=session).with_cache(ChannelCache(runtime.redis))
            await service.drop_from_project(event.project_id, event.user_id)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"


async def notify_mentions(event: MessageCreated, runtime: Runtime) -> None:
    """Notify the readers a new message ``@mentions``, never its author.

    The rule is the one for every text (:mod:`workhub.notifications.api`);
    only people who can read the channel are matched: the project's members
    for a public channel, its listed members for a private one.
    """
    if not words(event.message.text):
        return
    async with session_scope(runtime.db) as session:
        found = await MessageService(session=session).find(event.message.id)
        if found is None:
            return
        message, channel = found
        if message.deleted:  # deleted before anyone was told
            return
        members = (
            await MemberService(session=session).page(channel.project_id, limit=_ALL_MEMBERS, cursor=None)
        ).items
        readers = members if not channel.private else [m for m in members if m.user_id in channel.member_ids]
        author = next((m.name for m in members if m.user_id == message.author_id), None)
        named = mentioned(message.text, readers)
        for user_id in [m.user_id for m in readers if m.user_id in named]:
            if user_id == message.author_id:
                continue
            await runtime.notifier.send(
                session,
                NotificationRequest(
                    user_id=user_id,
                    kind="chat_mention",
                    event_id=event.id,
                    params={
                        "author": author if author is not None else Msg("chat.someone"),
                        "channel": channel.name,
                        "excerpt": _excerpt(message.text),
                    },
                    link=f"/projects/{channel.project_id}/channels/{channel.id}?message={message.id}",
                    data={
                        "project_id": str(channel.project_id),
                        "channel_id": str(channel.id),
                        "message_id": str(message.id),
                    },
                ),
            )
