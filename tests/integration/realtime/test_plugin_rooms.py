"""A room kind a plugin registers is served like the core's: joinable only with the plugin's action."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
import uvicorn

from tests.integration.realtime.conftest import Http, LiveServer
from workhub.asgi import create_asgi
from workhub.kernel.embedded import free_port
from workhub.kernel.plugins import Registry
from workhub.settings import Settings

Sockets = Any  # the ``sockets`` fixture: ``await sockets(user)`` → a connected socket


class Boards:
    """A plugin whose ``board:<project id>`` rooms need its own ``boards.watch`` action (owners and editors)."""

    name = "boards"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        registry.add_permission_actions({"boards.watch": ["owner", "editor"]})
        registry.add_room_kind("board", "project", "boards.watch")


@pytest.fixture(scope="module")
def live_server(settings: Settings) -> Iterator[LiveServer]:
    """The live server of ``conftest.py``, with the plugin installed."""
    port = free_port()
    asgi = create_asgi(settings, plugins=[Boards()], run_relay=True)
    server = uvicorn.Server(uvicorn.Config(asgi, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="live-server-boards", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", settings)
    server.should_exit = True
    thread.join(timeout=30)


async def test_a_plugin_room_is_joined_by_the_roles_its_action_names_only(
    http: Http, sockets: Sockets
) -> None:
    owner, editor, viewer, outsider = [
        await http.user(name) for name in ("owner", "editor", "viewer", "outsider")
    ]
    project = await http.project(owner)
    await http.add_member(project, owner, editor, "editor")
    await http.add_member(project, owner, viewer, "viewer")
    room = f"board:{project}"
    acks: dict[str, dict[str, Any]] = {}
    for name, user in (("owner", owner), ("editor", editor), ("viewer", viewer), ("outsider", outsider)):
        acks[name] = await (await sockets(user)).call("subscribe", room)
    assert acks["owner"] == acks["editor"] == {"ok": True, "room": room}
    # The viewer reads the project (its project room is open to them) but lacks the plugin's action.
    assert acks["viewer"]["code"] == acks["outsider"]["code"] == "not_found"
    assert (await (await sockets(viewer)).call("subscribe", f"project:{project}"))["ok"] is True
    ack = await (await sockets(owner)).call("subscribe", f"board:{uuid.uuid4()}")
    assert ack["code"] == "not_found"
