"""Intake in the kernel's API: how a plugin hands over an inbound event and acts on tasks.

A plugin may not import the tasks module's services, so everything a source
needs goes through :class:`Intake`, which the core ``intake`` module provides
at start-up (``runtime.intake``). An event is stored before anything else
happens, ``(source, dedupe_key)`` is unique (a repeated delivery answers
like the first and creates nothing), and processing runs in the worker after
commit. Tasks made or changed through it are checked by the permission table
for the user it acts as and audited like any change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Protocol, runtime_checkable
from uuid import UUID

import msgspec

__all__ = (
    "InboundEvent",
    "InboundReceipt",
    "InboundStatus",
    "Intake",
    "Sender",
    "TaskChange",
    "TaskDraft",
    "TaskRef",
)

InboundStatus = Literal["accepted", "processed", "ignored", "failed"]
"""``accepted`` until the worker has dealt with it; then the task was made (``processed``), nothing
was to be done (``ignored``), or it could not become a task (``failed``, with a reason)."""


class Sender(msgspec.Struct, frozen=True, kw_only=True):
    """Who sent an event, as the source knows them."""

    user_id: UUID | None = None
    """The WorkHub user behind the sender, when the source has linked them (a Telegram account, a verified email)."""
    address: str | None = None
    """The sender's id at the source: an email address, a Telegram user id, a webhook endpoint's name."""
    name: str | None = None


class InboundEvent(msgspec.Struct, frozen=True, kw_only=True):
    """Input from a source, normalised; stored before anything else happens.

    ``fields`` holds what the source could read as task fields (``title``,
    ``description``, ``deadline``, ``priority``, ``labels``, ``assignee_email``);
    ``text`` is the free text a person typed; ``payload`` the raw input, kept
    for rules and for the record. ``project_id`` is the project of the
    endpoint it came to, and ``acting_user_id`` the user whose rights the task
    is made with (the linked sender, or the owner who set the source up).
    """

    source: Annotated[str, msgspec.Meta(min_length=1, max_length=20, pattern=r"^[a-z][a-z0-9_-]*$")]
    dedupe_key: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    sender: Sender = Sender()
    text: str = ""
    fields: dict[str, Any] = {}
    payload: dict[str, Any] = {}
    project_id: UUID | None = None
    acting_user_id: UUID | None = None


class InboundReceipt(msgspec.Struct, frozen=True, kw_only=True):
    """What a source answers its sender: the stored event's id and where it stands."""

    id: UUID
    status: InboundStatus
    created: bool
    """False for a repeated delivery (the first one's receipt)."""
    task_id: UUID | None = None
    received_at: datetime


class TaskDraft(msgspec.Struct, frozen=True, kw_only=True):
    """A task to create through intake; the same bounds as the REST API apply."""

    title: str
    description: str = ""
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    labels: list[str] = []
    assignee_id: UUID | None = None
    deadline: datetime | None = None


class TaskChange(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A change to a task through intake: absent fields stay, ``None`` clears assignee or deadline."""

    title: str | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    status: Literal["todo", "in_progress", "done", "cancelled"] | msgspec.UnsetType = msgspec.UNSET
    priority: Literal["low", "normal", "high", "urgent"] | msgspec.UnsetType = msgspec.UNSET
    labels: list[str] | msgspec.UnsetType = msgspec.UNSET
    assignee_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    deadline: datetime | msgspec.UnsetType | None = msgspec.UNSET


class TaskRef(msgspec.Struct, frozen=True, kw_only=True):
    """A task made or changed through intake: enough to answer the sender with its number and a link."""

    id: UUID
    key: str
    project_id: UUID
    title: str
    status: str
    version: int


@runtime_checkable
class Intake(Protocol):
    """The kernel's intake calls; errors are the kernel's (``NotFound``, ``Forbidden``, ``ValidationFailed``)."""

    async def accept(self, event: InboundEvent) -> InboundReceipt:
        """Store ``event`` (or find the earlier delivery of it) and queue its processing."""
        ...

    async def receipt(self, event_id: UUID) -> InboundReceipt | None:
        """Where a stored event stands now."""
        ...

    async def create_task(
        self,
        *,
        acting_user_id: UUID,
        project_id: UUID,
        draft: TaskDraft,
        source: str,
        source_ref: str | None = None,
    ) -> TaskRef:
        """Create a task as ``acting_user_id`` (who must be allowed to), recorded as coming from ``source``."""
        ...

    async def update_task(self, *, acting_user_id: UUID, task_id: UUID, change: TaskChange) -> TaskRef:
        """Change a task as ``acting_user_id`` (who must be allowed to)."""
        ...
