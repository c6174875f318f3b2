"""Channels and messages: the only code that touches the chat tables.

Each change locks what it changes, applies the rules and publishes its event
in the same transaction (outbox and audit). What concerns projects (is this
user a member, the project key) is asked of the projects module's services
and its :func:`~workhub.projects.services.project_access` relation; task
numbers are looked up through :class:`~workhub.tasks.services.TaskService`.
Channel lists are served from :class:`~workhub.chat.cache.ChannelCache`
when the service was given one, and every channel change drops the entry.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError

from workhub.chat import schemas
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
from workhub.chat.models import Channel, ChannelMember, Message, ReadMarker
from workhub.kernel.clock import clock
from workhub.kernel.context import Actor, acting_as, current_context
from workhub.kernel.db import new_id
from workhub.kernel.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from workhub.kernel.events import publish
from workhub.kernel.services import Service
from workhub.projects.api import ProjectService, project_access
from workhub.tasks.api import TaskService

if TYPE_CHECKING:
    from workhub.chat.cache import ChannelCache

__all__ = (
    "DEFAULT_CHANNEL",
    "ChannelService",
    "MessageService",
    "clean_channel_name",
    "task_ref_numbers",
)

DEFAULT_CHANNEL = "general"
"""The name every project's first channel gets."""
_SPACES = re.compile(r"\s+")
_CHANNEL_NAME = re.compile(r"[\w-]{1,80}")
_PRIVATE_FIELDS = frozenset({"name", "topic"})
"""What the audit log does not record of a private channel (its members' ids it does)."""
_TASK_REF = re.compile(r"(?<![\w-])([A-Za-z][A-Za-z0-9]{1,9})-([1-9][0-9]{0,8})(?![\w-])")
"""``OPS-42``: a project key (as the projects module allows them) and a task number."""


def clean_channel_name(name: str) -> str:
    """Lower-case, spaces as ``-``, without a leading ``#``; letters, digits, ``-`` and ``_`` only."""
    cleaned = _SPACES.sub("-", name.strip().lstrip("#").strip()).lower()
    if not _CHANNEL_NAME.fullmatch(cleaned):
        message = "A channel name has letters, digits, '-' and '_' only (80 at most)."
        raise ValidationFailed(
            message,
            code="invalid_channel_name",
            errors=[FieldError(field="name", message=message)],
            message_key="chat.channel_name_invalid",
        )
    return cleaned


def task_ref_numbers(text: str, project_key: str) -> list[int]:
    """Numbers of the ``<KEY>-<n>`` references to the project's tasks in ``text``, in order, once each."""
    key = project_key.upper()
    found: dict[int, None] = {}
    for match in _TASK_REF.finditer(text):
        if match.group(1).upper() == key:
            found.setdefault(int(match.group(2)), None)
    return list(found)


def _channel_schema(channel: Channel, member_ids: list[UUID]) -> schemas.Channel:
    return schemas.Channel(
        id=channel.id,
        project_id=channel.project_id,
        name=channel.name,
        topic=channel.topic,
        private=channel.private,
        default=channel.is_default,
        archived=channel.archived_at is not None,
        created_by=channel.created_by,
        created_at=channel.created_at,
        member_ids=member_ids if channel.private else [],
    )


def _not_private() -> ValidationFailed:
    message = "Only private channels have a member list."
    return ValidationFailed(
        message,
        code="channel_not_private",
        errors=[FieldError(field="channel_id", message=message)],
        message_key="chat.channel_not_private",
    )


def _archived() -> Conflict:
    return Conflict(
        "The channel is archived; nothing can be posted or changed in it.",
        code="channel_archived",
        message_key="chat.channel_archived",
    )


class ChannelService(Service[Channel]):
    """Channels of projects and the members of private ones; unread counts and read markers."""

    class Repo(SQLAlchemyAsyncRepository[Channel]):
        """Channel rows."""

        model_type = Channel

    repository_type = Repo
    cache: ChannelCache | None = None

    def with_cache(self, cache: ChannelCache) -> ChannelService:
        """Serve lists from ``cache`` and drop its entries on every change."""
        self.cache = cache
        return self

    async def _forget(self, project_id: UUID) -> None:
        if self.cache is not None:
            await self.cache.forget(self.session, project_id)

    async def _member_ids(self, channel_ids: list[UUID]) -> dict[UUID, list[UUID]]:
        """Listed members of the given channels, in the order they were added."""
        found: dict[UUID, list[UUID]] = {}
        if not channel_ids:
            return found
        rows = await self.session.execute(
            select(ChannelMember.channel_id, ChannelMember.user_id)
            .where(ChannelMember.channel_id.in_(channel_ids))
            .order_by(ChannelMember.id)
        )
        for channel_id, user_id in rows.all():
            found.setdefault(channel_id, []).append(user_id)
        return found

    async def describe(self, channel: Channel) -> schemas.Channel:
        """The API form of one channel."""
        members = (await self._member_ids([channel.id])).get(channel.id, []) if channel.private else []
        return _channel_schema(channel, members)

    async def _load(self, channel_id: UUID, *, lock: bool = False) -> Channel:
        stmt = select(Channel).where(Channel.id == channel_id)
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        channel = await self.session.scalar(stmt)
        if channel is None:
            raise NotFound
        return channel

    async def get_channel(self, channel_id: UUID) -> schemas.Channel:
        """One channel (the guard has checked the caller may read it)."""
        return await self.describe(await self._load(channel_id))

    async def _publish(
        self,
        event: type[ChannelCreated | ChannelUpdated | ChannelArchived],
        channel: Channel,
        changes: dict[str, list[Any]],
    ) -> schemas.Channel:
        result = await self.describe(channel)
        if channel.private:  # the project's audit is read by editors who may not be in the channel
            changes = {k: v for k, v in changes.items() if k not in _PRIVATE_FIELDS}
        await publish(
            self.session,
            event(
                entity_id=channel.id,
                project_id=channel.project_id,
                channel_id=channel.id,
                channel=result,
                changes=msgspec.to_builtins(changes),
            ),
        )
        await self._forget(channel.project_id)
        return result

    async def ensure_default(self, project_id: UUID) -> bool:
        """Create the project's ``general`` channel unless it exists; True when this call created it.

        Safe to repeat and to race: the insert does nothing when the project
        already has its default channel (the partial unique index), so the
        ``project.created`` subscriber and a first listing may both try.
        """
        now = clock.now()
        channel_id = await self.session.scalar(
            insert(Channel)
            .values(
                id=new_id(),
                project_id=project_id,
                name=DEFAULT_CHANNEL,
                topic="",
                private=False,
                is_default=True,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing()
            .returning(Channel.id)
        )
        if channel_id is None:
            return False
        channel = await self._load(channel_id)
        ctx = current_context()
        with acting_as(Actor.system("chat"), request_id=ctx.request_id, ip=ctx.ip):
            await self._publish(ChannelCreated, channel, {"name": [None, channel.name]})
        return True

    async def _check_name_free(self, project_id: UUID, name: str, *, other_than: UUID | None = None) -> None:
        stmt = select(Channel.id).where(
            Channel.project_id == project_id, Channel.name == name, Channel.archived_at.is_(None)
        )
        if other_than is not None:
            stmt = stmt.where(Channel.id != other_than)
        if await self.session.scalar(stmt) is not None:
            raise self._name_taken(name)

    @staticmethod
    def _name_taken(name: str) -> Conflict:
        return Conflict(
            f"The project already has a channel called {name}.",
            code="channel_name_taken",
            message_key="chat.channel_name_taken",
        )

    async def _check_project_members(self, project_id: UUID, user_ids: list[UUID]) -> None:
        projects = ProjectService(session=self.session)
        for user_id in user_ids:
            if await projects.role_of(project_id, user_id) is None:
                message = "Only members of the project can be added to its channels."
                raise ValidationFailed(
                    message,
                    code="not_project_member",
                    errors=[FieldError(field="user_id", message=message)],
                    message_key="chat.not_project_member",
                )

    async def _flush_named(self, name: str) -> None:
        """Flush; a name taken by a concurrent writer is the usual 409."""
        try:
            await self.session.flush()
        except IntegrityError as exc:
            if "uq_chat_channel_live_name" in str(exc.orig):
                raise self._name_taken(name) from exc
            raise

    async def create_channel(
        self, project_id: UUID, data: schemas.ChannelCreate, creator_id: UUID
    ) -> schemas.Channel:
        """A new channel; a private one lists its creator and ``member_ids`` (all project members)."""
        await self.ensure_default(project_id)
        name = clean_channel_name(data.name)
        await self._check_name_free(project_id, name)
        if data.member_ids and not data.private:
            raise _not_private()
        members = list(dict.fromkeys([creator_id, *data.member_ids])) if data.private else []
        await self._check_project_members(project_id, members)
        now = clock.now()
        channel = Channel(
            id=new_id(),
            project_id=project_id,
            name=name,
            topic=data.topic.strip(),
            private=data.private,
            is_default=False,
            created_by=creator_id,
            created_at=now,
            updated_at=now,
        )
        self.session.add(channel)
        await self._flush_named(name)
        for user_id in members:
            self.session.add(ChannelMember(channel_id=channel.id, user_id=user_id))
        await self.session.flush()
        changes: dict[str, list[Any]] = {"name": [None, name], "private": [None, data.private]}
        if channel.topic:
            changes["topic"] = [None, channel.topic]
        if members:
            changes["member_ids"] = [None, members]
        return await self._publish(ChannelCreated, channel, changes)

    async def update_channel(self, channel_id: UUID, data: schemas.ChannelUpdate) -> schemas.Channel:
        """Rename, change the topic, archive (``archived: true``) or bring back (``archived: false``)."""
        if data.archived is True:
            rest = msgspec.structs.replace(data, archived=msgspec.UNSET)
            if rest.name is not msgspec.UNSET or rest.topic is not msgspec.UNSET:
                await self.update_channel(channel_id, rest)
            return await self.archive_channel(channel_id)
        channel = await self._load(channel_id, lock=True)
        restoring = data.archived is False and channel.archived_at is not None
        if channel.archived_at is not None and not restoring:
            raise _archived()
        changes: dict[str, list[Any]] = {}
        name = channel.name
        if data.name is not msgspec.UNSET:
            name = clean_channel_name(data.name)
            if name != channel.name:
                changes["name"] = [channel.name, name]
        if restoring or "name" in changes:
            await self._check_name_free(channel.project_id, name, other_than=channel.id)
        if data.topic is not msgspec.UNSET and data.topic.strip() != channel.topic:
            changes["topic"] = [channel.topic, data.topic.strip()]
        if restoring:
            changes["archived"] = [True, False]
        if not changes:
            return await self.describe(channel)
        channel.name = name
        if "topic" in changes:
            channel.topic = changes["topic"][1]
        if restoring:
            channel.archived_at = None
        channel.updated_at = clock.now()
        await self._flush_named(name)
        return await self._publish(ChannelUpdated, channel, changes)

    async def archive_channel(self, channel_id: UUID) -> schemas.Channel:
        """Archive: the channel stays readable, nobody posts in it; ``general`` stays."""
        channel = await self._load(channel_id, lock=True)
        if channel.is_default:
            raise Conflict(
                "The general channel cannot be archived.",
                code="default_channel",
                message_key="chat.default_channel",
            )
        if channel.archived_at is not None:
            return await self.describe(channel)
        channel.archived_at = channel.updated_at = clock.now()
        await self.session.flush()
        return await self._publish(ChannelArchived, channel, {"archived": [False, True]})

    async def add_member(self, channel_id: UUID, user_id: UUID) -> schemas.Channel:
        """List a project member in a private channel (already listed: nothing changes)."""
        channel = await self._load(channel_id, lock=True)
        if not channel.private:
            raise _not_private()
        if channel.archived_at is not None:
            raise _archived()
        await self._check_project_members(channel.project_id, [user_id])
        now = clock.now()
        inserted = await self.session.scalar(
            insert(ChannelMember)
            .values(id=new_id(), channel_id=channel_id, user_id=user_id, created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["channel_id", "user_id"])
            .returning(ChannelMember.id)
        )
        result = await self.describe(channel)
        if inserted is not None:
            await self._publish_member(ChannelMemberAdded, result, user_id, [None, str(user_id)])
        return result

    async def _publish_member(
        self,
        event: type[ChannelMemberAdded | ChannelMemberRemoved],
        channel: schemas.Channel,
        user_id: UUID,
        change: list[Any],
    ) -> None:
        await publish(
            self.session,
            event(
                entity_id=channel.id,
                project_id=channel.project_id,
                channel_id=channel.id,
                channel=channel,
                user_id=user_id,
                changes={"member": change},
            ),
        )
        await self._forget(channel.project_id)

    async def _unlist(self, channel: Channel, user_id: UUID) -> bool:
        """Take ``user_id`` off the channel's list and publish it; False when they were not on it."""
        removed = await self.session.scalar(
            delete(ChannelMember)
            .where(ChannelMember.channel_id == channel.id, ChannelMember.user_id == user_id)
            .returning(ChannelMember.id)
        )
        if removed is None:
            return False
        await self._publish_member(
            ChannelMemberRemoved, await self.describe(channel), user_id, [str(user_id), None]
        )
        return True

    async def remove_member(self, channel_id: UUID, user_id: UUID) -> None:
        """Take a member off a private channel's list; they stop reading it at once."""
        channel = await self._load(channel_id, lock=True)
        if not channel.private:
            raise _not_private()
        if not await self._unlist(channel, user_id):
            raise NotFound("This user is not a member of the channel.", code="channel_member_not_found")

    async def drop_from_project(self, project_id: UUID, user_id: UUID) -> int:
        """Take a user who left the project off its private channels; how many lists they left.

        Repeatable: a second run finds nothing left to remove.
        """
        channel_ids = list(
            (
                await self.session.execute(
                    select(ChannelMember.channel_id)
                    .join(Channel, Channel.id == ChannelMember.channel_id)
                    .where(Channel.project_id == project_id, ChannelMember.user_id == user_id)
                )
            ).scalars()
        )
        count = 0
        for channel_id in channel_ids:
            count += await self._unlist(await self._load(channel_id, lock=True), user_id)
        return count

    async def _rows(self, project_id: UUID, *, archived: bool) -> list[schemas.Channel]:
        stmt = select(Channel).where(
            Channel.project_id == project_id,
            Channel.archived_at.is_not(None) if archived else Channel.archived_at.is_(None),
        )
        channels = list((await self.session.execute(stmt)).scalars())
        members = await self._member_ids([c.id for c in channels if c.private])
        return [_channel_schema(c, members.get(c.id, [])) for c in channels]

    async def project_channels(self, project_id: UUID) -> list[schemas.Channel]:
        """Every live channel of the project, ``general`` created first if missing (cached)."""
        if self.cache is not None:
            cached = await self.cache.get(project_id)
            if cached is not None:
                return cached
        created = await self.ensure_default(project_id)
        channels = await self._rows(project_id, archived=False)
        if self.cache is not None and not created:
            await self.cache.put(project_id, channels)
        return channels

    async def list_for(
        self, project_id: UUID, user_id: UUID, *, archived: bool = False, sees_private: bool = False
    ) -> schemas.ChannelList:
        """The channels the caller reads, ``general`` first then by name, with their unread counts.

        ``sees_private`` (the project's owners): every private channel is listed, so none is ever
        out of reach; those the caller is not in count nothing unread (their messages are not theirs to read).
        """
        if archived:
            channels = await self._rows(project_id, archived=True)
        else:
            channels = await self.project_channels(project_id)
        visible = [c for c in channels if not c.private or sees_private or user_id in c.member_ids]
        visible.sort(key=lambda c: (not c.default, c.name))
        readable = [c.id for c in visible if not c.private or user_id in c.member_ids]
        unread = await self.unread_counts(user_id, readable)
        return schemas.ChannelList(
            items=[
                schemas.ChannelWithUnread(**msgspec.structs.asdict(c), unread=unread.get(c.id, 0))
                for c in visible
            ]
        )

    async def unread_counts(self, user_id: UUID, channel_ids: list[UUID]) -> dict[UUID, int]:
        """Per channel: live messages of others newer than the user's read marker."""
        if not channel_ids:
            return {}
        stmt = (
            select(Message.channel_id, func.count())
            .outerjoin(
                ReadMarker, (ReadMarker.channel_id == Message.channel_id) & (ReadMarker.user_id == user_id)
            )
            .where(
                Message.channel_id.in_(channel_ids),
                Message.deleted_at.is_(None),
                Message.author_id.is_distinct_from(user_id),
                or_(ReadMarker.last_read_id.is_(None), Message.id > ReadMarker.last_read_id),
            )
            .group_by(Message.channel_id)
        )
        return {channel_id: int(n) for channel_id, n in (await self.session.execute(stmt)).all()}

    async def mark_read(self, channel_id: UUID, user_id: UUID, message_id: UUID | None) -> schemas.ReadState:
        """Set the caller's read marker to ``message_id`` (or the newest message) and count what is left."""
        if message_id is not None:
            found = await self.session.scalar(
                select(Message.id).where(Message.id == message_id, Message.channel_id == channel_id)
            )
            if found is None:
                raise ValidationFailed.field(
                    "message_id", "No such message in this channel.", code="message_not_in_channel"
                )
            target: UUID | None = message_id
        else:
            target = await self.session.scalar(
                select(Message.id)
                .where(Message.channel_id == channel_id)
                .order_by(Message.id.desc())
                .limit(1)
            )
        if target is not None:
            now = clock.now()
            stmt = insert(ReadMarker).values(
                id=new_id(),
                channel_id=channel_id,
                user_id=user_id,
                last_read_id=target,
                created_at=now,
                updated_at=now,
            )
            await self.session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["channel_id", "user_id"],
                    set_={"last_read_id": stmt.excluded.last_read_id, "updated_at": now},
                )
            )
        unread = await self.unread_counts(user_id, [channel_id])
        return schemas.ReadState(channel_id=channel_id, last_read_id=target, unread=unread.get(channel_id, 0))


class MessageService(Service[Message]):
    """Messages of channels: post, edit, delete (to a tombstone), page."""

    class Repo(SQLAlchemyAsyncRepository[Message]):
        """Message rows."""

        model_type = Message

    repository_type = Repo

    async def _channel(self, channel_id: UUID) -> tuple[Channel, str]:
        """The channel and its project's key."""
        access = project_access()
        row = (
            await self.session.execute(
                select(Channel, access.c.project_key)
                .join(access, access.c.project_id == Channel.project_id)
                .where(Channel.id == channel_id)
            )
        ).first()
        if row is None:
            raise NotFound
        return row[0], row[1]

    async def _load(self, message_id: UUID) -> tuple[Message, Channel, str]:
        """The message locked for change, its channel and the project key."""
        message = await self.session.scalar(
            select(Message)
            .where(Message.id == message_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if message is None:
            raise NotFound
        channel, key = await self._channel(message.channel_id)
        return message, channel, key

    async def _task_ids(self, project_id: UUID, key: str, texts: list[str]) -> dict[int, UUID]:
        numbers: dict[int, None] = {}
        for text in texts:
            for number in task_ref_numbers(text, key):
                numbers.setdefault(number, None)
        return await TaskService(session=self.session).ids_by_number(project_id, list(numbers))

    @staticmethod
    def as_schema(message: Message, project_id: UUID, key: str, tasks: dict[int, UUID]) -> schemas.Message:
        """The API form of a message; ``tasks`` maps the project's task numbers to ids."""
        refs = [
            schemas.TaskRef(key=f"{key}-{n}", task_id=tasks[n], url=f"/tasks/{tasks[n]}")
            for n in task_ref_numbers(message.text, key)
            if n in tasks
        ]
        return schemas.Message(
            id=message.id,
            channel_id=message.channel_id,
            project_id=project_id,
            author_id=message.author_id,
            text=message.text,
            metadata=message.meta,
            task_refs=refs,
            created_at=message.created_at,
            edited_at=message.edited_at,
            deleted=message.deleted_at is not None,
        )

    async def _schema(self, message: Message, channel: Channel, key: str) -> schemas.Message:
        tasks = await self._task_ids(channel.project_id, key, [message.text])
        return self.as_schema(message, channel.project_id, key, tasks)

    @staticmethod
    def _checked(text: str, metadata: dict[str, Any] | None) -> dict[str, Any] | None:
        """A blank text or metadata larger than 4 KB (as JSON) is a 422."""
        if not text.strip():
            raise ValidationFailed.field("text", "A message cannot be blank.")
        if metadata is not None and len(msgspec.json.encode(metadata)) > schemas.MAX_METADATA_BYTES:
            raise ValidationFailed.field(
                "metadata",
                f"metadata takes at most {schemas.MAX_METADATA_BYTES} bytes as JSON.",
                code="metadata_too_large",
            )
        return metadata

    async def post(self, channel_id: UUID, author_id: UUID, data: schemas.MessageCreate) -> schemas.Message:
        """A new message, published as ``message.created`` (to the channel's room, and for mentions)."""
        channel, key = await self._channel(channel_id)
        if channel.archived_at is not None:
            raise _archived()
        metadata = self._checked(data.text, data.metadata)
        now = clock.now()
        message = Message(
            id=new_id(),
            channel_id=channel_id,
            author_id=author_id,
            text=data.text,
            meta=metadata,
            created_at=now,
            updated_at=now,
        )
        self.session.add(message)
        await self.session.flush()
        result = await self._schema(message, channel, key)
        await publish(
            self.session,
            MessageCreated(
                entity_id=message.id,
                project_id=channel.project_id,
                channel_id=channel_id,
                message=result,
                changes={"channel_id": [None, str(channel_id)]},
            ),
        )
        return result

    async def edit(self, message_id: UUID, user_id: UUID, data: schemas.MessageUpdate) -> schemas.Message:
        """Change one's own message; a deleted one cannot change (409 ``message_deleted``)."""
        message, channel, key = await self._load(message_id)
        if message.author_id != user_id:
            raise Forbidden(
                "Only the author can edit a message.",
                code="not_message_author",
                message_key="chat.not_message_author",
            )
        if message.deleted_at is not None:
            raise Conflict(
                "The message was deleted.", code="message_deleted", message_key="chat.message_deleted"
            )
        if channel.archived_at is not None:
            raise _archived()
        metadata = message.meta if data.metadata is msgspec.UNSET else data.metadata
        self._checked(data.text, metadata)
        if data.text == message.text and metadata == message.meta:
            return await self._schema(message, channel, key)
        now = clock.now()
        before = message.edited_at
        message.text, message.meta, message.edited_at, message.updated_at = data.text, metadata, now, now
        await self.session.flush()
        result = await self._schema(message, channel, key)
        await publish(
            self.session,
            MessageUpdated(
                entity_id=message.id,
                project_id=channel.project_id,
                channel_id=channel.id,
                message=result,
                changes=msgspec.to_builtins({"edited_at": [before, now]}),
            ),
        )
        return result

    async def delete_message(self, message_id: UUID, user_id: UUID, *, may_delete_any: bool) -> None:
        """Leave a tombstone: its author, or whoever may delete any message (owners)."""
        message, channel, key = await self._load(message_id)
        if message.author_id != user_id and not may_delete_any:
            raise Forbidden(
                "Only the author or a project owner can delete a message.",
                code="not_message_author",
                message_key="chat.not_message_author",
            )
        if message.deleted_at is not None:
            return
        now = clock.now()
        message.text, message.meta, message.deleted_at, message.updated_at = "", None, now, now
        await self.session.flush()
        await publish(
            self.session,
            MessageDeleted(
                entity_id=message.id,
                project_id=channel.project_id,
                channel_id=channel.id,
                message=self.as_schema(message, channel.project_id, key, {}),
                changes={"deleted": [False, True]},
            ),
        )

    async def page(
        self, channel_id: UUID, *, before: UUID | None, after: UUID | None, limit: int
    ) -> schemas.MessagePage:
        """Newest first: the ``limit`` messages before ``before`` (or the newest), or right after ``after``."""
        channel, key = await self._channel(channel_id)
        stmt = select(Message).where(Message.channel_id == channel_id).limit(limit + 1)
        if before is not None:
            stmt = stmt.where(Message.id < before)
        if after is not None:
            stmt = stmt.where(Message.id > after)
        forward = after is not None and before is None
        stmt = stmt.order_by(Message.id.asc() if forward else Message.id.desc())
        rows = list((await self.session.execute(stmt)).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
        if forward:
            rows.reverse()
        tasks = await self._task_ids(channel.project_id, key, [m.text for m in rows])
        return schemas.MessagePage(
            items=[self.as_schema(m, channel.project_id, key, tasks) for m in rows], has_more=more
        )

    async def find(self, message_id: UUID) -> tuple[schemas.Message, schemas.Channel] | None:
        """A message with its channel (for subscribers), or None when it is gone."""
        message = await self.session.get(Message, message_id)
        if message is None:
            return None
        channel, key = await self._channel(message.channel_id)
        described = await ChannelService(session=self.session).describe(channel)
        return await self._schema(message, channel, key), described
