"""Who is acting and on behalf of which request, carried through a call.

Services read the actor from here when they write audit records, so a route,
a background job and a CLI command all record who did what the same way.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal
from uuid import UUID

import msgspec

__all__ = ("Actor", "RequestContext", "acting_as", "current_context", "set_context")

ActorKind = Literal["user", "system", "integration"]


class Actor(msgspec.Struct, frozen=True):
    """The author of a change: a user, the system itself or an integration."""

    kind: ActorKind
    id: UUID | None = None
    name: str | None = None

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """The system actor (cron, CLI, migrations)."""
        return cls(kind="system", name=name)

    @classmethod
    def integration(cls, name: str) -> Actor:
        """An integration plugin acting on its own behalf."""
        return cls(kind="integration", name=name)


class RequestContext(msgspec.Struct, frozen=True):
    """The actor plus request metadata that audit records carry."""

    actor: Actor
    request_id: str | None = None
    ip: str | None = None
    locale: str = "en"


_DEFAULT = RequestContext(actor=Actor.system())
_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("workhub_context", default=_DEFAULT)


def current_context() -> RequestContext:
    """The context of the running request or job (system when none was set)."""
    return _current.get()


def set_context(ctx: RequestContext) -> contextvars.Token[RequestContext]:
    """Set the context for the rest of this task; returns a reset token."""
    return _current.set(ctx)


@contextmanager
def acting_as(actor: Actor, *, request_id: str | None = None, ip: str | None = None) -> Iterator[None]:
    """Run a block as ``actor`` (for jobs, CLI commands and tests)."""
    token = _current.set(RequestContext(actor=actor, request_id=request_id, ip=ip))
    try:
        yield
    finally:
        _current.reset(token)
