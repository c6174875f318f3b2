"""Project chat: channels, messages, mentions and unread counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from workhub.kernel.plugins import Registry

__all__ = ("ChatPlugin", "plugin")


def _channel_rooms(event: Any) -> list[str]:
    """A public channel's events go to its project's room; a private one's only to its members."""
    channel = event.channel
    rooms = [f"channel:{channel.id}"]
    if channel.private:
        rooms += [f"user:{user_id}" for user_id in channel.member_ids]
    else:
        rooms.append(f"project:{channel.project_id}")
    return rooms


def _member_rooms(event: Any) -> list[str]:
    """The channel's room and the room of the member who joined or left (not subscribed to the channel yet, or any more)."""
    return [f"channel:{event.channel_id}", f"user:{event.user_id}"]


class ChatPlugin:
    """Registers channel and message routes, the ``channel``/``message`` access scopes, ``channel:`` rooms, pushes and subscribers."""

    name = "chat"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Add routes, access resolvers, texts, realtime pushes and subscribers."""
        from workhub.chat.access import (
            resolve_channel_access,
            resolve_channel_content_access,
            resolve_message_access,
        )
        from workhub.chat.controllers import ChannelController, MessageController
        from workhub.chat.events import (
            ChannelArchived,
            ChannelCreated,
            ChannelMemberAdded,
            ChannelMemberRemoved,
            ChannelUpdated,
            MessageCreated,
            MessageDeleted,
            MessageUpdated,
        )
        from workhub.chat.subscribers import create_general_channel, leave_private_channels, notify_mentions
        from workhub.kernel.permissions import Action
        from workhub.kernel.realtime import Revocation
        from workhub.projects.events import MemberRemoved

        registry.add_access_scope("channel", resolve_channel_access)
        registry.add_access_scope("channel_content", resolve_channel_content_access)
        registry.add_access_scope("message", resolve_message_access)
        registry.add_room_kind("channel", "channel_content", Action.CHANNEL_READ)
        registry.add_routes(ChannelController, MessageController)
        registry.add_messages(Path(__file__).with_name("locales"))
        for message_event in (MessageCreated, MessageUpdated, MessageDeleted):
            registry.add_broadcast(message_event, rooms=lambda e: [f"channel:{e.channel_id}"])
        for channel_event in (ChannelCreated, ChannelUpdated, ChannelArchived):
            registry.add_broadcast(channel_event, rooms=_channel_rooms)
        for member_event in (ChannelMemberAdded, ChannelMemberRemoved):
            registry.add_broadcast(member_event, rooms=_member_rooms)
        registry.add_room_revocation(
            ChannelMemberRemoved,
            lambda e: Revocation(user_id=e.user_id, rooms=(f"channel:{e.channel_id}",)),
        )
        registry.add_transaction_listener(create_general_channel)
        registry.subscribe(MemberRemoved, handler=leave_private_channels)
        registry.subscribe(MessageCreated, handler=notify_mentions)


plugin = ChatPlugin()
