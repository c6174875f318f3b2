"""Demo data for the first start of ``make run``: users, a project and tasks."""

from __future__ import annotations

from sqlalchemy import func, select

from workhub.accounts import schemas as account_schemas
from workhub.accounts.models import User
from workhub.accounts.services import UserService
from workhub.kernel.context import Actor, acting_as
from workhub.kernel.db import session_scope
from workhub.kernel.i18n import use_catalog
from workhub.projects import schemas as project_schemas
from workhub.projects.services import ProjectService
from workhub.settings import Settings

__all__ = ("DEMO_LOGINS", "seed")

DEMO_PASSWORD = "workhub-demo-2026"
DEMO_LOGINS = (
    ("admin@demo.workhub", DEMO_PASSWORD, "administrator"),
    ("lead@demo.workhub", DEMO_PASSWORD, "lead, owner of the project OPS"),
    ("manager@demo.workhub", DEMO_PASSWORD, "manager, editor in OPS"),
)
"""(email, password, what they are): the system roles admin, lead and manager."""


async def seed(settings: Settings) -> bool:
    """Create the demo data unless the database already has users; returns whether it did."""
    from workhub.process import build_registry, process_db_config

    registry = build_registry(settings)
    use_catalog(registry.messages)  # the process's texts, as the app's
    config = process_db_config(settings, registry, pool_size=2)  # audited like any other change
    try:
        async with session_scope(config) as session:
            if await session.scalar(select(func.count()).select_from(User)):
                return False
            with acting_as(Actor.system("demo")):
                users = UserService(session=session)
                admin = await users.register(
                    account_schemas.RegisterRequest(
                        email=DEMO_LOGINS[0][0], password=DEMO_PASSWORD, name="Админ Демо"
                    ),
                    role="admin",
                )
                lead = await users.register(
                    account_schemas.RegisterRequest(
                        email=DEMO_LOGINS[1][0], password=DEMO_PASSWORD, name="Ольга Руководитель"
                    ),
                    role="lead",
                )
                manager = await users.register(
                    account_schemas.RegisterRequest(
                        email=DEMO_LOGINS[2][0], password=DEMO_PASSWORD, name="Иван Менеджер"
                    ),
                    role="manager",
                )
                projects = ProjectService(session=session)
                project = await projects.create_project(
                    project_schemas.ProjectCreate(
                        key="OPS", name="Операции", description="Демо-проект WorkHub"
                    ),
                    lead.id,
                )
                await seed_project(session, project.id, lead.id, manager.id)
                _ = admin
        return True
    finally:
        await config.get_engine().dispose()


async def seed_project(session: object, project_id: object, lead_id: object, manager_id: object) -> None:
    """Members and tasks of the demo project (filled in by the tasks module's seed)."""
    from workhub.tasks.demo import seed_tasks

    await seed_tasks(session, project_id, lead_id, manager_id)
