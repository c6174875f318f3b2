"""Loading plugins: discovery, the WORKHUB_PLUGINS allow-list, failures that stop start-up, mounting."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
import pytest
from litestar import get

from tests.integration.kernel.conftest import DiscoveredClient, InstallPlugins
from tests.integration.kernel.probe import Probe, record
from workhub.app import create_app
from workhub.kernel.plugins import PluginError, Registry, discover_plugins
from workhub.settings import Settings

PROBE = {"probe": "tests.integration.kernel.probe:plugin"}


def start(settings: Settings, **overrides: Any) -> None:
    """Build the app the way `workhub run` does: discovering installed plugins."""
    create_app(msgspec.structs.replace(settings, **overrides), plugins=None)


async def test_installed_plugins_are_discovered_through_entry_points(
    install_plugins: InstallPlugins, discovered_client: DiscoveredClient
) -> None:
    install_plugins(PROBE)
    found = {plugin.name for plugin, _ in discover_plugins(None)}
    assert {"probe", "example"} <= found
    client = await discovered_client(plugins=None)
    assert (await client.get("/api/v1/integrations/probe/sleep?seconds=0")).status_code == 200
    assert (await client.get("/api/v1/integrations/example/hello")).status_code == 200


async def test_the_allow_list_loads_only_the_named_plugins(
    install_plugins: InstallPlugins, discovered_client: DiscoveredClient
) -> None:
    install_plugins(PROBE)
    client = await discovered_client(plugins="probe")
    assert (await client.get("/api/v1/integrations/probe/sleep?seconds=0")).status_code == 200
    assert (await client.get("/api/v1/integrations/example/hello")).status_code == 404
    ready = (await client.get("/health/ready")).json()
    assert ready["plugins"] == {"probe": "enabled"}


async def test_an_empty_allow_list_loads_no_plugin(
    install_plugins: InstallPlugins, discovered_client: DiscoveredClient
) -> None:
    install_plugins(PROBE)
    client = await discovered_client(plugins="")
    assert (await client.get("/api/v1/integrations/example/hello")).status_code == 404
    assert (await client.get("/health/ready")).json()["plugins"] == {}


def test_an_unknown_name_in_the_allow_list_stops_start_up(settings: Settings) -> None:
    with pytest.raises(PluginError, match="not installed: nosuchplugin"):
        start(settings, plugins="example, nosuchplugin")


def test_a_named_plugin_with_incomplete_settings_stops_start_up(
    settings: Settings, install_plugins: InstallPlugins, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKHUB_NEEDS_TOKEN_TOKEN", raising=False)
    install_plugins({"needs_token": "tests.integration.kernel.probe:needs_token"})
    with pytest.raises(PluginError) as failure:
        start(settings, plugins="needs_token")
    assert str(failure.value) == (
        "plugin 'needs_token' cannot start: incomplete settings: WORKHUB_NEEDS_TOKEN_TOKEN is not set"
    )


async def test_a_named_plugin_with_its_settings_set_loads(
    install_plugins: InstallPlugins, discovered_client: DiscoveredClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKHUB_NEEDS_TOKEN_TOKEN", "s3cret")
    install_plugins({"needs_token": "tests.integration.kernel.probe:needs_token"})
    client = await discovered_client(plugins="needs_token")
    assert (await client.get("/health/ready")).json()["plugins"] == {"needs_token": "enabled"}
    assert client.app.state.registry.plugin_settings["needs_token"].token == "s3cret"


async def test_an_unnamed_plugin_with_incomplete_settings_is_reported_and_disabled(
    install_plugins: InstallPlugins,
    discovered_client: DiscoveredClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.delenv("WORKHUB_NEEDS_TOKEN_TOKEN", raising=False)
    install_plugins({"needs_token": "tests.integration.kernel.probe:needs_token"})
    with caplog.at_level(logging.WARNING, logger="workhub"):
        client = await discovered_client(plugins=None)
    assert "needs_token" in caplog.text
    assert "WORKHUB_NEEDS_TOKEN_TOKEN" in caplog.text
    statuses = {s.name: s for s in client.app.state.registry.statuses}
    assert statuses["needs_token"].enabled is False
    assert statuses["example"].enabled is True


def test_a_setting_with_a_wrong_value_stops_start_up_even_unnamed(
    settings: Settings, install_plugins: InstallPlugins, monkeypatch: pytest.MonkeyPatch
) -> None:
    class PortSettings(msgspec.Struct):
        port: int = 25

    class Mailer(Probe):
        name = "mailer"
        settings: type[msgspec.Struct] | None = PortSettings

    monkeypatch.setenv("WORKHUB_MAILER_PORT", "twenty-five")
    with pytest.raises(PluginError, match="WORKHUB_MAILER_PORT is not valid"):
        Registry().install(Mailer(), required=False)


def test_a_plugin_that_fails_to_import_stops_start_up(
    settings: Settings, install_plugins: InstallPlugins
) -> None:
    install_plugins({"broken": "workhub_broken_nowhere:plugin"})
    with pytest.raises(PluginError, match="plugin 'broken' could not be imported: No module named"):
        start(settings, plugins=None)


def test_an_entry_point_that_is_not_a_plugin_stops_start_up(
    settings: Settings, install_plugins: InstallPlugins
) -> None:
    install_plugins({"odd": "tests.integration.kernel.probe:NOT_A_PLUGIN"})
    with pytest.raises(PluginError, match="'odd' is not a WorkhubPlugin"):
        start(settings, plugins=None)


def test_a_plugin_failing_in_setup_stops_start_up(settings: Settings) -> None:
    class Faulty(Probe):
        name = "faulty"

        def setup(self, registry: Registry, settings: Any) -> None:
            raise KeyError("missing table")

    with pytest.raises(PluginError, match="plugin 'faulty' failed in setup"):
        create_app(settings, plugins=[Faulty()])


async def test_plugin_routes_mount_under_their_integrations_prefix(make_client: Any) -> None:
    client = await make_client(plugins=[Probe()])
    assert (await client.get("/api/v1/integrations/probe/sleep?seconds=0")).status_code == 200
    # Only under the prefix: the same path at the API's root is an unknown API path.
    assert (await client.get("/api/v1/sleep?seconds=0")).status_code == 404
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert {p for p in paths if "probe" in p} == {
        "/api/v1/integrations/probe/boom",
        "/api/v1/integrations/probe/wait",
        "/api/v1/integrations/probe/sleep",
    }


def test_subscriber_names_are_unique() -> None:
    class Twice(Probe):
        name = "twice"

        def setup(self, registry: Registry, settings: Any) -> None:
            registry.subscribe("project.created", handler=record)
            registry.subscribe("project.updated", handler=record)

    with pytest.raises(PluginError, match=r"subscriber 'twice\.record' registered twice"):
        Registry().install(Twice())


def test_subscribers_are_namespaced_by_their_plugin() -> None:
    class Other(Probe):
        name = "other"

        def setup(self, registry: Registry, settings: Any) -> None:
            registry.subscribe("project.created", handler=record)

    registry = Registry()
    registry.install(Probe())
    registry.install(Other())
    assert {s.name for s in registry.subscribers} == {"probe.record", "other.record"}


def test_plugin_names_are_unique_and_cannot_take_a_core_modules_name(settings: Settings) -> None:
    with pytest.raises(PluginError, match="two plugins are called 'probe'"):
        create_app(settings, plugins=[Probe(), Probe()])

    class Impostor(Probe):
        name = "projects"

    with pytest.raises(PluginError, match="two plugins are called 'projects'"):
        create_app(settings, plugins=[Impostor()])


@pytest.mark.parametrize("name", ["Telegram", "my plugin", "x" * 41, "", "1st"])
def test_a_plugin_name_must_be_a_slug(name: str) -> None:
    class Badly(Probe):
        pass

    badly = Badly()
    badly.name = name
    with pytest.raises(PluginError, match="must be lower-case"):
        Registry().install(badly)


def test_a_dependency_key_has_one_owner() -> None:
    from litestar.di import Provide

    class Greedy(Probe):
        name = "greedy"

        def setup(self, registry: Registry, settings: Any) -> None:
            registry.add_dependency("probe", Provide(lambda: None, sync_to_thread=False))

    registry = Registry()
    registry.install(Probe())
    with pytest.raises(PluginError, match="'probe' is already provided by probe"):
        registry.install(Greedy())

    class Sneaky(Probe):
        name = "sneaky"

        def setup(self, registry: Registry, settings: Any) -> None:
            registry.add_dependency("settings", Provide(lambda: None, sync_to_thread=False))

    with pytest.raises(PluginError, match="'settings' is already provided by the core"):
        Registry().install(Sneaky())


def test_plugins_may_not_listen_inside_transactions() -> None:
    class Listener(Probe):
        name = "listener"

        def setup(self, registry: Registry, settings: Any) -> None:
            async def spy(session: Any, events: Any) -> None:
                return None

            registry.add_transaction_listener(spy)

    with pytest.raises(PluginError, match="only core modules"):
        Registry().install(Listener())


async def test_core_routes_stay_where_they_are_when_a_plugin_adds_its_own(make_client: Any) -> None:
    @get("/ping", opt={"public": True}, sync_to_thread=False)
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    class Pinger(Probe):
        name = "pinger"

        def setup(self, registry: Registry, settings: Any) -> None:
            registry.add_routes(ping)

    client = await make_client(plugins=[Pinger()])
    assert (await client.get("/api/v1/integrations/pinger/ping")).json() == {"pong": "yes"}
    assert (await client.get("/health/live")).status_code == 200
