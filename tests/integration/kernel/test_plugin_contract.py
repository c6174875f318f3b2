"""The contract every installed plugin keeps (runs over each ``workhub.plugins`` entry point).

A plugin is a :class:`WorkhubPlugin` with a slug name equal to its entry
point's, a msgspec settings Struct or None, and a ``setup`` that registers
through the public registry methods only, everything attributed to itself;
what its package may import is import-linter's one rule for modules and
plugins alike (``tools/importrules.py``, run by ``make lint``).
"""

from __future__ import annotations

import os
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import msgspec
import pytest

from workhub.kernel.plugins import ENTRY_POINT_GROUP, PLUGIN_API, PLUGIN_NAME, Registry, WorkhubPlugin
from workhub.settings import load_prefixed

INSTALLED = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


class GuardedRegistry:
    """Lets ``setup`` use the public registration methods and nothing else."""

    def __init__(self, inner: Registry) -> None:
        object.__setattr__(self, "_inner", inner)

    def __getattr__(self, name: str) -> Any:
        if name not in PLUGIN_API:
            raise AssertionError(f"setup() reached into the registry's internals: {name}")
        return getattr(object.__getattribute__(self, "_inner"), name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AssertionError(f"setup() assigned registry.{name}")


def test_at_least_the_example_plugin_is_installed() -> None:
    assert "example" in {ep.name for ep in INSTALLED}


@pytest.mark.parametrize("ep", INSTALLED, ids=[ep.name for ep in INSTALLED])
def test_the_plugin_object(ep: EntryPoint) -> None:
    plugin = ep.load()
    assert isinstance(plugin, WorkhubPlugin)
    assert plugin.name == ep.name
    assert PLUGIN_NAME.match(plugin.name)
    assert plugin.settings is None or (
        isinstance(plugin.settings, type) and issubclass(plugin.settings, msgspec.Struct)
    )
    assert plugin.__doc__ or type(plugin).__doc__, "describe the plugin in its class docstring"


@pytest.mark.parametrize("ep", INSTALLED, ids=[ep.name for ep in INSTALLED])
def test_setup_registers_through_the_public_api_only(ep: EntryPoint) -> None:
    plugin: WorkhubPlugin = ep.load()
    prefix = f"WORKHUB_{plugin.name.upper().replace('-', '_')}_"
    environ = {k: v for k, v in os.environ.items() if k.startswith(prefix)}
    settings: Any = None
    if plugin.settings is not None:
        try:
            settings = load_prefixed(plugin.settings, prefix, environ)
        except msgspec.ValidationError:
            # Incomplete here: the plugin must then be reported, not crash, when not asked for.
            registry = Registry()
            assert registry.install(plugin, required=False) is False
            assert registry.statuses[-1].reason and prefix in registry.statuses[-1].reason
            return
    registry = Registry()
    registry._owner, registry._core = plugin.name, False  # what Registry.install does around setup()
    before = set(registry.dependencies)
    plugin.setup(GuardedRegistry(registry), settings)  # type: ignore[arg-type]
    assert registry.route_handlers == [], "plugin routes must go under /api/v1/integrations/<name>"
    assert set(registry.plugin_routes) <= {plugin.name}
    assert all(s.name.startswith(f"{plugin.name}.") for s in registry.subscribers)
    assert all(c.name.startswith(f"{plugin.name}.") for c in registry.health_checks)
    assert all(job.startswith(f"{plugin.name}.") for job in registry.jobs), (
        "job names start with the plugin's"
    )
    assert registry.transaction_listeners == []
    assert all(scope.startswith(f"{plugin.name}_") for scope in registry.access_scopes)
    new_keys = set(registry.dependencies) - before
    assert all(key.startswith(f"{plugin.name}_") for key in new_keys), new_keys


@pytest.mark.parametrize("ep", INSTALLED, ids=[ep.name for ep in INSTALLED])
def test_the_plugin_installs_into_a_real_registry(ep: EntryPoint) -> None:
    from workhub.app import build_registry
    from workhub.settings import Settings

    plugin: WorkhubPlugin = ep.load()
    registry = build_registry(Settings(env="test"), plugins=[])
    installed = registry.install(plugin, required=False)
    status = registry.statuses[-1]
    assert status.name == plugin.name
    assert status.enabled is installed
    assert installed or status.reason
