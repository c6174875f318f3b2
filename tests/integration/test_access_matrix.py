"""The access matrix: every route × caller × own/foreign object.

The expected answer is derived from the same permission table the guards use
(``workhub.kernel.permissions``), read off each route's guards, so the test
checks the guards against the table rather than against a second copy of it.
A route with no entry in ``SPECS`` fails the test: a new route cannot ship
without a place in the matrix. Every successful mutation must also have
written an audit record.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from tests.support import PASSWORD, Api, SignedInUser
from workhub.accounts import schemas as account_schemas
from workhub.accounts.services import UserService
from workhub.audit.models import AuditRecord
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import build_db_config, session_scope
from workhub.kernel.guards import ProjectGuard, admin_only
from workhub.kernel.permissions import Action, allowed, can_read
from workhub.projects import schemas as project_schemas
from workhub.projects.services import ProjectService
from workhub.settings import Settings
from workhub.tasks import schemas as task_schemas
from workhub.tasks.services import CommentService, TaskService

CALLERS = ("owner", "editor", "viewer", "outsider", "admin")
PUBLIC = {"HealthLive", "HealthReady", "Register", "Login", "Refresh", "PreviewInvitation"}
"""Routes anyone may call; each is tested in its own module's tests."""


@dataclass
class World:
    """One project with members and objects, fresh for each route × caller."""

    project_id: UUID
    task_id: UUID
    deleted_task_id: UUID
    comment_id: UUID
    invitation_id: UUID
    invitation_token: str
    target_id: UUID
    """A viewer of the project that member and admin routes act on."""


@dataclass
class Spec:
    """How to call one route and what a caller may expect beyond the table."""

    method: str
    path: str
    body: Callable[[World, int], Any] | None = None
    object: str = "project"
    """Which path object is "own" or "foreign": project, task, deleted_task, comment, invitation."""
    override: dict[str, int] = field(default_factory=dict)
    """Expected status where a rule beyond the table applies (author-only edits, tokens): by
    ``caller/where`` or by ``caller`` for both own and foreign objects."""
    audited: bool = True
    """A successful call changes something, so it must leave an audit record."""


def _task_path(suffix: str = "") -> str:
    return "/api/v1/tasks/{task_id}" + suffix


SPECS: dict[str, Spec] = {
    # accounts (authenticated only)
    "GetMe": Spec("GET", "/api/v1/me", audited=False),
    "UpdateMe": Spec("PATCH", "/api/v1/me", body=lambda w, n: {"name": f"Caller {n}"}),
    "ChangePassword": Spec(
        "POST",
        "/api/v1/me/password",
        body=lambda w, n: {"current_password": PASSWORD, "new_password": PASSWORD},
    ),
    "Logout": Spec("POST", "/api/v1/auth/logout", audited=False),
    "AdminListUsers": Spec("GET", "/api/v1/admin/users", audited=False),
    "AdminUpdateUser": Spec("PATCH", "/api/v1/admin/users/{target_id}", body=lambda w, n: {"role": "admin"}),
    "AdminAudit": Spec("GET", "/api/v1/admin/audit", audited=False),
    # projects
    "CreateProject": Spec("POST", "/api/v1/projects", body=lambda w, n: {"key": f"M{n}", "name": "Matrix"}),
    "ListProjects": Spec("GET", "/api/v1/projects", audited=False),
    "GetProject": Spec("GET", "/api/v1/projects/{project_id}", audited=False),
    "UpdateProject": Spec(
        "PATCH", "/api/v1/projects/{project_id}", body=lambda w, n: {"name": f"Renamed {n}"}
    ),
    "ArchiveProject": Spec("DELETE", "/api/v1/projects/{project_id}"),
    "RestoreProject": Spec("POST", "/api/v1/projects/{project_id}/restore", audited=False),
    "ProjectAudit": Spec("GET", "/api/v1/projects/{project_id}/audit", audited=False),
    "ListMembers": Spec("GET", "/api/v1/projects/{project_id}/members", audited=False),
    "UpdateMember": Spec(
        "PATCH", "/api/v1/projects/{project_id}/members/{target_id}", body=lambda w, n: {"role": "editor"}
    ),
    "RemoveMember": Spec("DELETE", "/api/v1/projects/{project_id}/members/{target_id}"),
    # Only members can leave; an administrator who may read the project is not one.
    "LeaveProject": Spec("POST", "/api/v1/projects/{project_id}/leave", override={"admin": 404}),
    "ListInvitations": Spec("GET", "/api/v1/projects/{project_id}/invitations", audited=False),
    "CreateInvitation": Spec(
        "POST",
        "/api/v1/projects/{project_id}/invitations",
        body=lambda w, n: {"email": f"invitee{n}@example.com", "role": "viewer"},
    ),
    "RevokeInvitation": Spec("DELETE", "/api/v1/projects/{project_id}/invitations/{invitation_id}"),
    # The token itself authorises acceptance; the world's invitation is for the outsider.
    "AcceptInvitation": Spec(
        "POST",
        "/api/v1/invitations/{invitation_token}/accept",
        object="invitation",
        override={"owner": 403, "editor": 403, "viewer": 403, "admin": 403},
    ),
    # tasks
    "ListTasks": Spec("GET", "/api/v1/tasks", audited=False),
    "ListProjectTasks": Spec("GET", "/api/v1/projects/{project_id}/tasks", audited=False),
    "CreateTask": Spec(
        "POST", "/api/v1/projects/{project_id}/tasks", body=lambda w, n: {"title": f"Task {n}"}
    ),
    "GetTask": Spec("GET", _task_path(), object="task", audited=False),
    "UpdateTask": Spec(
        "PATCH", _task_path(), object="task", body=lambda w, n: {"version": 1, "title": f"T{n}"}
    ),
    "DeleteTask": Spec("DELETE", _task_path(), object="task"),
    # A deleted task is gone for everyone but the owners who may bring it back.
    "RestoreTask": Spec(
        "POST",
        "/api/v1/tasks/{deleted_task_id}/restore",
        object="deleted_task",
        override={"editor": 404, "viewer": 404, "admin": 404},
    ),
    "TaskHistory": Spec("GET", _task_path("/history"), object="task", audited=False),
    "ListComments": Spec("GET", _task_path("/comments"), object="task", audited=False),
    "CreateComment": Spec(
        "POST", _task_path("/comments"), object="task", body=lambda w, n: {"body": f"Hi {n}"}
    ),
    # The world's comment is the editor's: only its author edits it; the author or an owner deletes it.
    "UpdateComment": Spec(
        "PATCH",
        "/api/v1/comments/{comment_id}",
        object="comment",
        body=lambda w, n: {"body": f"Edited {n}"},
        override={"owner/own": 403},
    ),
    "DeleteComment": Spec("DELETE", "/api/v1/comments/{comment_id}", object="comment"),
}


A = Action
INTENDED: dict[str, Action | str | None] = {
    "GetMe": None, "UpdateMe": None, "ChangePassword": None, "Logout": None,
    "AdminListUsers": "admin", "AdminUpdateUser": "admin", "AdminAudit": "admin",
    "CreateProject": None, "ListProjects": None, "ListTasks": None, "AcceptInvitation": None,
    "GetProject": A.PROJECT_READ, "UpdateProject": A.PROJECT_UPDATE, "ArchiveProject": A.PROJECT_ARCHIVE,
    "RestoreProject": A.PROJECT_ARCHIVE, "ProjectAudit": A.AUDIT_READ, "ListMembers": A.MEMBER_READ,
    "UpdateMember": A.MEMBER_MANAGE, "RemoveMember": A.MEMBER_MANAGE, "LeaveProject": A.MEMBER_READ,
    "ListInvitations": A.INVITATION_MANAGE, "CreateInvitation": A.INVITATION_MANAGE,
    "RevokeInvitation": A.INVITATION_MANAGE, "ListProjectTasks": A.TASK_READ, "CreateTask": A.TASK_CREATE,
    "GetTask": A.TASK_READ, "UpdateTask": A.TASK_UPDATE, "DeleteTask": A.TASK_DELETE,
    "RestoreTask": A.TASK_RESTORE, "TaskHistory": A.TASK_READ, "ListComments": A.TASK_READ,
    "CreateComment": A.COMMENT_CREATE, "UpdateComment": A.COMMENT_CREATE, "DeleteComment": A.COMMENT_CREATE,
}  # fmt: skip
"""What each route is meant to require: an action of the table, "admin", or None (any signed-in user).

The matrix below derives expectations from the guards; this pins the guards to their intent, so a
route guarded with the wrong action fails here even though it agrees with itself."""


def _routes(app: Any) -> dict[str, tuple[str, Any]]:
    """operation id → (method, handler) for every HTTP route of the app (OPTIONS and /schema aside)."""
    found: dict[str, tuple[str, Any]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            methods = set(getattr(handler, "http_methods", ())) - {"OPTIONS"}
            if not methods or route.path.startswith("/schema"):
                continue
            found[str(handler.operation_id)] = (methods.pop(), handler)
    return found


def _expected(handler: Any, caller: str, role: str | None) -> int | None:
    """The answer the permission table implies (None: success, any 2xx)."""
    is_admin = caller == "admin"
    for guard in handler.resolve_guards():
        if guard is admin_only and not is_admin:
            return 403
        if isinstance(guard, ProjectGuard):
            if not can_read(role, is_admin=is_admin):
                return 404
            if not allowed(role, guard.action, is_admin=is_admin):
                return 403
    return None


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Any]:
    config = build_db_config(settings.database_url or "", pool_size=2)
    yield config
    await config.get_engine().dispose()


async def _world(db: Any, users: dict[str, SignedInUser], n: int) -> World:
    """A fresh project: owner + a second owner, editor, viewer, a target viewer, a task, a comment, an invitation."""
    with acting_as(Actor.system("matrix")):
        return await _build_world(db, users, n)


async def _build_world(db: Any, users: dict[str, SignedInUser], n: int) -> World:
    async with session_scope(db) as session:
        target = await UserService(session=session).register(
            account_schemas.RegisterRequest(
                email=f"target{n}@example.com", password=PASSWORD, name=f"Target {n}"
            )
        )
        second = await UserService(session=session).register(
            account_schemas.RegisterRequest(
                email=f"second{n}@example.com", password=PASSWORD, name=f"Second {n}"
            )
        )
        projects = ProjectService(session=session)
        project = await projects.create_project(
            project_schemas.ProjectCreate(key=f"W{n}", name="World"), users["owner"].id
        )
        await projects.add_member(project.id, second.id, "owner")
        await projects.add_member(project.id, users["editor"].id, "editor")
        await projects.add_member(project.id, users["viewer"].id, "viewer")
        await projects.add_member(project.id, target.id, "viewer")
        tasks = TaskService(session=session)
        task = await tasks.create_task(
            project.id, task_schemas.TaskCreate(title="Matrix task"), users["owner"].id
        )
        gone = await tasks.create_task(
            project.id, task_schemas.TaskCreate(title="Deleted task"), users["owner"].id
        )
        await tasks.delete_task(gone.id)
        comment = await CommentService(session=session).add_comment(task.id, users["editor"].id, "A comment")
        from workhub.projects._invitations import InvitationService

        invitation, token = await InvitationService(session=session).create_invitation(
            project.id,
            project_schemas.InvitationCreate(email=users["outsider"].email, role="viewer"),
            invited_by=users["owner"].id,
            ttl=3600,
        )
    return World(project.id, task.id, gone.id, comment.id, invitation.id, token, target.id)


async def _audit_count(db: Any) -> int:
    async with db.get_session() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditRecord)) or 0)


async def test_every_route_is_in_the_matrix(client: AsyncTestClient[Any]) -> None:
    routes = set(_routes(client.app))
    assert routes - PUBLIC - SPECS.keys() == set(), "routes missing from the access matrix"
    assert SPECS.keys() - routes == set(), "matrix entries for routes that no longer exist"
    public = {op for op, (_, handler) in _routes(client.app).items() if handler.opt.get("public")}
    assert public == PUBLIC


async def test_every_route_is_guarded_by_its_intended_action(client: AsyncTestClient[Any]) -> None:
    assert INTENDED.keys() == SPECS.keys()
    for op, (_, handler) in _routes(client.app).items():
        if op in PUBLIC:
            continue
        guards = handler.resolve_guards()
        actions = [g.action for g in guards if isinstance(g, ProjectGuard)]
        got: Action | str | None = actions[0] if actions else ("admin" if admin_only in guards else None)
        assert len(actions) <= 1, op
        assert got == INTENDED[op], f"{op} is guarded by {got}, meant {INTENDED[op]}"


async def test_anonymous_callers_get_401_everywhere_but_public_routes(
    client: AsyncTestClient[Any], api: Api, db: Any
) -> None:
    users = {c: await api.user(c, admin=c == "admin") for c in CALLERS}
    world = await _world(db, users, 0)
    for op, spec in SPECS.items():
        path = spec.path.format(**vars(world))
        resp = await client.request(spec.method, path, json=spec.body(world, 0) if spec.body else None)
        assert resp.status_code == 401, (op, resp.status_code, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")


async def test_access_matrix(client: AsyncTestClient[Any], api: Api, db: Any) -> None:
    users = {c: await api.user(c, admin=c == "admin") for c in CALLERS}
    routes = _routes(client.app)
    strangers = {
        role: await api.user(f"stranger-{role}") for role in ("owner", "editor", "viewer", "outsider")
    }
    foreign = await _world(db, strangers, 10_000)  # a project none of the callers belongs to
    failures: list[str] = []
    n = 0
    for op, spec in SPECS.items():
        _, handler = routes[op]
        for caller in CALLERS:
            for where in ("own", "foreign"):
                n += 1
                if where == "foreign" and spec.object == "invitation":
                    continue  # an invitation token is not "in" a project the caller could be outside of
                world = await _world(db, users, n) if where == "own" else foreign
                role = (
                    {"owner": "owner", "editor": "editor", "viewer": "viewer"}.get(caller)
                    if where == "own"
                    else None
                )
                expected = spec.override.get(f"{caller}/{where}", spec.override.get(caller))
                if expected is None:
                    expected = _expected(handler, caller, role)
                headers = users[caller].headers
                if op == "Logout":
                    tokens = await api.login(users[caller].email)
                    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
                before = await _audit_count(db)
                path = spec.path.format(**vars(world))
                resp = await client.request(
                    spec.method, path, json=spec.body(world, n) if spec.body else None, headers=headers
                )
                ok = resp.status_code < 300 if expected is None else resp.status_code == expected
                if not ok:
                    failures.append(
                        f"{op} {caller}/{where}: expected {expected or '2xx'}, got {resp.status_code} {resp.text[:160]}"
                    )
                    continue
                mutated = expected is None and spec.audited and spec.method != "GET"
                if mutated and await _audit_count(db) <= before:
                    failures.append(f"{op} {caller}/{where}: succeeded without an audit record")
    assert not failures, "\n".join(failures)
