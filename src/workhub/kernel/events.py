"""Domain events, the transactional outbox and the relay that drains it.

A service publishes an event with :func:`publish` inside its transaction: the
event is written to the ``outbox`` table and handed to the in-transaction
listeners (the audit log) in the same transaction, so a row, its audit
record and its event commit or vanish together. After commit the
:class:`OutboxRelay` moves outbox rows to subscribers: each subscriber gets
each event as its own SAQ job, keyed so a retried relay never enqueues twice.
A process killed between commit and relay loses nothing: the row stays
undispatched until a relay picks it up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID, uuid4

import msgspec
from advanced_alchemy.base import orm_registry
from sqlalchemy import BigInteger, DateTime, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from workhub.kernel.clock import clock
from workhub.kernel.context import current_context
from workhub.kernel.db import TRANSACTION_LISTENERS, transaction_connection
from workhub.kernel.i18n import using

if TYPE_CHECKING:
    from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.kernel.plugins import Registry
    from workhub.kernel.queue import JobQueue

__all__ = (
    "NOTIFY_CHANNEL",
    "DomainEvent",
    "Outbox",
    "OutboxRelay",
    "TransactionListener",
    "UnauditedSessionError",
    "decode_event",
    "deliver_event",
    "event_types",
    "publish",
    "publish_many",
)

logger = logging.getLogger("workhub.events")
NOTIFY_CHANNEL = "workhub_outbox"

_EVENT_TYPES: dict[str, type[DomainEvent]] = {}
_json = msgspec.json.Encoder()


class DomainEvent(msgspec.Struct, frozen=True, kw_only=True, tag_field="event"):
    """Something that happened, named in the past tense (``task.updated``).

    ``entity_type``/``entity_id``/``project_id`` and ``changes`` (field →
    ``[before, after]``) are what the audit log records; subclasses add the
    payload their subscribers need (usually the same Struct the REST API
    returns). ``actor_id`` is the user who caused the event (from the request
    context when the event is made; None for the system and integrations),
    so a subscriber can leave the actor out of those it notifies.
    """

    entity_type: ClassVar[str] = "entity"
    audited: ClassVar[bool] = True
    """False for events that are consequences rather than changes (a notification row
    made for an event already in the audit log): the audit listener skips them."""
    id: UUID = msgspec.field(default_factory=uuid4)
    """Unique per event: subscribers use it to drop a repeated delivery."""
    entity_id: UUID
    project_id: UUID | None = None
    changes: dict[str, list[Any]] = {}
    occurred_at: datetime = msgspec.field(default_factory=clock.now)
    actor_id: UUID | None = msgspec.field(default_factory=lambda: current_context().actor.id)

    @property
    def name(self) -> str:
        """The event's tag, e.g. ``task.updated``; also the audit action."""
        return str(type(self).__struct_config__.tag)


def event_types() -> dict[str, type[DomainEvent]]:
    """Every event class imported in this process, by tag (msgspec sets tags after class creation, so walk subclasses)."""
    found: dict[str, type[DomainEvent]] = {}
    stack: list[type[DomainEvent]] = [DomainEvent]
    while stack:
        cls = stack.pop()
        tag = cls.__struct_config__.tag
        if isinstance(tag, str) and not cls.__name__.startswith("_") and cls is not DomainEvent:
            found[tag] = cls
        stack.extend(cls.__subclasses__())
    return found


def decode_event(name: str, payload: bytes | str | dict[str, Any]) -> DomainEvent:
    """Rebuild an event from its stored form."""
    cls = _EVENT_TYPES.get(name)
    if cls is None:
        _EVENT_TYPES.update(event_types())
        cls = _EVENT_TYPES[name]
    if isinstance(payload, dict):
        return msgspec.convert(payload, cls, strict=False)
    return msgspec.json.decode(payload, type=cls)


@orm_registry.mapped
class Outbox:
    """An event waiting to be relayed (``dispatched_at`` is null until it is)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "id", postgresql_where=text("dispatched_at IS NULL")),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    event: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


_INSERT_OUTBOX = "INSERT INTO outbox (event, payload) SELECT * FROM unnest($1::varchar[], $2::jsonb[])"
"""Any number of events in one statement with two array parameters: the cost of a batch is
PostgreSQL's, not per-row parameter handling in Python. Sent on the driver
(:func:`~workhub.kernel.db.transaction_connection`), as every publish does."""

TransactionListener = Callable[["AsyncSession", "Sequence[DomainEvent]"], Awaitable[None]]
"""Runs inside the publishing transaction with the events of one publish (the audit log).

The registry collects them; a session carries its registry's listeners (see
:func:`~workhub.kernel.db.build_db_config`), so the web app, the worker and a
CLI command audit the same way by construction."""


class UnauditedSessionError(RuntimeError):
    """An event was published on a session that carries no registry's transaction listeners."""


async def publish(session: AsyncSession, event: DomainEvent) -> None:
    """Record ``event`` in the caller's transaction (outbox + audit).

    Inserting the outbox row fires a statement trigger (migration 0010) that
    NOTIFYs the relay; PostgreSQL delivers it only on commit, so the relay
    wakes exactly when there is something committed to relay, and the wake-up
    costs no extra round trip.
    """
    await publish_many(session, (event,))


async def publish_many(session: AsyncSession, events: Sequence[DomainEvent]) -> None:
    """Record several events at once: one outbox INSERT and one call of each listener.

    For writes that make many events in one transaction (the overdue sweep),
    where a round trip per event would dominate.
    """
    if not events:
        return
    listeners: tuple[TransactionListener, ...] | None = session.info.get(TRANSACTION_LISTENERS)
    if listeners is None:
        raise UnauditedSessionError(
            "events are published on a session without transaction listeners: open it from a database "
            "config built with the registry's (build_db_config(..., listeners=registry.transaction_listeners))"
        )
    connection = await transaction_connection(session)
    await connection.execute(
        _INSERT_OUTBOX, [e.name for e in events], [_json.encode(e).decode() for e in events]
    )
    for listener in listeners:
        await listener(session, events)


class OutboxRelay:
    """Moves committed outbox rows to subscribers, at least once each.

    Several relays may run (web processes, workers): ``FOR UPDATE SKIP
    LOCKED`` gives each row to one of them, and job keys make a repeated
    enqueue after a crash a no-op.
    """

    batch_size = 200

    def __init__(self, db: SQLAlchemyAsyncConfig, registry: Registry, queue: JobQueue) -> None:
        self.db = db
        self.registry = registry
        self.queue = queue
        self._wake = asyncio.Event()

    async def run_once(self) -> int:
        """Relay one batch; returns how many events it moved."""
        from sqlalchemy import select, update

        async with self.db.get_session() as session:
            rows = (
                await session.execute(
                    select(Outbox.id, Outbox.event, Outbox.payload)
                    .where(Outbox.dispatched_at.is_(None))
                    .order_by(Outbox.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                await session.rollback()
                return 0
            for row_id, name, payload in rows:
                await self._dispatch(row_id, name, payload)
            await session.execute(
                update(Outbox).where(Outbox.id.in_([r[0] for r in rows])).values(dispatched_at=clock.now())
            )
            await session.commit()
            return len(rows)

    async def _dispatch(self, row_id: int, name: str, payload: dict[str, Any]) -> None:
        subscribers = self.registry.subscribers_for(name)
        event: DomainEvent | None = None
        for sub in subscribers:
            if sub.inline:
                if event is None:
                    event = decode_event(name, payload)
                try:
                    with using(self.registry.messages):
                        await sub.handler(event, self.registry.runtime)
                except Exception:
                    logger.exception("inline subscriber %s failed on %s #%s", sub.name, name, row_id)
                continue
            await self.queue.enqueue(
                "workhub.deliver_event",
                key=f"event:{row_id}:{sub.name}",
                subscriber=sub.name,
                event=name,
                payload=payload,
            )

    async def drain(self) -> int:
        """Relay everything committed so far (batch after batch); returns how many events moved."""
        moved = 0
        while batch := await self.run_once():
            moved += batch
        return moved

    def wake(self) -> None:
        """Ask the running loop to look at the outbox now."""
        self._wake.set()

    async def run_forever(self, *, poll_interval: float = 1.0, gather: float = 0.05) -> None:
        """Relay until cancelled, woken by NOTIFY and by a periodic poll.

        After a wake-up it waits ``gather`` seconds so that a burst of commits
        is relayed in one transaction rather than one per commit.
        """
        listener = await self._listen()
        try:
            while True:
                try:
                    while await self.run_once():
                        pass
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception("outbox relay failed; retrying")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=poll_interval)
                    await asyncio.sleep(gather)
                self._wake.clear()
        finally:
            if listener is not None:
                with contextlib.suppress(Exception):
                    await listener.close()

    async def _listen(self) -> Any:
        """A raw asyncpg connection LISTENing for outbox NOTIFYs (None if unavailable)."""
        try:
            import asyncpg

            url = self.db.connection_string or ""
            dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
            conn = await asyncpg.connect(dsn)
            await conn.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
            return conn
        except Exception:
            logger.warning("outbox relay could not LISTEN; polling only", exc_info=True)
            return None


async def deliver_event(ctx: dict[str, Any], *, subscriber: str, event: str, payload: dict[str, Any]) -> None:
    """SAQ job: hand one event to one subscriber (retried with backoff by SAQ)."""
    registry: Registry = ctx["registry"]
    sub = registry.subscriber(subscriber)
    if sub is None:
        logger.warning("no subscriber %s for %s any more; dropping", subscriber, event)
        return
    with using(registry.messages):
        await sub.handler(decode_event(event, payload), registry.runtime)
