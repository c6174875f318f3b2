"""/health/live and /health/ready: database, Redis, plugin checks and disabled plugins."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.integration.kernel.conftest import DiscoveredClient, InstallPlugins
from tests.integration.kernel.probe import Probe


def checks(body: dict[str, Any]) -> dict[str, bool]:
    return {c["name"]: c["ok"] for c in body["checks"]}


async def test_live_answers_without_credentials(client: AsyncTestClient[Any]) -> None:
    resp = await client.get("/health/live")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}


async def test_ready_checks_database_and_redis(client: AsyncTestClient[Any]) -> None:
    resp = await client.get("/health/ready")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "ok"
    assert checks(body)["database"] is True
    assert checks(body)["redis"] is True
    assert all(checks(body).values())
    assert body["plugins"] == {}


async def test_a_failing_plugin_check_makes_the_instance_unready(make_client: Any) -> None:
    probe = Probe()
    client = await make_client(plugins=[probe])
    ok = await client.get("/health/ready")
    assert ok.status_code == 200
    assert checks(ok.json())["probe.upstream"] is True
    assert ok.json()["plugins"] == {"probe": "enabled"}

    probe.healthy = False
    down = await client.get("/health/ready")
    assert down.status_code == 503
    body = down.json()
    assert body["status"] == "unavailable"
    assert checks(body)["probe.upstream"] is False
    assert [name for name, ok in checks(body).items() if not ok] == ["probe.upstream"]
    failed = next(c for c in body["checks"] if c["name"] == "probe.upstream")
    assert "probe upstream is down" in failed["detail"]
    assert (await client.get("/health/live")).status_code == 200  # alive, just not ready


async def test_an_unnamed_plugin_with_incomplete_settings_is_listed_as_disabled(
    install_plugins: InstallPlugins, discovered_client: DiscoveredClient
) -> None:
    install_plugins({"needs_token": "tests.integration.kernel.probe:needs_token"})
    client = await discovered_client(plugins=None)
    resp = await client.get("/health/ready")
    assert resp.status_code == 200, resp.text  # a disabled plugin does not make the instance unready
    status = resp.json()["plugins"]["needs_token"]
    assert status.startswith("disabled:")
    assert "WORKHUB_NEEDS_TOKEN_TOKEN" in status
