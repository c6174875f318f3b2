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
    "SearchResults",
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
    address: str | None = None
    """The user's address on this channel (a Telegram chat id), as its plugin recorded it with
    ``runtime.notifier.set_address``; None when it recorded none."""


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
    """A task search, already limited to the projects the caller may see.

    Filters combine with AND; a list filter matches any of its values. The
    core reads the hits back as live tasks of these projects, so a hit the
    backend holds on to after a deletion is dropped, not shown.
    """

    text: str | None = None
    """Words as a person types them (any language, word forms, a typo); None: filters alone, newest first."""
    project_ids: list[UUID] | None = None
    """None means every project (administrators); an empty list finds nothing."""
    assignee_ids: list[UUID] | None = None
    creator_ids: list[UUID] | None = None
    statuses: list[str] | None = None
    deadline_from: datetime | None = None
    """Deadline at or after this moment."""
    deadline_to: datetime | None = None
    """Deadline before this moment."""
    limit: int = 50
    offset: int = 0


class SearchHit(msgspec.Struct, frozen=True, kw_only=True):
    """One result: the task, its relevance, and where it matched."""

    task_id: UUID
    score: float
    highlight: str = ""
    """Text of the task, HTML-escaped, the matched words between ``<mark>`` and ``</mark>``."""


class SearchResults(msgspec.Struct, frozen=True, kw_only=True):
    """A page of hits, best first, and how many tasks match in all."""

    hits: list[SearchHit]
    total: int


@runtime_checkable
class SearchBackend(Protocol):
    """Full-text task search (PostgreSQL by default, Elasticsearch as a plugin)."""

    name: str

    async def index(self, task_id: UUID, document: Mapping[str, Any]) -> None:
        """Add or replace a task's document (the ``Task`` schema as JSON, with ``comments``: their bodies)."""
        ...

    async def remove(self, task_id: UUID) -> None:
        """Remove a task from the index."""
        ...

    async def search(self, query: SearchQuery) -> SearchResults:
        """One page of the tasks that match, best first, and their total."""
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
