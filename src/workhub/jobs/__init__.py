"""User jobs: exports, statistics and imports with live progress."""

from __future__ import annotations

from typing import Any

import msgspec

from workhub.kernel.plugins import Registry

__all__ = ("MESSAGES", "JobsPlugin", "plugin")

MESSAGES: dict[str, dict[str, str]] = {
    # errors
    "job.unknown_kind": {"en": "Unknown kind of job", "ru": "Неизвестный вид задания"},
    "job.invalid_params": {"en": "The job's parameters are not valid", "ru": "Неверные параметры задания"},
    "job.upload_not_found": {"en": "The uploaded file was not found", "ru": "Загруженный файл не найден"},
    "job.not_cancellable": {
        "en": "Only a queued or running job can be cancelled",
        "ru": "Отменить можно только задание в очереди или в работе",
    },
    "job.result_not_ready": {"en": "The job has no result yet", "ru": "У задания пока нет результата"},
    "job.result_expired": {
        "en": "The result is no longer kept",
        "ru": "Результат больше не хранится",
    },
    # kinds and statuses
    "job.kind.export_tasks_csv": {"en": "Export of tasks", "ru": "Экспорт задач"},
    "job.kind.export_stats_csv": {"en": "Statistics report", "ru": "Отчёт по статистике"},
    "job.kind.import_tasks_csv": {"en": "Import of tasks", "ru": "Импорт задач"},
    "job.status.queued": {"en": "queued", "ru": "в очереди"},
    "job.status.active": {"en": "running", "ru": "выполняется"},
    "job.status.completed": {"en": "completed", "ru": "выполнено"},
    "job.status.failed": {"en": "failed", "ru": "не выполнено"},
    "job.status.cancelled": {"en": "cancelled", "ru": "отменено"},
    "notification.job_finished.title": {"en": "{job}: {outcome}", "ru": "{job}: {outcome}"},
    "notification.job_finished.body": {
        "en": "{job} {outcome}. {message}",
        "ru": "{job} — {outcome}. {message}",
    },
    # messages and failures shown on the job
    "job.message.exported": {"en": "{count} tasks exported.", "ru": "Выгружено задач: {count}."},
    "job.message.stats": {"en": "Statistics of {count} projects.", "ru": "Статистика по проектам: {count}."},
    "job.message.imported": {
        "en": "{count} tasks imported, {rejected} rows rejected.",
        "ru": "Импортировано задач: {count}, отклонено строк: {rejected}.",
    },
    "job.message.retrying": {
        "en": "Something went wrong; the job will be tried again.",
        "ru": "Что-то пошло не так; задание будет запущено снова.",
    },
    "job.error.internal": {
        "en": "The job failed because of an internal error.",
        "ru": "Задание не выполнено из-за внутренней ошибки.",
    },
    "job.error.upload_gone": {
        "en": "The uploaded file is no longer there; upload it again.",
        "ru": "Загруженного файла больше нет; загрузите его снова.",
    },
    "job.error.empty_file": {"en": "The file is empty.", "ru": "Файл пуст."},
    "job.error.no_title_column": {
        "en": "The file has no Title column.",
        "ru": "В файле нет столбца «Название».",
    },
    "job.error.too_many_rows": {
        "en": "The file has more than {limit} rows.",
        "ru": "В файле больше {limit} строк.",
    },
    "job.error.rows_rejected": {
        "en": "{rejected} rows were rejected, so nothing was imported; see the report.",
        "ru": "Отклонено строк: {rejected}, поэтому ничего не импортировано; см. отчёт.",
    },
    # reasons a row of an import is rejected
    "job.import.title_required": {"en": "A title is required", "ru": "Нужно название"},
    "job.import.title_too_long": {
        "en": "The title is longer than 500 characters",
        "ru": "Название длиннее 500 символов",
    },
    "job.import.description_too_long": {
        "en": "The description is too long",
        "ru": "Описание слишком длинное",
    },
    "job.import.unknown_status": {
        "en": "Unknown status (use To do, In progress, Done or Cancelled)",
        "ru": "Неизвестный статус (К выполнению, В работе, Готово или Отменена)",
    },
    "job.import.unknown_priority": {
        "en": "Unknown priority (use Low, Normal, High or Urgent)",
        "ru": "Неизвестный приоритет (Низкий, Обычный, Высокий или Срочный)",
    },
    "job.import.bad_deadline": {
        "en": "Not a date (use 2026-05-01 18:00 or 01.05.2026 18:00)",
        "ru": "Не дата (пишите 2026-05-01 18:00 или 01.05.2026 18:00)",
    },
    "job.import.assignee_not_member": {
        "en": "No project member has this email",
        "ru": "Среди участников проекта нет пользователя с таким email",
    },
    "job.import.bad_labels": {
        "en": "At most 20 labels of at most 50 characters each",
        "ru": "Не больше 20 меток по 50 символов",
    },
    # CSV headers and values
    "job.csv.key": {"en": "Key", "ru": "Номер"},
    "job.csv.title": {"en": "Title", "ru": "Название"},
    "job.csv.status": {"en": "Status", "ru": "Статус"},
    "job.csv.overdue": {"en": "Overdue", "ru": "Просрочена"},
    "job.csv.priority": {"en": "Priority", "ru": "Приоритет"},
    "job.csv.assignee": {"en": "Assignee", "ru": "Исполнитель"},
    "job.csv.assignee_email": {"en": "Assignee email", "ru": "Email исполнителя"},
    "job.csv.creator": {"en": "Created by", "ru": "Автор"},
    "job.csv.labels": {"en": "Labels", "ru": "Метки"},
    "job.csv.deadline": {"en": "Deadline", "ru": "Срок"},
    "job.csv.completed_at": {"en": "Completed", "ru": "Завершена"},
    "job.csv.created_at": {"en": "Created", "ru": "Создана"},
    "job.csv.updated_at": {"en": "Updated", "ru": "Изменена"},
    "job.csv.description": {"en": "Description", "ru": "Описание"},
    "job.csv.yes": {"en": "yes", "ru": "да"},
    "job.csv.no": {"en": "no", "ru": "нет"},
    "job.csv.project": {"en": "Project", "ru": "Проект"},
    "job.csv.created": {"en": "Created", "ru": "Создано"},
    "job.csv.done": {"en": "Done", "ru": "Выполнено"},
    "job.csv.done_on_time": {"en": "Done on time", "ru": "Выполнено в срок"},
    "job.csv.overdue_now": {"en": "Overdue now", "ru": "Просрочено сейчас"},
    "job.csv.cancelled": {"en": "Cancelled", "ru": "Отменено"},
    "job.csv.avg_hours_to_done": {"en": "Average hours to done", "ru": "Среднее время до выполнения, ч"},
    "job.csv.median_hours_to_done": {"en": "Median hours to done", "ru": "Медиана времени до выполнения, ч"},
    "job.csv.all_assignees": {"en": "(whole project)", "ru": "(весь проект)"},
    "job.csv.unassigned": {"en": "(no assignee)", "ru": "(без исполнителя)"},
    "job.csv.report_row": {"en": "Row", "ru": "Строка"},
    "job.csv.report_column": {"en": "Column", "ru": "Столбец"},
    "job.csv.report_value": {"en": "Value", "ru": "Значение"},
    "job.csv.report_reason": {"en": "Reason", "ru": "Причина"},
}
"""Texts users read: errors, kinds and statuses, CSV headers, import reasons, the notification."""


class JobsPlugin:
    """Registers job routes, the ``job`` access scope, the runner, the clean-up cron and texts."""

    name = "jobs"
    settings: type[msgspec.Struct] | None = None

    def setup(self, registry: Registry, settings: Any) -> None:
        """Add routes, the job runner and its subscriber, broadcasts, the clean-up cron and texts."""
        from workhub.jobs.access import resolve_job_access
        from workhub.jobs.controllers import AdminJobController, JobController
        from workhub.jobs.events import JobCancelled, JobFinished
        from workhub.jobs.runner import RUN_JOB, clean_up, enqueue_job, run_job

        registry.add_messages(MESSAGES)
        registry.add_routes(JobController, AdminJobController)
        registry.add_access_scope("job", resolve_job_access)
        registry.add_job(run_job, name=RUN_JOB)
        registry.subscribe("job.created", handler=enqueue_job, name="enqueue_job")
        registry.add_cron(clean_up, "17 * * * *")
        for event in (JobFinished, JobCancelled):
            registry.add_broadcast(event, rooms=lambda e: [f"job:{e.entity_id}", f"user:{e.job.user_id}"])


plugin = JobsPlugin()
