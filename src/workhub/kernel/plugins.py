"""The plugin API: :class:`WorkhubPlugin`, the typed :class:`Registry`, discovery.

Core modules and integration plugins register through the same registry, so
the API is exercised by the core itself. Plugins are distributions exposing
an entry point in the ``workhub.plugins`` group; ``WORKHUB_PLUGINS`` is an
allow-list. A plugin that fails to import, or that is explicitly enabled with
incomplete settings, stops start-up with a clear message; an installed plugin
with incomplete settings that was not asked for by name is reported (logs and
``/health/ready``) and left disabled.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload, runtime_checkable
from uuid import UUID

import msgspec

from workhub.kernel.events import DomainEvent, TransactionListener
from workhub.kernel.extensions import IdentityProvider, IntakeSource, NotificationChannel, SearchBackend
from workhub.kernel.guards import AccessResolver
from workhub.kernel.i18n import Catalog, use_catalog
from workhub.kernel.intake import Intake
from workhub.kernel.notifier import Notifier
from workhub.kernel.permissions import PermissionTable
from workhub.kernel.project_config import ProjectConfigs, ProjectSchema
from workhub.kernel.realtime import (
    PROJECT_ROOMS,
    Broadcast,
    Broadcaster,
    NullBroadcaster,
    RevokeFn,
    RoomKind,
    RoomRevocation,
    RoomsFn,
)
from workhub.settings import load_prefixed

if TYPE_CHECKING:
    import click
    from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
    from litestar.di import Provide
    from litestar.types import ControllerRouterHandler
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import AsyncSession

    from workhub.kernel.permissions import ProjectRole
    from workhub.kernel.queue import JobFunction, JobQueue
    from workhub.settings import Settings

__all__ = (
    "ENTRY_POINT_GROUP",
    "PLUGIN_API",
    "HealthCheck",
    "PluginError",
    "PluginStatus",
    "Registry",
    "Runtime",
    "SignupRoleSource",
    "Subscriber",
    "SystemRoleSource",
    "WorkhubPlugin",
    "discover_plugins",
)

PLUGIN_API = frozenset(
    {
        "add_routes",
        "add_dependency",
        "subscribe",
        "add_broadcast",
        "add_room_revocation",
        "add_job",
        "add_cron",
        "add_intake_source",
        "add_notification_channel",
        "add_identity_provider",
        "set_search_backend",
        "add_health_check",
        "add_cli_command",
        "add_messages",
        "add_access_scope",
        "add_permission_actions",
        "add_room_kind",
        "runtime",
    }
)
"""What a plugin's ``setup`` may use of the :class:`Registry` (the contract test holds plugins to it);
the other methods are the core's (they refuse a plugin) or the app's own."""

logger = logging.getLogger("workhub.plugins")
ENTRY_POINT_GROUP = "workhub.plugins"
PLUGIN_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
"""A plugin's name is part of URLs, job names and ``WORKHUB_<NAME>_*`` variables."""
ROOM_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED_DEPENDENCIES = frozenset({"settings", "registry", "runtime", "db_session", "db_engine"})
_MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")
_AT_FIELD = re.compile(r"at `\$\.([^`\[]+)")

SubscriberHandler = Callable[[Any, "Runtime"], Awaitable[None]]
"""A handler as the registry keeps it; :meth:`Registry.subscribe` checks it against its event classes."""
EventT = TypeVar("EventT", bound=DomainEvent)
SystemRoleSource = Callable[["AsyncSession", UUID], Awaitable[str | None]]
"""(session, user id) → the user's system role as stored now, or None for an unknown or inactive user."""
SignupRoleSource = Callable[["AsyncSession", str], Awaitable[str | None]]
"""(session, normalised email) → the system role someone signing up with it starts with, or None: no opinion."""
HealthCheckFn = Callable[["Runtime"], Awaitable[None]]


class PluginError(RuntimeError):
    """A plugin could not be loaded or configured; start-up stops."""


@runtime_checkable
class WorkhubPlugin(Protocol):
    """What a plugin object provides.

    ``settings`` is a msgspec Struct type read from ``WORKHUB_<NAME>_*`` (or
    None); ``setup`` receives the registry and the loaded settings. A plugin
    configured per project also names ``project_settings`` and/or
    ``project_secrets`` Structs (optional attributes; see
    :mod:`workhub.kernel.project_config`).
    """

    name: str
    settings: type[msgspec.Struct] | None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Register controllers, subscribers, jobs and the rest."""
        ...


class Runtime:
    """The live services a subscriber, job or health check works with.

    A plain class, not a dataclass, so Litestar treats it as an opaque
    dependency instead of trying to parse its fields from the request.
    """

    def __init__(self, settings: Settings, db: SQLAlchemyAsyncConfig, redis: Redis, queue: JobQueue) -> None:
        self.settings = settings
        self.db = db
        self.redis = redis
        self.queue = queue
        self.plugin_settings: dict[str, Any] = {}
        self.broadcaster: Broadcaster = NullBroadcaster()
        self.permissions = PermissionTable()
        """The registry's permission table (core and added actions), for handlers, jobs and subscribers."""
        self._notifier: Notifier | None = None
        self._intake: Intake | None = None
        self._project_configs: ProjectConfigs | None = None

    @property
    def notifier(self) -> Notifier:
        """How a module notifies a user (the notifications module provides it; see :mod:`workhub.kernel.notifier`)."""
        if self._notifier is None:
            raise RuntimeError("no module provides notifications")
        return self._notifier

    @property
    def intake(self) -> Intake:
        """Hand over inbound events and act on tasks as a user (see :mod:`workhub.kernel.intake`)."""
        if self._intake is None:
            raise RuntimeError("no module provides intake")
        return self._intake

    @property
    def project_configs(self) -> ProjectConfigs:
        """Per-project plugin settings and decrypted secrets (see :mod:`workhub.kernel.project_config`)."""
        if self._project_configs is None:
            raise RuntimeError("no module provides per-project configuration")
        return self._project_configs


@dataclass(frozen=True)
class Subscriber:
    """A handler for domain events; ``inline`` ones run in the relay itself."""

    name: str
    events: frozenset[str]
    handler: SubscriberHandler
    inline: bool = False

    def wants(self, event: str) -> bool:
        """True when this subscriber takes ``event``."""
        return "*" in self.events or event in self.events


@dataclass(frozen=True)
class HealthCheck:
    """A named readiness check; it raises when its part is not ready."""

    name: str
    check: HealthCheckFn


@dataclass(frozen=True)
class PluginStatus:
    """How a plugin came out of loading, for start-up logs and ``/health/ready``."""

    name: str
    enabled: bool
    core: bool
    reason: str | None = None


@dataclass
class Registry:
    """Everything the core and plugins contributed; the app is built from it."""

    route_handlers: list[ControllerRouterHandler] = field(default_factory=list)
    plugin_routes: dict[str, list[ControllerRouterHandler]] = field(default_factory=dict)
    dependencies: dict[str, Provide] = field(default_factory=dict)
    subscribers: list[Subscriber] = field(default_factory=list)
    broadcasts: list[Broadcast] = field(default_factory=list)
    room_revocations: list[RoomRevocation] = field(default_factory=list)
    transaction_listeners: list[TransactionListener] = field(default_factory=list)
    jobs: dict[str, JobFunction] = field(default_factory=dict)
    crons: list[tuple[JobFunction, str]] = field(default_factory=list)
    intake_sources: dict[str, IntakeSource] = field(default_factory=dict)
    notification_channels: dict[str, NotificationChannel] = field(default_factory=dict)
    identity_providers: dict[str, IdentityProvider] = field(default_factory=dict)
    search_backend: SearchBackend | None = None
    intake_source_owners: dict[str, str] = field(default_factory=dict)
    """Intake source → the plugin that registered it (whose per-project configuration it reads)."""
    intake: Intake | None = None
    project_configs: ProjectConfigs | None = None
    project_schemas: dict[str, ProjectSchema] = field(default_factory=dict)
    notifier: Notifier | None = None
    system_role_source: SystemRoleSource | None = None
    signup_role_source: SignupRoleSource | None = None
    health_checks: list[HealthCheck] = field(default_factory=list)
    access_scopes: dict[str, AccessResolver] = field(default_factory=dict)
    permissions: PermissionTable = field(default_factory=PermissionTable)
    """The core actions and those modules and plugins added (:meth:`add_permission_actions`)."""
    room_kinds: dict[str, RoomKind] = field(default_factory=lambda: {"project": PROJECT_ROOMS})
    """Socket.IO room kinds clients may subscribe to (:meth:`add_room_kind`)."""
    messages: Catalog = field(default_factory=Catalog)
    """The texts of the kernel, the modules and the plugins (:meth:`add_messages`), for ``translate``."""
    cli_commands: list[click.Command] = field(default_factory=list)
    statuses: list[PluginStatus] = field(default_factory=list)
    plugin_settings: dict[str, Any] = field(default_factory=dict)
    _runtime: Runtime | None = None
    _owner: str = "core"
    _core: bool = True
    _dependency_owners: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from litestar.di import Provide

        self.dependencies["runtime"] = Provide(lambda: self.runtime, sync_to_thread=False)

    # --- loading ---------------------------------------------------------

    def install(self, plugin: WorkhubPlugin, *, core: bool = False, required: bool = True) -> bool:
        """Load ``plugin``'s settings and run its ``setup``.

        Returns False (and records why) when settings are missing and the
        plugin was not ``required``; raises :class:`PluginError` for a
        required plugin with missing settings, for a setting with a wrong
        value, a bad or repeated name, or a failing ``setup``.
        """
        name = getattr(plugin, "name", None)
        if not isinstance(name, str) or not PLUGIN_NAME.match(name):
            raise PluginError(
                f"plugin name {name!r} must be lower-case letters, digits, '_' or '-' (40 at most)"
            )
        if any(s.name == name and s.enabled for s in self.statuses):
            raise PluginError(f"two plugins are called {name!r}; names must be unique")
        settings: Any = None
        if plugin.settings is not None:
            prefix = f"WORKHUB_{name.upper().replace('-', '_')}_"
            try:
                settings = load_prefixed(plugin.settings, prefix)
            except msgspec.ValidationError as exc:
                missing = _MISSING_FIELD.search(str(exc))
                if missing is None:
                    at = _AT_FIELD.search(str(exc))
                    where = f"{prefix}{at.group(1).upper()}" if at else f"{prefix}*"
                    raise PluginError(f"plugin {name!r}: {where} is not valid: {exc}") from exc
                reason = f"incomplete settings: {prefix}{missing.group(1).upper()} is not set"
                if required:
                    raise PluginError(f"plugin {name!r} cannot start: {reason}") from exc
                logger.warning("plugin %s is disabled: %s", name, reason)
                self.statuses.append(PluginStatus(name, enabled=False, core=core, reason=reason))
                return False
        self._owner, self._core = name, core
        try:
            plugin.setup(self, settings)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(f"plugin {name!r} failed in setup(): {type(exc).__name__}: {exc}") from exc
        finally:
            self._owner, self._core = "core", True
        self.plugin_settings[name] = settings
        schema = ProjectSchema(
            getattr(plugin, "project_settings", None), getattr(plugin, "project_secrets", None)
        )
        if schema.settings is not None or schema.secrets is not None:
            self.project_schemas[name] = schema
        self.statuses.append(PluginStatus(name, enabled=True, core=core))
        return True

    # --- what plugins register -------------------------------------------

    def add_routes(self, *handlers: ControllerRouterHandler) -> None:
        """Add controllers; a plugin's are mounted under ``/api/v1/integrations/<name>``."""
        if self._core:
            self.route_handlers.extend(handlers)
        else:
            self.plugin_routes.setdefault(self._owner, []).extend(handlers)

    def add_dependency(self, key: str, provider: Provide) -> None:
        """Make ``key`` injectable into every route; a key belongs to one owner.

        ``runtime`` (the live :class:`Runtime`) is always provided; prefix your
        own keys with the plugin's name (``example_settings``).
        """
        owner = self._dependency_owners.get(key, "the core" if key in RESERVED_DEPENDENCIES else None)
        if owner is not None:
            raise PluginError(f"{self._owner}: the dependency {key!r} is already provided by {owner}")
        self._dependency_owners[key] = self._owner
        self.dependencies[key] = provider

    @overload
    def subscribe(
        self,
        *events: type[EventT],
        handler: Callable[[EventT, Runtime], Awaitable[None]],
        name: str | None = None,
        inline: bool = False,
    ) -> None: ...

    @overload
    def subscribe(
        self, *events: str, handler: SubscriberHandler, name: str | None = None, inline: bool = False
    ) -> None: ...

    def subscribe(
        self,
        *events: type[DomainEvent] | str,
        handler: Callable[[Any, Runtime], Awaitable[None]],
        name: str | None = None,
        inline: bool = False,
    ) -> None:
        """Call ``handler(event, runtime)`` for each of ``events`` after commit.

        Handlers run as SAQ jobs with retries unless ``inline`` (cheap,
        best-effort work such as realtime pushes). They must be idempotent:
        delivery is at least once. Given event classes, the handler is typed
        by them: one that takes ``TaskCreated`` cannot be subscribed to
        ``TaskUpdated`` too (pyright says so); tags as text (``"*"``) take any.
        """
        tags = frozenset(e if isinstance(e, str) else str(e.__struct_config__.tag) for e in events)
        full = f"{self._owner}.{name or getattr(handler, '__name__', 'handler')}"
        if self.subscriber(full) is not None:
            raise PluginError(f"subscriber {full!r} registered twice")
        self.subscribers.append(Subscriber(full, tags, handler, inline))

    def add_broadcast(self, event: type[DomainEvent] | str, rooms: RoomsFn) -> None:
        """Push ``event`` to the Socket.IO rooms ``rooms(event)`` returns, after commit.

        The payload is the event itself (it carries the Struct the REST API
        returns); the Socket.IO event name is the event's tag (``task.updated``).
        """
        tag = event if isinstance(event, str) else str(event.__struct_config__.tag)
        self.broadcasts.append(Broadcast(tag, rooms))

    def add_room_revocation(self, event: type[DomainEvent] | str, revoke: RevokeFn) -> None:
        """After ``event``, the user ``revoke(event)`` names leaves the rooms it lost (all processes).

        ``revoke`` returns a :class:`~workhub.kernel.realtime.Revocation`
        (user, and a project and/or room names) or None; see docs/realtime.md.
        """
        tag = event if isinstance(event, str) else str(event.__struct_config__.tag)
        self.room_revocations.append(RoomRevocation(tag, revoke))

    def add_transaction_listener(self, listener: TransactionListener) -> None:
        """Run ``listener(session, event)`` inside every publishing transaction (core only)."""
        if not self._core:
            raise PluginError("only core modules may listen inside the transaction")
        self.transaction_listeners.append(listener)

    def add_job(self, function: JobFunction, *, name: str | None = None) -> str:
        """Register a SAQ job function; returns the name to enqueue it by (``<plugin>.<function>``)."""
        job_name = name or f"{self._owner}.{function.__name__}"
        if job_name in self.jobs and self.jobs[job_name] is not function:
            raise PluginError(f"{self._owner}: a job called {job_name!r} is already registered")
        self.jobs[job_name] = function
        return job_name

    def add_cron(self, function: JobFunction, cron: str) -> None:
        """Run ``function`` on a cron schedule, once per tick across all workers."""
        self.add_job(function)
        self.crons.append((function, cron))

    def add_intake_source(self, source: IntakeSource) -> None:
        """Offer a source of inbound events at ``POST /api/v1/projects/{id}/inbound/<name>``.

        It works in the projects where this plugin is enabled (per-project
        configuration), and its ``parse`` is handed that configuration.
        """
        self._add_named(self.intake_sources, source, IntakeSource, "intake source")
        self.intake_source_owners[source.name] = self._owner

    def add_notification_channel(self, channel: NotificationChannel) -> None:
        """Offer a channel notifications can be delivered through."""
        self._add_named(self.notification_channels, channel, NotificationChannel, "notification channel")

    def add_identity_provider(self, provider: IdentityProvider) -> None:
        """Offer a way to sign in."""
        self._add_named(self.identity_providers, provider, IdentityProvider, "identity provider")

    def _add_named(self, into: dict[str, Any], item: Any, protocol: type, kind: str) -> None:
        """Add an extension by its ``name``, refusing a second one of that name or a wrong shape."""
        if not isinstance(item, protocol):
            raise PluginError(f"{self._owner}: {item!r} is not a {protocol.__name__}")
        if item.name in into:
            raise PluginError(f"{self._owner}: an {kind} called {item.name!r} already exists")
        into[item.name] = item

    def set_intake(self, intake: Intake) -> None:
        """Provide the intake calls plugins use (the intake module; core only)."""
        if not self._core:
            raise PluginError("only core modules may provide intake")
        self.intake = intake

    def set_project_configs(self, configs: ProjectConfigs) -> None:
        """Provide per-project plugin configuration (the integrations module; core only)."""
        if not self._core:
            raise PluginError("only core modules may provide per-project configuration")
        self.project_configs = configs

    def set_search_backend(self, backend: SearchBackend) -> None:
        """Replace the search backend (the last one set wins)."""
        self.search_backend = backend

    def set_notifier(self, notifier: Notifier) -> None:
        """Say how modules notify users (the notifications module; core only)."""
        if not self._core:
            raise PluginError("only core modules may provide notifications")
        self.notifier = notifier

    def set_system_role_source(self, source: SystemRoleSource) -> None:
        """Say where a user's current system role is read (the accounts module; core only)."""
        if not self._core:
            raise PluginError("only core modules may provide system roles")
        self.system_role_source = source

    async def system_role(self, session: AsyncSession, user_id: UUID) -> str | None:
        """The user's system role as stored now (None: unknown or inactive), for decisions a token must not make alone."""
        if self.system_role_source is None:
            raise RuntimeError("no module provides system roles")
        return await self.system_role_source(session, user_id)

    def set_signup_role_source(self, source: SignupRoleSource) -> None:
        """Say which system role a new account starts with (the projects module: invited people; core only)."""
        if not self._core:
            raise PluginError("only core modules may choose the roles of new accounts")
        self.signup_role_source = source

    async def signup_role(self, session: AsyncSession, email: str) -> str | None:
        """The system role someone signing up with ``email`` starts with, if a module decides it."""
        if self.signup_role_source is None:
            return None
        return await self.signup_role_source(session, email)

    def add_health_check(self, name: str, check: HealthCheckFn) -> None:
        """Add a readiness check reported by ``/health/ready``."""
        self.health_checks.append(HealthCheck(f"{self._owner}.{name}" if not self._core else name, check))

    def add_access_scope(self, scope: str, resolver: AccessResolver) -> None:
        """Teach the permission guards how to find the project of a ``scope`` object."""
        if scope in self.access_scopes:
            raise PluginError(f"{self._owner}: the access scope {scope!r} already exists")
        self.access_scopes[scope] = resolver

    def add_permission_actions(self, actions: Mapping[str, Iterable[ProjectRole]]) -> None:
        """Add project actions, each with the project roles that may do it (``{"example.greet": ["owner"]}``).

        A plugin's action names start with its own name (``example.``); a name
        is registered once. Check them with ``runtime.permissions.allowed``
        (room kinds do): the core :class:`~workhub.kernel.permissions.Action`
        rows and the added ones are one table.
        """
        for action, roles in actions.items():
            if not self._core and not action.startswith(f"{self._owner}."):
                raise PluginError(f"{self._owner}: the action {action!r} must start with '{self._owner}.'")
            try:
                self.permissions.add(action, roles)
            except ValueError as exc:
                raise PluginError(f"{self._owner}: {exc}") from exc

    def add_room_kind(self, kind: str, access_scope: str, action: str, *, admin_reads: bool = False) -> None:
        """Let clients subscribe to ``<kind>:<id>`` rooms when ``action`` is allowed on what ``access_scope`` resolves.

        ``admin_reads``: a system administrator who is not a member may join
        too (for rooms of what they may read over REST). ``action`` is a core
        one or one added before with :meth:`add_permission_actions`.
        """
        if not ROOM_KIND.match(kind) or kind == "user" or kind in self.room_kinds:
            raise PluginError(f"{self._owner}: the room kind {kind!r} is taken or not a lower-case name")
        if not self.permissions.knows(action):
            raise PluginError(f"{self._owner}: the room kind {kind!r} needs the unknown action {action!r}")
        self.room_kinds[kind] = RoomKind(access_scope, action, admin_reads)

    def add_cli_command(self, command: click.Command) -> None:
        """Add a ``workhub`` sub-command."""
        if any(c.name == command.name for c in self.cli_commands):
            raise PluginError(f"{self._owner}: a command called {command.name!r} already exists")
        self.cli_commands.append(command)

    def add_messages(self, directory: Path) -> None:
        """Add Russian and English texts: the gettext catalogs ``<directory>/ru.po`` and ``en.po``."""
        try:
            self.messages.add(directory)
        except OSError as exc:
            raise PluginError(f"{self._owner}: its texts cannot be read from {directory}: {exc}") from exc

    # --- what the core reads ---------------------------------------------

    def subscriber(self, name: str) -> Subscriber | None:
        """The subscriber called ``name``, if any."""
        return next((s for s in self.subscribers if s.name == name), None)

    def subscribers_for(self, event: str) -> list[Subscriber]:
        """Subscribers that take ``event``, in registration order (core first)."""
        return [s for s in self.subscribers if s.wants(event)]

    @property
    def runtime(self) -> Runtime:
        """The live services, once the app has started."""
        if self._runtime is None:
            raise RuntimeError("the runtime is not started")
        return self._runtime

    def bind(self, runtime: Runtime) -> None:
        """Attach the live services (at start-up), and translate with this registry's texts from here on."""
        use_catalog(self.messages)
        runtime.plugin_settings = self.plugin_settings
        runtime.permissions = self.permissions
        runtime._notifier = self.notifier
        runtime._intake = self.intake
        runtime._project_configs = self.project_configs
        self._runtime = runtime


def discover_plugins(allow: Iterable[str] | None) -> list[tuple[WorkhubPlugin, bool]]:
    """Installed plugins from entry points, with whether each was asked for by name.

    With an allow-list only those are loaded, and a name with no installed
    plugin is an error; without one, every installed plugin is offered.
    """
    wanted = {name.strip() for name in allow or [] if name.strip()} if allow is not None else None
    found: dict[str, WorkhubPlugin] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if wanted is not None and ep.name not in wanted:
            continue
        try:
            obj = ep.load()
        except Exception as exc:
            raise PluginError(f"plugin {ep.name!r} could not be imported: {exc}") from exc
        if not isinstance(obj, WorkhubPlugin):
            raise PluginError(f"entry point {ep.name!r} is not a WorkhubPlugin (got {type(obj).__name__})")
        found[ep.name] = obj
    if wanted is not None:
        missing = wanted - found.keys()
        if missing:
            raise PluginError(
                f"WORKHUB_PLUGINS names plugins that are not installed: {', '.join(sorted(missing))}"
            )
    return [(plugin, wanted is not None) for plugin in found.values()]
