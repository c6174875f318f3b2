"""Plugins add permission actions and Socket.IO room kinds through the registry, not by editing the kernel."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest

from workhub.kernel.guards import Access
from workhub.kernel.i18n import Catalog, using
from workhub.kernel.permissions import PROJECT_ROLES, Action, allowed
from workhub.kernel.plugins import PluginError, Registry, Runtime
from workhub.kernel.sockets import parse_room


async def resolve_board(session: Any, board_id: UUID, user_id: UUID) -> Access | None:
    return None


class Boards:
    """A fake plugin with one action of its own and a room kind that needs it."""

    name = "boards"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        registry.add_access_scope("boards_board", resolve_board)
        registry.add_permission_actions({"boards.watch": ["owner", "editor"]})
        registry.add_room_kind("board", "boards_board", "boards.watch")


class Misnamed:
    """A plugin whose action does not carry its name."""

    name = "misnamed"
    settings: type[msgspec.Struct] | None = None

    def __init__(
        self, action: str = "task.watch", kind: str | None = None, needs: str = "misnamed.watch"
    ) -> None:
        self.action, self.kind, self.needs = action, kind, needs

    def setup(self, registry: Registry, settings: Any) -> None:
        registry.add_permission_actions({self.action: ["owner"]})
        if self.kind is not None:
            registry.add_room_kind(self.kind, "project", self.needs)


def boards_registry() -> Registry:
    registry = Registry()
    assert registry.install(Boards())
    return registry


def test_a_registered_action_is_allowed_for_the_roles_given_and_refused_for_others() -> None:
    table = boards_registry().permissions
    assert [role for role in PROJECT_ROLES if table.allowed(role, "boards.watch")] == ["owner", "editor"]
    assert not table.allowed(None, "boards.watch")
    assert not table.allowed(None, "boards.watch", is_admin=True)  # the admin row is the core's reads only
    assert not table.allowed("owner", "boards.unknown")
    # The core rows answer as the constant table does.
    for role in (*PROJECT_ROLES, None):
        for action in Action:
            assert table.allowed(role, action, is_admin=True) == allowed(role, action, is_admin=True)


def test_handlers_jobs_and_subscribers_ask_the_runtimes_table() -> None:
    registry = boards_registry()
    runtime = Runtime.__new__(Runtime)  # the live services are not needed here
    with using(Catalog()):
        registry.bind(runtime)
    assert runtime.permissions is registry.permissions
    assert runtime.permissions.allowed("editor", "boards.watch")
    assert not runtime.permissions.allowed("viewer", "boards.watch")


def test_a_room_of_a_registered_kind_is_joinable_only_with_its_action() -> None:
    registry = boards_registry()
    board = uuid4()
    assert parse_room(f"board:{board}", registry.room_kinds) == ("board", board)
    assert parse_room(f"board:{board}", Registry().room_kinds) is None  # a registry without the plugin
    kind = registry.room_kinds["board"]
    assert kind.scope == "boards_board"
    assert [r for r in PROJECT_ROLES if kind.admits(registry.permissions, r, is_admin=False)] == [
        "owner",
        "editor",
    ]
    assert not kind.admits(registry.permissions, None, is_admin=True)


def test_the_kernel_knows_only_project_rooms_and_the_modules_add_theirs() -> None:
    assert set(Registry().room_kinds) == {"project"}
    project = Registry().room_kinds["project"]
    assert project.admits(Registry().permissions, None, is_admin=True)  # admins read every project


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        (Misnamed(), "must start with 'misnamed.'"),
        (Misnamed("misnamed.Watch"), "must be '<prefix>.<verb>'"),
        (Misnamed("misnamed.watch", kind="user"), "room kind 'user' is taken"),
        (Misnamed("misnamed.watch", kind="project"), "room kind 'project' is taken"),
        (Misnamed("misnamed.watch", kind="lobby", needs="misnamed.other"), "unknown action 'misnamed.other'"),
    ],
)
def test_a_bad_action_or_room_kind_stops_the_plugin(plugin: Misnamed, message: str) -> None:
    with pytest.raises(PluginError, match=re.escape(message)):
        Registry().install(plugin)


def test_an_action_is_registered_once_and_its_roles_exist() -> None:
    registry = boards_registry()
    with pytest.raises(PluginError, match=re.escape("'boards.watch' already exists")):
        registry.add_permission_actions({"boards.watch": ["viewer"]})
    with pytest.raises(PluginError, match="already exists"):
        registry.add_permission_actions({Action.TASK_READ.value: ["viewer"]})
    with pytest.raises(PluginError, match="roles that do not exist: admin"):
        registry.add_permission_actions({"boards.admin": ["admin"]})  # type: ignore[list-item]
