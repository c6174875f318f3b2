"""The typed extension points a plugin can fill.

Each is a small Protocol: what the core calls, with the per-project
configuration (a ``project_integration`` row, decrypted) passed into every
call rather than kept on the shared plugin object.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

import msgspec

__all__ = (
    "ExternalIdentity",
    "IdentityProvider",
    "InboundEvent",
    "IntakeSource",
    "NotificationChannel",
    "RenderedNotification",
    "SearchBackend",
    "SearchHit",
    "SearchQuery",
)


class InboundEvent(msgspec.Struct, frozen=True, kw_only=True):
    """Raw input from a source, normalised; the rules engine turns it into a task."""

    source: str
    external_id: str
    """Stable id at the source, used to drop duplicates."""
    title: str
    body: str | None = None
    author: str | None = None
    deadline: datetime | None = None
    labels: list[str] = []
    payload: dict[str, Any] = {}


@runtime_checkable
class IntakeSource(Protocol):
    """Turns raw input (a webhook body, a chat message) into inbound events."""

    name: str

    async def parse(
        self, body: bytes, headers: Mapping[str, str], config: Mapping[str, Any]
    ) -> list[InboundEvent]:
        """Parse ``body``; raise ``ValidationFailed`` for input that is not acceptable."""
        ...


class RenderedNotification(msgspec.Struct, frozen=True, kw_only=True):
    """A notification in the recipient's language, ready for a channel."""

    user_id: UUID
    kind: str
    title: str
    body: str
    link: str | None = None
    locale: str = "en"


@runtime_checkable
class NotificationChannel(Protocol):
    """Delivers a rendered notification to one user (email, Telegram, ...)."""

    name: str

    async def deliver(self, notification: RenderedNotification, config: Mapping[str, Any]) -> None:
        """Deliver or raise; the caller's job retries with backoff."""
        ...


class SearchQuery(msgspec.Struct, frozen=True, kw_only=True):
    """A task search, already limited to the projects the caller may see."""

    text: str | None = None
    project_ids: list[UUID] | None = None
    """None means every project (administrators)."""
    assignee_id: UUID | None = None
    deadline_from: datetime | None = None
    deadline_to: datetime | None = None
    limit: int = 50
    offset: int = 0


class SearchHit(msgspec.Struct, frozen=True):
    """One result: the task id and its relevance."""

    task_id: UUID
    score: float


@runtime_checkable
class SearchBackend(Protocol):
    """Full-text task search (PostgreSQL by default, Elasticsearch as a plugin)."""

    name: str

    async def index(self, task_id: UUID, document: Mapping[str, Any]) -> None:
        """Add or replace a task's document."""
        ...

    async def remove(self, task_id: UUID) -> None:
        """Remove a task from the index."""
        ...

    async def search(self, query: SearchQuery) -> list[SearchHit]:
        """Find tasks, best first."""
        ...


class ExternalIdentity(msgspec.Struct, frozen=True, kw_only=True):
    """A user as an identity provider describes them."""

    provider: str
    subject: str
    email: str | None = None
    name: str | None = None


@runtime_checkable
class IdentityProvider(Protocol):
    """Sign-in through another service (GitHub OAuth, ...)."""

    name: str

    def authorize_url(self, state: str, redirect_uri: str) -> str:
        """Where to send the browser to start signing in."""
        ...

    async def exchange(self, code: str, redirect_uri: str) -> ExternalIdentity:
        """Trade the callback's code for the identity."""
        ...
