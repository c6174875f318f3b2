from __future__ import annotations

from typing import Any, ClassVar
from uuid import uuid4

import msgspec
import pytest

from workhub.kernel.events import DomainEvent, decode_event, event_types
from workhub.kernel.intake import InboundEvent
from workhub.kernel.plugins import PluginError, Registry, Runtime, discover_plugins
from workhub.settings import Settings, load_prefixed


class GadgetMoved(DomainEvent, frozen=True, kw_only=True, tag="gadget.moved"):
    """A unit-test event."""

    entity_type: ClassVar[str] = "gadget"
    place: str


async def handler(event: Any, runtime: Runtime) -> None:
    return None


async def job(ctx: dict[str, Any]) -> None:
    return None


class Gadgets:
    """A small plugin registering one of each kind."""

    name = "gadgets"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        registry.subscribe("gadget.moved", "gadget.archived", handler=handler)  # tags as text: any handler
        registry.subscribe("*", handler=handler, name="everything", inline=True)
        registry.add_cron(job, "*/5 * * * *")
        registry.add_health_check("upstream", lambda runtime: handler(None, runtime))


def test_events_round_trip_through_their_stored_form() -> None:
    event = GadgetMoved(entity_id=uuid4(), place="shelf", changes={"place": ["box", "shelf"]})
    assert event.name == "gadget.moved"
    stored = msgspec.to_builtins(event)
    assert stored["event"] == "gadget.moved"
    assert decode_event("gadget.moved", stored) == event
    assert decode_event("gadget.moved", msgspec.json.encode(event)) == event
    assert event_types()["gadget.moved"] is GadgetMoved


def test_a_plugins_registrations_carry_its_name() -> None:
    registry = Registry()
    assert registry.install(Gadgets()) is True
    assert [s.name for s in registry.subscribers] == ["gadgets.handler", "gadgets.everything"]
    assert registry.subscribers[0].events == frozenset({"gadget.moved", "gadget.archived"})
    assert [s.name for s in registry.subscribers_for("gadget.moved")] == [
        "gadgets.handler",
        "gadgets.everything",
    ]
    assert [s.name for s in registry.subscribers_for("task.created")] == ["gadgets.everything"]
    assert registry.subscribers[1].inline is True
    assert "gadgets.job" in registry.jobs
    assert registry.crons == [(job, "*/5 * * * *")]
    assert [c.name for c in registry.health_checks] == ["gadgets.upstream"]
    assert registry.statuses[-1].enabled is True


def test_the_runtime_exists_only_once_bound() -> None:
    registry = Registry()
    with pytest.raises(RuntimeError, match="not started"):
        _ = registry.runtime
    registry.plugin_settings["gadgets"] = None
    runtime = Runtime(settings=Settings(), db=None, redis=None, queue=None)  # type: ignore[arg-type]
    registry.bind(runtime)
    assert registry.runtime is runtime
    assert runtime.plugin_settings == {"gadgets": None}
    assert "runtime" in registry.dependencies


def test_settings_are_read_and_converted_from_prefixed_variables() -> None:
    class Mail(msgspec.Struct):
        host: str
        port: int = 25
        tls: bool = False

    environ = {"WORKHUB_MAIL_HOST": "smtp.local", "WORKHUB_MAIL_PORT": "587", "WORKHUB_MAIL_TLS": "true"}
    assert load_prefixed(Mail, "WORKHUB_MAIL_", environ) == Mail(host="smtp.local", port=587, tls=True)
    assert load_prefixed(Mail, "WORKHUB_MAIL_", {"WORKHUB_MAIL_HOST": "h", "WORKHUB_MAIL_X": "1"}) == Mail(
        "h"
    )
    with pytest.raises(msgspec.ValidationError, match="host"):
        load_prefixed(Mail, "WORKHUB_MAIL_", {})


def test_the_allow_list_tolerates_spaces_and_empty_names() -> None:
    assert [p.name for p, named in discover_plugins([" example ", ""])] == ["example"]
    assert all(named for _, named in discover_plugins(["example"]))
    assert discover_plugins([""]) == []
    assert all(not named for _, named in discover_plugins(None))
    with pytest.raises(PluginError, match="not installed: ghost"):
        discover_plugins(["ghost"])


class Source:
    """A minimal intake source."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def parse(self, body: bytes, headers: Any, config: Any) -> InboundEvent:
        return InboundEvent(source=self.name, dedupe_key=body.decode())


def test_extensions_are_unique_by_name_and_must_fit_their_protocol() -> None:
    registry = Registry()
    registry.add_intake_source(Source("mail"))
    assert list(registry.intake_sources) == ["mail"]
    with pytest.raises(PluginError, match="'mail' already exists"):
        registry.add_intake_source(Source("mail"))
    with pytest.raises(PluginError, match="is not a NotificationChannel"):
        registry.add_notification_channel(Source("sms"))  # type: ignore[arg-type]  # no deliver()


def test_cli_commands_and_jobs_are_unique_by_name() -> None:
    import click

    @click.command("hello")
    def hello() -> None:
        return None

    @click.command("hello")
    def other_hello() -> None:
        return None

    registry = Registry()
    registry.add_cli_command(hello)
    with pytest.raises(PluginError, match="'hello' already exists"):
        registry.add_cli_command(other_hello)

    async def job_b(ctx: dict[str, Any]) -> None:
        return None

    assert registry.add_job(job, name="shared") == "shared"
    assert registry.add_job(job, name="shared") == "shared"  # the same function again is harmless
    with pytest.raises(PluginError, match="'shared' is already registered"):
        registry.add_job(job_b, name="shared")
