"""The typed extension points a plugin can fill.

Each is a small Protocol: what the core calls. Per-project configuration (a
``project_integration`` row, decrypted) is passed into the calls made for one
project rather than kept on the shared plugin object.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

import msgspec

from workhub.kernel.intake import InboundEvent
from workhub.kernel.project_config import ProjectIntegration

__all__ = (
    "ExternalIdentity",
    "IdentityProvider",
    "IntakeSource",
    "NotificationChannel",
    "Recipient",
    "RenderedNotification",
    "SearchBackend",
    "SearchHit",
    "SearchQuery",
)


@runtime_checkable
class IntakeSource(Protocol):
    """Turns a request to ``POST /api/v1/projects/{id}/inbound/<name>`` into an inbound event.

    The core finds the project's configuration of the plugin that registered
    the source (404 when it is not enabled there), hands it in with the raw
    body and headers, stores what ``parse`` returns through intake and
    answers 202 (200 for a repeat). ``parse`` authenticates the sender
    against the configuration's secrets.
    """

    name: str

    async def parse(
        self, body: bytes, headers: Mapping[str, str], config: ProjectIntegration
    ) -> InboundEvent:
        """The event in ``body``; raise ``Unauthorized`` for a bad credential, ``ValidationFailed`` for bad input."""
        ...


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    """Who a notification goes to, read once per delivery."""

    user_id: UUID
    name: str
    email: str
    locale: str
    timezone: str


class RenderedNotification(msgspec.Struct, frozen=True, kw_only=True):
    """A notification in the recipient's language, ready for a channel."""

    user_id: UUID
    kind: str
    title: str
    body: str
    link: str | None = None
    locale: str = "en"
    project_id: UUID | None = None


@runtime_checkable
class NotificationChannel(Protocol):
    """Delivers a rendered notification to one user (email, Telegram, ...).

    A channel with its own addressing (a Telegram chat) keeps its link by
    ``recipient.user_id``; per-project settings, when it needs them, come
    from ``runtime.project_configs`` with ``notification.project_id``.
    """

    name: str

    async def deliver(self, recipient: Recipient, notification: RenderedNotification) -> None:
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
