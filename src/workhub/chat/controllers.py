"""Routes of channels and messages."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from workhub.chat import schemas
from workhub.chat.cache import ChannelCache
from workhub.chat.services import ChannelService, MessageService
from workhub.kernel.guards import get_access, requires
from workhub.kernel.pagination import MAX_LIMIT
from workhub.kernel.permissions import Action
from workhub.kernel.plugins import Runtime
from workhub.kernel.ratelimit import RateLimiter
from workhub.kernel.security import CurrentUser

__all__ = ("ChannelController", "MessageController")

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size (at most 200)")]


def _channels(session: AsyncSession, runtime: Runtime) -> ChannelService:
    return ChannelService(session=session).with_cache(ChannelCache(runtime.redis))


class ChannelController(Controller):
    """Channels of a project, and who is in the private ones."""

    path = "/api/v1"
    tags = ["chat"]

    @get(
        "/projects/{project_id:uuid}/channels",
        operation_id="ListChannels",
        guards=[requires(Action.CHANNEL_READ, scope="project", param="project_id")],
        summary="Channels of a project",
    )
    async def list_channels(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        runtime: NamedDependency[Runtime],
        project_id: FromPath[UUID],
        archived: Annotated[
            bool, QueryParameter(description="Archived channels instead of live ones")
        ] = False,
    ) -> schemas.ChannelList:
        """Public channels and the private ones the caller is in (owners: every private one), each with ``unread``."""
        role = get_access(request.state).role
        return await _channels(db_session, runtime).list_for(
            project_id, request.user.id, archived=archived, sees_private=role == "owner"
        )

    @post(
        "/projects/{project_id:uuid}/channels",
        operation_id="CreateChannel",
        guards=[requires(Action.CHANNEL_CREATE, scope="project", param="project_id")],
        summary="Create a channel",
    )
    async def create_channel(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        runtime: NamedDependency[Runtime],
        project_id: FromPath[UUID],
        data: JSONBody[schemas.ChannelCreate],
    ) -> schemas.Channel:
        """Editors and owners; a taken name is 409 ``channel_name_taken``."""
        return await _channels(db_session, runtime).create_channel(project_id, data, request.user.id)

    @get(
        "/channels/{channel_id:uuid}",
        operation_id="GetChannel",
        guards=[requires(Action.CHANNEL_READ, scope="channel")],
        summary="A channel",
    )
    async def get_channel(
        self, db_session: NamedDependency[AsyncSession], channel_id: FromPath[UUID]
    ) -> schemas.Channel:
        """404 for callers outside the project, and for private channels they are neither in nor own."""
        return await ChannelService(session=db_session).get_channel(channel_id)

    @patch(
        "/channels/{channel_id:uuid}",
        operation_id="UpdateChannel",
        guards=[requires(Action.CHANNEL_MANAGE, scope="channel")],
        summary="Rename, describe, archive or restore a channel",
    )
    async def update_channel(
        self,
        db_session: NamedDependency[AsyncSession],
        runtime: NamedDependency[Runtime],
        channel_id: FromPath[UUID],
        data: JSONBody[schemas.ChannelUpdate],
    ) -> schemas.Channel:
        """Owners; ``archived: false`` brings an archived channel back (its name must be free)."""
        return await _channels(db_session, runtime).update_channel(channel_id, data)

    @delete(
        "/channels/{channel_id:uuid}",
        operation_id="ArchiveChannel",
        guards=[requires(Action.CHANNEL_MANAGE, scope="channel")],
        summary="Archive a channel",
    )
    async def archive_channel(
        self,
        db_session: NamedDependency[AsyncSession],
        runtime: NamedDependency[Runtime],
        channel_id: FromPath[UUID],
    ) -> None:
        """Owners; the channel stays readable but takes no messages. ``general`` cannot be archived (409)."""
        await _channels(db_session, runtime).archive_channel(channel_id)

    @post(
        "/channels/{channel_id:uuid}/members",
        operation_id="AddChannelMember",
        guards=[requires(Action.CHANNEL_MANAGE, scope="channel")],
        summary="Add a member to a private channel",
    )
    async def add_member(
        self,
        db_session: NamedDependency[AsyncSession],
        runtime: NamedDependency[Runtime],
        channel_id: FromPath[UUID],
        data: JSONBody[schemas.ChannelMemberAdd],
    ) -> schemas.Channel:
        """Owners; the user must be a member of the project (422 ``not_project_member``)."""
        return await _channels(db_session, runtime).add_member(channel_id, data.user_id)

    @delete(
        "/channels/{channel_id:uuid}/members/{user_id:uuid}",
        operation_id="RemoveChannelMember",
        guards=[requires(Action.CHANNEL_MANAGE, scope="channel")],
        summary="Remove a member from a private channel",
    )
    async def remove_member(
        self,
        db_session: NamedDependency[AsyncSession],
        runtime: NamedDependency[Runtime],
        channel_id: FromPath[UUID],
        user_id: FromPath[UUID],
    ) -> None:
        """Owners; the member stops receiving the channel's messages at once."""
        await _channels(db_session, runtime).remove_member(channel_id, user_id)

    @post(
        "/channels/{channel_id:uuid}/leave",
        operation_id="LeaveChannel",
        guards=[requires(Action.CHANNEL_READ, scope="channel")],
        status_code=HTTP_204_NO_CONTENT,
        summary="Leave a private channel",
    )
    async def leave_channel(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        runtime: NamedDependency[Runtime],
        channel_id: FromPath[UUID],
    ) -> None:
        """Any listed member; public channels have no list to leave (422 ``channel_not_private``)."""
        await _channels(db_session, runtime).remove_member(channel_id, request.user.id)

    @post(
        "/channels/{channel_id:uuid}/read",
        operation_id="MarkChannelRead",
        guards=[requires(Action.CHANNEL_READ, scope="channel_content", param="channel_id")],
        status_code=HTTP_200_OK,
        summary="Mark a channel read",
    )
    async def mark_read(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        channel_id: FromPath[UUID],
        data: JSONBody[schemas.ReadMark | None] = None,
    ) -> schemas.ReadState:
        """Up to ``message_id`` (default: the newest message); returns what is still unread."""
        message_id = data.message_id if data is not None else None
        return await ChannelService(session=db_session).mark_read(channel_id, request.user.id, message_id)


class MessageController(Controller):
    """Messages of channels."""

    path = "/api/v1"
    tags = ["chat"]

    @get(
        "/channels/{channel_id:uuid}/messages",
        operation_id="ListMessages",
        guards=[requires(Action.CHANNEL_READ, scope="channel_content", param="channel_id")],
        summary="Messages of a channel",
    )
    async def list_messages(
        self,
        db_session: NamedDependency[AsyncSession],
        channel_id: FromPath[UUID],
        before: Annotated[
            UUID | None, QueryParameter(description="Only messages older than this message id")
        ] = None,
        after: Annotated[
            UUID | None, QueryParameter(description="Only messages newer than this message id")
        ] = None,
        limit: Limit = 50,
    ) -> schemas.MessagePage:
        """Newest first, tombstones included; see ``has_more`` for the next page."""
        return await MessageService(session=db_session).page(
            channel_id, before=before, after=after, limit=limit
        )

    @post(
        "/channels/{channel_id:uuid}/messages",
        operation_id="PostMessage",
        guards=[requires(Action.MESSAGE_POST, scope="channel_content", param="channel_id")],
        summary="Post a message",
    )
    async def post_message(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        runtime: NamedDependency[Runtime],
        channel_id: FromPath[UUID],
        data: JSONBody[schemas.MessageCreate],
    ) -> schemas.Message:
        """Every member who reads the channel; too many in a row is 429 with ``Retry-After``."""
        settings = runtime.settings
        await RateLimiter(runtime.redis, prefix="wh:rl:chat").hit(
            f"{channel_id}:{request.user.id}", limit=settings.chat_rate, window=settings.chat_rate_window
        )
        return await MessageService(session=db_session).post(channel_id, request.user.id, data)

    @patch(
        "/messages/{message_id:uuid}",
        operation_id="UpdateMessage",
        guards=[requires(Action.MESSAGE_POST, scope="message")],
        summary="Edit a message",
    )
    async def update_message(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        message_id: FromPath[UUID],
        data: JSONBody[schemas.MessageUpdate],
    ) -> schemas.Message:
        """Its author only (403 ``not_message_author`` for anyone else)."""
        return await MessageService(session=db_session).edit(message_id, request.user.id, data)

    @delete(
        "/messages/{message_id:uuid}",
        operation_id="DeleteMessage",
        guards=[requires(Action.MESSAGE_POST, scope="message")],
        summary="Delete a message",
    )
    async def delete_message(
        self,
        request: Request[CurrentUser, Any, Any],
        db_session: NamedDependency[AsyncSession],
        message_id: FromPath[UUID],
    ) -> None:
        """Its author, or a project owner (``message.delete_any``); a tombstone stays in the channel."""
        access = get_access(request.state)
        await MessageService(session=db_session).delete_message(
            message_id, request.user.id, may_delete_any=access.may(Action.MESSAGE_DELETE_ANY)
        )
