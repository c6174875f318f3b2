"""A standing guard over the whole API: generated requests to every operation, checked against the schema.

Schemathesis reads the app's own OpenAPI document and sends every operation
requests it generates from it, as a member (who owns a seeded project with a
task, comment, reminder, channels, a message, a feed, a job and a pending
invitation) and as a system administrator. Path ids are the seeded ones most
of the time, so requests reach the handlers instead of stopping at 404. A
second pass follows the links between operations (schemathesis infers them
from the schemas: a created project's id feeds its tasks, a task's its
comments, ...). Any 5xx fails, and so does an answer the document does not
describe: an undocumented status, another content type, or a body or header
that breaks its schema.

The number of examples is bounded so the guard costs about a minute on two
cores; ``WORKHUB_FUZZ_EXAMPLES`` raises it for a deeper run, and examples are
derandomized so a run is repeatable (``WORKHUB_FUZZ_RANDOM=1`` draws new ones).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import hypothesis
import msgspec
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.python import asgi
from schemathesis.schemas import APIOperation

from tests.fixtures import ClientFactory, deliver_for
from tests.support import PASSWORD, Api, Deliver, SignedInUser, make_admin
from workhub.app import create_app
from workhub.kernel.clock import clock
from workhub.settings import Settings

schemathesis.serializer.alias("text/csv", "text/plain")  # uploads are raw CSV

EXAMPLES = int(os.environ.get("WORKHUB_FUZZ_EXAMPLES", "10"))
"""Generated requests per operation (and per stateful run)."""
STEPS = 6
"""Calls per stateful scenario."""
RANDOM = bool(os.environ.get("WORKHUB_FUZZ_RANDOM"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
LAST = ("DELETE /api/v1/projects/{project_id}", "POST /api/v1/projects/{project_id}/leave")
"""Operations that end the seeded project's life run after everything else."""
STRICTER_THAN_SCHEMA: dict[str, str] = {}
"""Operations that may refuse every generated request, and why the schema cannot say more."""


@dataclass
class Callers:
    """The member's and the administrator's tokens, signed in again when a fuzzed call ends a session."""

    client: requests.Session
    users: dict[str, SignedInUser]
    tokens: dict[str, str] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    workflow_calls: int = 0

    def headers(self, role: str) -> dict[str, str]:
        if role not in self.tokens:
            self.tokens[role] = self.users[role].access_token
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def after(self, role: str, response: requests.Response | Any) -> None:
        """A 401 to a token that was good means the call signed its caller out (logout): sign in again."""
        if response.status_code == 401 and role in self.tokens:
            login = self.client.post(
                "/api/v1/auth/login",
                json={"email": self.users[role].email, "password": self.passwords.get(role, PASSWORD)},
            )
            assert login.status_code == 200, login.text
            self.tokens[role] = login.json()["access_token"]


@dataclass
class Seeded:
    """Real ids of a project and its objects, by the names the API gives them in paths and bodies."""

    ids: dict[str, list[str]]

    def fill(self, case: Any, pick: int) -> None:
        """Put seeded ids where the case has ids (the ``pick``-th of each kind), as a client would."""
        for name in list(case.path_parameters or {}):
            if name in self.ids:
                case.path_parameters[name] = self._one(name, pick)
        if isinstance(case.body, dict):
            for name in set(case.body) & {"project_id", "user_id", "assignee_id"}:
                case.body[name] = self._one(name, pick)
            if isinstance(case.body.get("member_ids"), list):
                case.body["member_ids"] = self.ids["user_id"]
        if case.operation.label == "POST /api/v1/jobs" and isinstance(case.body, dict):
            case.body["kind"] = self._one("job_kind", pick)
        if case.operation.label == "PUT /api/v1/me/notification-preferences" and isinstance(case.body, dict):
            for i, item in enumerate(case.body.get("kinds") or []):
                if isinstance(item, dict):  # kinds and channels are whatever the modules registered
                    item["kind"] = self._one("notification_kind", pick + i)
                    item["channels"] = self.ids["notification_channel"][: pick % 2 + 1]
        if isinstance(case.query, dict) and "from" in case.query:
            # The calendar's `to` must follow `from` within 366 days: a rule between two parameters.
            try:
                start = datetime.fromisoformat(str(case.query["from"]))
                case.query["to"] = (start + timedelta(days=7 * pick)).isoformat()
            except (ValueError, OverflowError):
                pass

    def _one(self, name: str, pick: int) -> str:
        values = self.ids[name]
        return values[pick % len(values)]


async def _seed(
    client: AsyncTestClient[Any], api: Api, deliver: Deliver
) -> tuple[dict[str, SignedInUser], Seeded]:
    """A member owning a project with one of everything, an editor in it, and an administrator."""
    member = await api.user("Member")
    other = await api.user("Other")
    admin = await make_admin(client, api)
    project = await api.project(member, key="FUZ")
    pid = project["id"]

    async def post(path: str, body: Any, user: SignedInUser = member, status: int = 201) -> Any:
        resp = await client.post(path, json=body, headers=user.headers)
        assert resp.status_code == status, (path, resp.text)
        return resp.json()

    invited = await post(f"/api/v1/projects/{pid}/invitations", {"email": other.email, "role": "editor"})
    await post(f"/api/v1/invitations/{invited['token']}/accept", None, other, 200)
    pending = await post(
        f"/api/v1/projects/{pid}/invitations", {"email": "guest@example.com", "role": "viewer"}
    )
    deadline = (clock.now() + timedelta(days=2)).isoformat()
    task = await post(
        f"/api/v1/projects/{pid}/tasks",
        {"title": "Fuzzed", "assignee_id": str(member.id), "deadline": deadline},
    )
    await post(f"/api/v1/projects/{pid}/tasks", {"title": "For you", "assignee_id": str(member.id)}, other)
    gone = await post(f"/api/v1/projects/{pid}/tasks", {"title": "Deleted"})
    assert (await client.delete(f"/api/v1/tasks/{gone['id']}", headers=member.headers)).status_code == 204
    comment = await post(f"/api/v1/tasks/{task['id']}/comments", {"body": "Look @other"})
    reminder = await post(f"/api/v1/tasks/{task['id']}/reminders", {"offset_minutes": 30})
    channel = await post(f"/api/v1/projects/{pid}/channels", {"name": "fuzz"})
    private = await post(
        f"/api/v1/projects/{pid}/channels",
        {"name": "private", "private": True, "member_ids": [str(other.id)]},
    )
    message = await post(f"/api/v1/channels/{channel['id']}/messages", {"text": "Hello"})
    feed = await post("/api/v1/calendar/feeds", {"scope": "project", "project_id": pid})
    job = await post("/api/v1/jobs", {"kind": "export_tasks_csv", "params": {}}, status=202)
    await deliver()
    notes = (await client.get("/api/v1/notifications", headers=member.headers)).json()["items"]
    assert notes, "the member has a notification to mark read"
    preferences = (await client.get("/api/v1/me/notification-preferences", headers=member.headers)).json()
    ids = {
        "job_kind": ["export_tasks_csv", "export_stats_csv", "import_tasks_csv"],
        "notification_kind": [kind["kind"] for kind in preferences["kinds"]],
        "notification_channel": preferences["channels"],
        "project_id": [pid],
        "task_id": [task["id"], gone["id"]],
        "comment_id": [comment["id"]],
        "reminder_id": [reminder["id"]],
        "channel_id": [private["id"], channel["id"]],
        "message_id": [message["id"]],
        "invitation_id": [pending["id"]],
        "token": [pending["token"]],
        "user_id": [str(other.id)],  # the member's own id here would let the administrator deactivate them
        "assignee_id": [str(member.id), str(other.id)],
        "feed_id": [feed["id"]],
        "filename": [f"{feed['token']}.ics"],
        "job_id": [job["id"]],
        "notification_id": [notes[0]["id"]],
    }
    return {"member": member, "admin": admin}, Seeded(ids)


def _hypothesis_settings(**extra: Any) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the failure's curl is enough to reproduce
        suppress_health_check=HealthCheck.all(),
        **extra,
    )


@contextmanager
def _fuzzed_app(settings: Settings, tmp_path: Path) -> Iterator[Any]:
    """A second app on the test's servers that schemathesis drives in-process (its own event loop).

    Lockout thresholds are out of reach: fuzzed sign-ins would otherwise lock the seeded accounts out.
    """
    fuzzed = msgspec.structs.replace(
        settings,
        lockout_threshold=100_000,
        lockout_address_threshold=100_000,
        lockout_account_threshold=100_000,
        jobs_dir=str(tmp_path / "jobs"),
    )
    app = create_app(fuzzed, plugins=[], run_relay=False)
    try:
        yield app
    finally:
        asgi.shutdown_lifespans()


@dataclass
class Tally:
    """What each operation answered to generated data with the seeded ids: status → count."""

    answers: dict[str, dict[int, int]] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, response: Any) -> None:
        counts = self.answers.setdefault(label, {})
        counts[response.status_code] = counts.get(response.status_code, 0) + 1
        if response.status_code in (400, 422):
            self.reasons.setdefault(label, response.text[:300])

    def always_rejected(self) -> list[str]:
        """Operations that refused every generated request as unreadable or invalid: the schema admits
        data the route does not (a missing bound, pattern or format)."""
        return [
            f"{label}: {counts}"
            for label, counts in self.answers.items()
            if counts and set(counts) <= {400, 422} and label not in STRICTER_THAN_SCHEMA
        ]

    def report(self) -> str:
        lines = []
        for label, counts in sorted(self.answers.items()):
            total = sum(counts.values())
            rejected = counts.get(400, 0) + counts.get(422, 0)
            lines.append(f"{rejected:3}/{total:<3} rejected  {label}  {dict(sorted(counts.items()))}")
            if label in self.reasons:
                lines.append(f"        {self.reasons[label]}")
        return "\n".join(lines)


def _run_operation(
    operation: APIOperation, callers: Callers, seeded: Seeded, tally: Tally, failures: list[str]
) -> None:
    """Fuzz one operation; a failing example is recorded and the operation's run stops there."""
    admin_route = operation.path.startswith("/api/v1/admin")
    roles = st.just("admin") if admin_route else st.sampled_from(["member", "member", "admin"])

    @_hypothesis_settings()
    @given(case=operation.as_strategy(), role=roles, real=st.integers(0, 3))
    def run(case: Any, role: str, real: int) -> None:
        if real:  # mostly the seeded ids; now and then a random one (which must answer 404 or 422)
            seeded.fill(case, real)
        headers = callers.headers(role)
        changes_password = operation.label == "POST /api/v1/me/password" and isinstance(case.body, dict)
        if real and changes_password:
            case.body["current_password"] = callers.passwords.get(role, PASSWORD)
        response = case.call(headers=headers, session=callers.client)
        if changes_password and response.status_code == 204:
            callers.passwords[role] = case.body["new_password"]
        if real:
            tally.add(operation.label, response)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        finally:
            callers.after(role, response)

    try:
        run()
    except FailureGroup as exc:
        failures.append(f"{operation.label}:\n{exc}")


def _run_workflows(schema: Any, callers: Callers, failures: list[str]) -> None:
    """Chains of calls along the links schemathesis infers (create a project, then its tasks, ...)."""

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            callers.workflow_calls += 1
            return {"headers": callers.headers("member"), "session": callers.client}

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            callers.after("member", response)

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(response, checks=CHECKS, headers=kwargs.get("headers"))

    try:
        Workflow.run(settings=_hypothesis_settings(stateful_step_count=STEPS))
    except FailureGroup as exc:
        failures.append(f"Workflow:\n{exc}")


def _fuzz(app: Any, users: dict[str, SignedInUser], seeded: Seeded) -> tuple[list[str], Tally, int]:
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    # A NUL in any string is refused before any route runs (kernel/input_guard.py, its own tests).
    schema.config.generation.update(allow_x00=False)
    failures: list[str] = []
    tally = Tally()
    with asgi.get_client(app) as client:
        callers = Callers(client, users)
        operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
        operations.sort(key=lambda op: (op.label in LAST, op.method.upper() == "DELETE"))
        for operation in operations:
            _run_operation(operation, callers, seeded, tally, failures)
        _run_workflows(schema, callers, failures)
    return failures, tally, callers.workflow_calls


@pytest.mark.timeout(600)
async def test_every_operation_answers_what_its_schema_says(
    make_client: ClientFactory, settings: Settings, tmp_path: Path
) -> None:
    client = await make_client(jobs_dir=str(tmp_path / "jobs"))
    users, seeded = await _seed(client, Api(client), deliver_for(client))
    with _fuzzed_app(settings, tmp_path) as app:
        failures, tally, workflow_calls = await asyncio.to_thread(_fuzz, app, users, seeded)
    print(tally.report())
    print(f"{workflow_calls} calls along links")
    assert workflow_calls > EXAMPLES, "the stateful pass followed no links"
    assert not failures, "\n\n".join(failures)
    assert not tally.always_rejected(), tally.always_rejected()
