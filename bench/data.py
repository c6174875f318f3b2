"""Seeded data generator: users, projects, memberships and tasks, loaded with COPY.

Rows are shaped exactly as the services write them (UUIDv7 ids whose time
part is the row's creation time, upper-case project keys, owners as members,
per-project task numbers with ``project.task_seq`` at the highest one handed
out, each open task's deadline in ``task_overdue_notice`` with those before
:data:`ANCHOR` already noticed, as the sweep leaves them, ``completed_at`` on
done tasks, a few tasks in the trash). Audit and outbox rows are not generated:
no read path of the benchmark touches them.

Everything follows from the seed and the size, including ids and the one
argon2 password hash every user shares, so two runs with the same options
produce the same database. Times are laid out before :data:`ANCHOR`.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
from argon2 import PasswordHasher

__all__ = ("ANCHOR", "PASSWORD", "Dataset", "ProjectInfo", "Shape", "generate", "load", "verify")

ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)
"""The generated history ends here; deadlines fall around it."""
PASSWORD = "bench-password-2026"
"""Every generated user signs in with this password."""

_FIRST_NAMES = (
    "Анна", "Иван", "Ольга", "Дмитрий", "Мария", "Сергей", "Елена", "Алексей", "Наталья", "Павел",
    "Anna", "John", "Maria", "Peter", "Laura", "David",
)  # fmt: skip
_LAST_NAMES = (
    "Иванова", "Петров", "Смирнова", "Кузнецов", "Попова", "Соколов", "Лебедева", "Козлов",
    "Smith", "Brown", "Miller", "Wilson",
)  # fmt: skip
_TEAMS = (
    ("OPS", "Операции"), ("SAL", "Продажи"), ("SUP", "Поддержка"), ("DEV", "Разработка"),
    ("FIN", "Финансы"), ("HR", "Персонал"), ("MKT", "Marketing"), ("LOG", "Логистика"),
    ("QA", "Quality"), ("IT", "IT"),
)  # fmt: skip
_VERBS = (
    "Подготовить", "Проверить", "Согласовать", "Отправить", "Обновить", "Позвонить по поводу",
    "Prepare", "Review", "Fix", "Update", "Send", "Follow up on",
)  # fmt: skip
_OBJECTS = (
    "отчёт за квартал", "договор с поставщиком", "счёт клиенту", "презентацию для совета",
    "план закупок", "заявку на отпуск", "ответ клиенту", "прайс-лист", "накладные за месяц",
    "the quarterly report", "supplier contract", "customer invoice", "release notes",
    "onboarding checklist", "support ticket backlog",
)  # fmt: skip
_SENTENCES = (
    "Клиент ждёт ответа до конца недели.",
    "Нужно сверить цифры с бухгалтерией и приложить сканы.",
    "См. переписку в почте, там все детали.",
    "После согласования отправить копию руководителю.",
    "The customer expects an answer by Friday.",
    "Numbers must match the ledger; attach the scans.",
    "Details are in the email thread.",
    "Send a copy to the team lead once approved.",
)
_LABELS = (
    "bug", "feature", "client", "backend", "frontend", "docs",
    "sales", "support", "finance", "hr", "ops", "review",
)  # fmt: skip
_STATUSES = ("todo", "in_progress", "done", "cancelled")
_STATUS_WEIGHTS = (40, 20, 35, 5)
_PRIORITIES = ("low", "normal", "high", "urgent")
_PRIORITY_WEIGHTS = (15, 55, 22, 8)

USER_COLUMNS = (
    "id", "email", "name", "password_hash", "role", "is_active", "locale", "timezone",
    "reminder_offsets", "last_login_at", "created_at", "updated_at",
)  # fmt: skip
PROJECT_COLUMNS = (
    "id", "key", "name", "description", "archived_at", "task_seq", "created_by", "created_at", "updated_at",
)  # fmt: skip
MEMBER_COLUMNS = ("id", "project_id", "user_id", "role", "created_at", "updated_at")
TASK_COLUMNS = (
    "id", "project_id", "number", "title", "description", "status", "overdue", "priority", "labels",
    "assignee_id", "creator_id", "deadline", "completed_at", "source", "source_ref", "version",
    "deleted_at", "created_at", "updated_at", "position",
)  # fmt: skip


@dataclass(frozen=True)
class Shape:
    """How many rows of each kind; :meth:`for_tasks` derives users and projects from the task count."""

    tasks: int
    projects: int
    users: int

    @classmethod
    def for_tasks(cls, tasks: int) -> Shape:
        """About 200 tasks per project on average (skewed) and 50 per user."""
        return cls(tasks=tasks, projects=max(10, tasks // 200), users=max(30, tasks // 50))


@dataclass(frozen=True)
class ProjectInfo:
    """What the load runner needs to know about a generated project."""

    id: UUID
    key: str
    live_tasks: int
    members: tuple[tuple[str, str], ...]
    """(email, role) of every member, the owner first."""


@dataclass
class Dataset:
    """Generated rows (tuples in the column order of the ``*_COLUMNS`` constants) and a summary."""

    shape: Shape
    seed: int
    users: list[tuple[Any, ...]] = field(default_factory=list)
    projects: list[tuple[Any, ...]] = field(default_factory=list)
    members: list[tuple[Any, ...]] = field(default_factory=list)
    tasks: list[tuple[Any, ...]] = field(default_factory=list)
    info: list[ProjectInfo] = field(default_factory=list)


def _uuid7(rng: random.Random, moment: datetime) -> UUID:
    """A UUIDv7 for ``moment`` with seeded random bits (the app's ids have the same layout)."""
    ms = int(moment.timestamp() * 1000) & ((1 << 48) - 1)
    value = (ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62) | rng.getrandbits(62)
    return UUID(int=value)


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` spread over ``parts`` with a Zipf-like skew (a few big projects, many small)."""
    weights = [1.0 / (i + 1) ** 0.8 for i in range(parts)]
    rng.shuffle(weights)
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def generate(shape: Shape, seed: int = 42) -> Dataset:
    """Build every row in memory (about a second per 100k tasks)."""
    rng = random.Random(seed)
    data = Dataset(shape=shape, seed=seed)
    password_hash = PasswordHasher().hash(PASSWORD, salt=rng.randbytes(16))

    users_start = ANCHOR - timedelta(days=450)
    user_ids: list[UUID] = []
    emails: list[str] = []
    for i in range(shape.users):
        created = users_start + timedelta(minutes=i)
        uid = _uuid7(rng, created)
        email = f"user{i:05d}@bench.workhub.test"
        name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
        role = "admin" if i == 0 else "manager"
        locale = "ru" if rng.random() < 0.8 else "en"
        data.users.append(
            (
                uid,
                email,
                name,
                password_hash,
                role,
                True,
                locale,
                "Europe/Moscow",
                [1440, 60],
                None,
                created,
                created,
            )
        )
        user_ids.append(uid)
        emails.append(email)

    counts = _split(shape.tasks, shape.projects, rng)
    for p, count in enumerate(counts):
        prefix, team = _TEAMS[p % len(_TEAMS)]
        key = f"{prefix}{p + 1}"
        created = _minute(ANCHOR - timedelta(days=rng.uniform(200, 400)))
        project_id = _uuid7(rng, created)
        owner = rng.randrange(1, shape.users)
        others = rng.sample(
            [u for u in range(1, shape.users) if u != owner], k=min(shape.users - 2, rng.randint(3, 12))
        )
        members: list[tuple[int, str]] = [(owner, "owner")]
        members += [(u, "editor" if rng.random() < 0.6 else "viewer") for u in others]
        for offset, (u, role) in enumerate(members):
            joined = created + timedelta(minutes=offset)
            data.members.append((_uuid7(rng, joined), project_id, user_ids[u], role, joined, joined))
        writers = [u for u, role in members if role in ("owner", "editor")]
        span = (ANCHOR - created).total_seconds()
        moments = sorted(created + timedelta(seconds=rng.uniform(3600, span - 60)) for _ in range(count))
        live = 0
        for number, task_created in enumerate(moments, start=1):
            status = rng.choices(_STATUSES, _STATUS_WEIGHTS)[0]
            if rng.random() < 0.5:
                updated, version = task_created, 1
            else:
                updated = min(task_created + timedelta(hours=rng.uniform(1, 480)), ANCHOR)
                version = rng.randint(2, 6)
            deadline = _minute(ANCHOR + timedelta(days=rng.uniform(-45, 60))) if rng.random() < 0.6 else None
            assignee = None if rng.random() < 0.25 else user_ids[rng.choice(members)[0]]
            title = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
            if rng.random() < 0.5:
                title += f" #{rng.randint(1, 999)}"
            description = " ".join(rng.sample(_SENTENCES, k=rng.randint(1, 3))) if rng.random() < 0.5 else ""
            deleted = updated if rng.random() < 0.01 else None
            live += deleted is None
            data.tasks.append(
                (
                    _uuid7(rng, task_created),
                    project_id,
                    number,
                    title,
                    description,
                    status,
                    False,  # no longer written: overdue is worked out at read time
                    rng.choices(_PRIORITIES, _PRIORITY_WEIGHTS)[0],
                    rng.sample(_LABELS, k=rng.choice((0, 0, 1, 1, 2, 3))),
                    assignee,
                    user_ids[rng.choice(writers)],
                    deadline,
                    updated if status == "done" else None,
                    "web",
                    None,
                    version,
                    deleted,
                    task_created,
                    updated,
                    float(-number),  # a new task's board position, as the service gives it
                )
            )
        last_change = moments[-1] if moments else created
        data.projects.append(
            (project_id, key, f"{team} {p + 1}", "", None, count, user_ids[owner], created, last_change)
        )
        data.info.append(
            ProjectInfo(
                id=project_id,
                key=key,
                live_tasks=live,
                members=tuple((emails[u], role) for u, role in members),
            )
        )
    return data


def _dsn(url: str) -> str:
    """asyncpg's DSN from the app's SQLAlchemy URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


_NOTICES = (
    "INSERT INTO task_overdue_notice (task_id, deadline, noticed_at, announced)"
    " SELECT id, deadline, CASE WHEN deadline < $1 THEN deadline END, deadline < $1 AND deleted_at IS NULL"
    " FROM task WHERE status IN ('todo', 'in_progress') AND deadline IS NOT NULL"
)
"""The overdue sweep's rows for the loaded tasks: one per open task with a deadline, those past noticed."""


async def load(database_url: str, data: Dataset) -> float:
    """COPY every row in one transaction, then ANALYZE; returns the seconds it took."""
    started = time.perf_counter()
    conn = await asyncpg.connect(_dsn(database_url))
    try:
        async with conn.transaction():
            for table, columns, rows in (
                ("user_account", USER_COLUMNS, data.users),
                ("project", PROJECT_COLUMNS, data.projects),
                ("project_member", MEMBER_COLUMNS, data.members),
                ("task", TASK_COLUMNS, data.tasks),
            ):
                await conn.copy_records_to_table(table, records=rows, columns=list(columns))
            await conn.execute(_NOTICES, ANCHOR)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def verify(database_url: str, data: Dataset) -> None:
    """Check the loaded database holds what the app itself would have written; raise if not."""
    conn = await asyncpg.connect(_dsn(database_url))
    try:
        counts = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM user_account) AS users, (SELECT count(*) FROM project) AS projects,"
            " (SELECT count(*) FROM project_member) AS members, (SELECT count(*) FROM task) AS tasks"
        )
        expected = (len(data.users), len(data.projects), len(data.members), len(data.tasks))
        if counts is None or tuple(counts) != expected:
            raise RuntimeError(f"row counts {counts} differ from the generated {expected}")
        bad_seq = await conn.fetchval(
            "SELECT count(*) FROM project p WHERE p.task_seq <> "
            "(SELECT coalesce(max(t.number), 0) FROM task t WHERE t.project_id = p.id)"
            " OR (SELECT count(*) FROM task t WHERE t.project_id = p.id) <> p.task_seq"
        )
        if bad_seq:
            raise RuntimeError(f"{bad_seq} projects have a task_seq that is not their last task number")
        outsiders = await conn.fetchval(
            "SELECT count(*) FROM task t WHERE t.assignee_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM project_member m WHERE m.project_id = t.project_id AND m.user_id = t.assignee_id)"
        )
        if outsiders:
            raise RuntimeError(f"{outsiders} tasks are assigned to users outside their project")
        ownerless = await conn.fetchval(
            "SELECT count(*) FROM project p WHERE NOT EXISTS (SELECT 1 FROM project_member m "
            "WHERE m.project_id = p.id AND m.user_id = p.created_by AND m.role = 'owner')"
        )
        if ownerless:
            raise RuntimeError(f"{ownerless} projects have no owner membership for their creator")
    finally:
        await conn.close()
