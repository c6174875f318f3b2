"""Every extension point a plugin may fill has a consumer in the core and a test that goes through it.

Like datasette's check of its hooks: an extension point that nothing reads
is a promise the plugin API does not keep, so a method of ``PLUGIN_API``
without an entry here, an entry whose field the core never reads, or an
entry whose behavioural test is gone, fails.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from workhub.kernel.plugins import PLUGIN_API

ROOT = Path(__file__).resolve().parents[3]
SOURCES = ROOT / "src" / "workhub"
EXAMPLE = "plugins/example/tests/test_example.py"
EXAMPLE_INTAKE = "plugins/example/tests/test_example_intake.py"

EXTENSION_POINTS: dict[str, tuple[str, str]] = {
    "add_routes": ("plugin_routes", f"{EXAMPLE}::test_hello_greets_in_the_callers_language"),
    "add_dependency": ("dependencies", f"{EXAMPLE}::test_the_greeting_comes_from_the_plugins_settings"),
    "subscribe": ("subscribers", f"{EXAMPLE}::test_created_projects_are_counted_once_through_the_outbox"),
    "add_broadcast": (
        "broadcasts",
        "tests/integration/realtime/test_sockets.py::test_a_task_change_made_over_rest_reaches_the_project_room_with_its_version",
    ),
    "add_room_revocation": (
        "room_revocations",
        "tests/integration/realtime/test_sockets.py::test_removal_from_a_project_ends_delivery",
    ),
    "add_job": ("jobs", "tests/integration/kernel/test_worker_jobs.py::test_a_flaky_job_succeeds_on_a_retry"),
    "add_cron": (
        "crons",
        "tests/integration/kernel/test_worker_jobs.py::test_crons_of_two_plugins_with_the_same_function_name_both_run",
    ),
    "add_intake_source": (
        "intake_sources",
        f"{EXAMPLE_INTAKE}::test_a_message_posted_with_the_token_becomes_one_task",
    ),
    "add_notification_channel": (
        "notification_channels",
        f"{EXAMPLE_INTAKE}::test_a_notification_reaches_the_plugins_channel_with_a_typed_recipient",
    ),
    "add_identity_provider": (
        "identity_providers",
        "tests/integration/accounts/test_external_signin.py::test_a_provider_signs_in_the_account_with_its_verified_email",
    ),
    "set_search_backend": (
        "search_backend",
        "tests/integration/search/test_search.py::test_a_search_backend_set_by_a_plugin_answers_the_routes",
    ),
    "add_health_check": ("health_checks", f"{EXAMPLE}::test_its_health_check_is_part_of_readiness"),
    "add_cli_command": (
        "cli_commands",
        "tests/integration/accounts/test_cli.py::test_create_admin_makes_an_administrator_who_can_sign_in",
    ),
    "add_messages": ("messages", f"{EXAMPLE}::test_hello_greets_in_the_callers_language"),
    "add_permission_actions": (
        "permissions",
        "tests/unit/test_kernel_plugin_permissions.py::test_handlers_jobs_and_subscribers_ask_the_runtimes_table",
    ),
    "add_room_kind": (
        "room_kinds",
        "tests/integration/realtime/test_plugin_rooms.py::test_a_plugin_room_is_joined_by_the_roles_its_action_names_only",
    ),
    "add_access_scope": ("access_scopes", "tests/integration/test_access_matrix.py::test_access_matrix"),
}
"""Plugin API method → (the registry field it fills, the behavioural test that goes through a real consumer)."""


def _readers(field: str) -> list[Path]:
    """Core files other than the registry itself that read ``<something>.<field>``."""
    pattern = re.compile(rf"\.{field}\b")
    return [
        path
        for path in SOURCES.rglob("*.py")
        if path.name != "plugins.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]


def _test_exists(node_id: str) -> bool:
    path, name = node_id.split("::")
    file = ROOT / path
    if not file.is_file():
        return False
    tree = ast.parse(file.read_text(encoding="utf-8"))
    return any(isinstance(n, ast.AsyncFunctionDef | ast.FunctionDef) and n.name == name for n in tree.body)


def test_every_plugin_api_method_is_an_extension_point_here() -> None:
    assert PLUGIN_API - {"runtime"} == EXTENSION_POINTS.keys()


@pytest.mark.parametrize("method", sorted(EXTENSION_POINTS))
def test_the_extension_point_has_a_consumer_and_a_test(method: str) -> None:
    field, test = EXTENSION_POINTS[method]
    assert _readers(field), f"nothing in the core reads registry.{field}"
    assert _test_exists(test), f"{method}: its behavioural test {test} does not exist"
