"""Demo tasks for the demo project.

Everything goes through the services, so the demo project's audit log and
task histories look like those of a project people have worked in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from workhub.kernel.clock import clock
from workhub.projects.api import ProjectService
from workhub.tasks import schemas
from workhub.tasks.services import CommentService, TaskService

__all__ = ("DEMO_TASKS", "seed_tasks")

Who = Literal["lead", "manager", "nobody"]

# (title, status, priority, labels, assignee, deadline in days from now or None)
DEMO_TASKS: tuple[tuple[str, schemas.Status, schemas.Priority, tuple[str, ...], Who, float | None], ...] = (
    (
        "Подготовить коммерческое предложение для «Альфа-Трейд»",
        "in_progress",
        "high",
        ("продажи",),
        "manager",
        -2,
    ),
    ("Согласовать договор аренды склада", "todo", "urgent", ("юристы", "склад"), "lead", -1),
    ("Сверить остатки на складе с 1С", "todo", "normal", ("склад",), "manager", -3.5),
    (
        "Обзвонить клиентов с просроченной оплатой",
        "in_progress",
        "high",
        ("финансы", "продажи"),
        "manager",
        -0.5,
    ),
    ("Отправить акт сверки поставщику", "todo", "normal", ("финансы",), "manager", -5),
    ("Провести планёрку по итогам квартала", "todo", "normal", ("команда",), "lead", 1),
    ("Обновить прайс-лист на сайте", "todo", "low", ("сайт",), "manager", 2),
    ("Заказать канцтовары для офиса", "todo", "low", ("офис",), "manager", 3),
    ("Подготовить отчёт о продажах за месяц", "in_progress", "high", ("продажи", "отчёты"), "lead", 4),
    ("Настроить рассылку для постоянных клиентов", "todo", "normal", ("маркетинг",), "manager", 5),
    ("Собеседование с кандидатом на должность логиста", "todo", "high", ("кадры",), "lead", 2.5),
    ("Проверить счета от транспортной компании", "todo", "normal", ("финансы", "логистика"), "manager", 6),
    ("Продлить лицензию на антивирус", "todo", "urgent", ("ит",), "lead", 1.5),
    ("Разобрать входящие заявки с сайта", "in_progress", "normal", ("продажи", "сайт"), "manager", 0.5),
    ("Составить график отпусков на лето", "todo", "low", ("кадры",), "lead", 14),
    ("Подготовить презентацию для инвесторов", "todo", "high", ("руководство",), "lead", 10),
    ("Обучить нового менеджера работе с CRM", "in_progress", "normal", ("команда", "обучение"), "manager", 8),
    ("Заключить договор с новым поставщиком упаковки", "todo", "normal", ("закупки",), "nobody", 20),
    ("Провести инвентаризацию оргтехники", "todo", "low", ("офис", "ит"), "nobody", 30),
    ("Обновить регламент работы с возвратами", "todo", "normal", ("регламенты",), "lead", None),
    ("Собрать отзывы клиентов о доставке", "todo", "low", ("маркетинг", "логистика"), "manager", None),
    ("Выставить счета за октябрь", "done", "high", ("финансы",), "manager", -7),
    ("Оформить пропуска для новых сотрудников", "done", "normal", ("офис", "кадры"), "lead", -4),
    ("Перенести сайт на новый хостинг", "done", "urgent", ("сайт", "ит"), "manager", -10),
    ("Подписать соглашение о конфиденциальности", "done", "normal", ("юристы",), "lead", -6),
    ("Закупить кофемашину в переговорную", "cancelled", "low", ("офис",), "manager", -3),
    ("Участие в выставке «Логистика-2026»", "cancelled", "normal", ("маркетинг",), "lead", 12),
    ("Проверить корректность начисления премий", "todo", "high", ("финансы", "кадры"), "lead", 3.5),
    (
        "Написать инструкцию по оформлению заказов",
        "in_progress",
        "normal",
        ("регламенты", "продажи"),
        "manager",
        9,
    ),
    ("Связаться с банком по поводу эквайринга", "todo", "normal", ("финансы",), "nobody", -1.5),
)
"""About 30 tasks: overdue ones (past deadline, still open), due this week, later, done, cancelled."""

DEMO_COMMENTS: tuple[tuple[int, Who, str], ...] = (
    (0, "manager", "Черновик готов, жду цифры по скидкам от финансового отдела."),
    (0, "lead", "Скидку больше 7% не даём, остальное согласую сегодня."),
    (1, "lead", "Юристы просили ещё день на правки."),
    (8, "manager", "Данные из CRM выгрузил, осталось оформить."),
)


def _deadline(now: datetime, days: float | None) -> datetime | None:
    if days is None:
        return None
    moment = now + timedelta(days=days)
    return moment.replace(minute=0, second=0, microsecond=0)


async def seed_tasks(session: object, project_id: object, lead_id: object, manager_id: object) -> None:
    """Add the manager as editor and about 30 tasks (some overdue, some due this week).

    Runs inside the caller's transaction and actor (the demo seed acts as
    the system); each task is created by the lead, and the lead's comments
    and the manager's are added to a few of them.
    """
    if not (
        isinstance(session, AsyncSession)
        and isinstance(project_id, UUID)
        and isinstance(lead_id, UUID)
        and isinstance(manager_id, UUID)
    ):
        raise TypeError("seed_tasks needs an AsyncSession and the ids of the project, lead and manager")
    projects = ProjectService(session=session)
    if await projects.role_of(project_id, manager_id) is None:
        await projects.add_member(project_id, manager_id, "editor")
    people: dict[Who, UUID | None] = {"lead": lead_id, "manager": manager_id, "nobody": None}
    tasks = TaskService(session=session)
    now = clock.now()
    created: list[schemas.Task] = []
    for title, status, priority, labels, who, days in DEMO_TASKS:
        task = await tasks.create_task(
            project_id,
            schemas.TaskCreate(
                title=title,
                description=f"**{title}**\n\nДемо-задача проекта: отредактируйте её или отметьте выполненной.",
                status=status,
                priority=priority,
                labels=list(labels),
                assignee_id=people[who],
                deadline=_deadline(now, days),
            ),
            lead_id,
        )
        created.append(task)
    comments = CommentService(session=session)
    for index, who, body in DEMO_COMMENTS:
        await comments.add_comment(created[index].id, people[who], body)
