"""Texts of the notifications module, in Russian and English.

Each kind has ``notification.<kind>.title``/``.body`` (rendered with the
kind's parameters in the recipient's language) and ``notifications.kind.<kind>``,
its name in the preferences screen. Other modules register the texts of their
own kinds (``chat_mention``, ``reminder`` …) the same way.
"""

from __future__ import annotations

__all__ = ("MESSAGES",)

MESSAGES: dict[str, dict[str, str]] = {
    "role.admin": {"en": "administrator", "ru": "администратор"},
    "role.member": {"en": "member", "ru": "участник"},
    "notification.system_role_changed.title": {
        "en": "Your role changed to {role}",
        "ru": "Ваша роль изменена: {role}",
    },
    "notification.system_role_changed.body": {
        "en": "An administrator changed your role in WorkHub from {old_role} to {role}.",
        "ru": "Администратор изменил вашу роль в WorkHub: была «{old_role}», теперь «{role}».",
    },
    "notification.task_assigned.title": {
        "en": "You were assigned {key}",
        "ru": "Вам назначена задача {key}",
    },
    "notification.task_assigned.body": {
        "en": "You are now the assignee of “{title}” in {project}.",
        "ru": "Теперь вы исполнитель задачи «{title}» в проекте «{project}».",
    },
    "notification.status_changed.title": {
        "en": "{key} is now {status}",
        "ru": "Статус задачи {key}: «{status}»",
    },
    "notification.status_changed.body": {
        "en": "“{title}” in {project} moved from {old_status} to {status}.",
        "ru": "Задача «{title}» в проекте «{project}»: было «{old_status}», стало «{status}».",
    },
    "notification.deadline_changed.title": {
        "en": "New deadline for {key}",
        "ru": "Срок задачи {key} изменён",
    },
    "notification.deadline_changed.body": {
        "en": "“{title}” in {project}: {deadline}.",
        "ru": "Задача «{title}» в проекте «{project}»: {deadline}.",
    },
    "notifications.deadline.set": {"en": "now due {when}", "ru": "новый срок — {when}"},
    "notifications.deadline.removed": {"en": "the deadline was removed", "ru": "срок снят"},
    "notification.task_overdue.title": {
        "en": "{key} is overdue",
        "ru": "Задача {key} просрочена",
    },
    "notification.task_overdue.body": {
        "en": "“{title}” in {project} is past its deadline and still open.",
        "ru": "Срок задачи «{title}» в проекте «{project}» истёк, а она ещё не выполнена.",
    },
    "notification.all_done.title": {
        "en": "Everything you assigned in {project} is done",
        "ru": "Все ваши поручения в проекте «{project}» выполнены",
    },
    "notification.all_done.body": {
        "en": "The last one to be finished was {key} “{title}”.",
        "ru": "Последней завершена задача {key} «{title}».",
    },
    "notification.comment.title": {
        "en": "New comment on {key}",
        "ru": "Новый комментарий к задаче {key}",
    },
    "notification.comment.body": {"en": "{author}: {excerpt}", "ru": "{author}: {excerpt}"},
    "notification.project_invited.title": {
        "en": "You are invited to {project}",
        "ru": "Вас пригласили в проект «{project}»",
    },
    "notification.project_invited.body": {
        "en": "{inviter} invited you to join as {role}. Open the link in the invitation to join.",
        "ru": "{inviter} приглашает вас в проект с ролью «{role}». "
        "Чтобы присоединиться, откройте ссылку из приглашения.",
    },
    "notification.member_removed.title": {
        "en": "You were removed from {project}",
        "ru": "Вас исключили из проекта «{project}»",
    },
    "notification.member_removed.body": {
        "en": "You no longer have access to the project and its tasks.",
        "ru": "Проект и его задачи вам больше недоступны.",
    },
    "notifications.system_actor": {"en": "WorkHub", "ru": "WorkHub"},
    "notifications.kind.system_role_changed": {"en": "My system role changed", "ru": "Изменение моей роли"},
    "notifications.kind.task_assigned": {"en": "A task was assigned to me", "ru": "Мне назначили задачу"},
    "notifications.kind.status_changed": {
        "en": "Status of my tasks and my projects' tasks",
        "ru": "Статус моих задач и задач моих проектов",
    },
    "notifications.kind.deadline_changed": {
        "en": "Deadline of my task changed",
        "ru": "Изменился срок моей задачи",
    },
    "notifications.kind.task_overdue": {"en": "Overdue tasks", "ru": "Просроченные задачи"},
    "notifications.kind.all_done": {
        "en": "Everything I assigned in a project is done",
        "ru": "Все мои поручения в проекте выполнены",
    },
    "notifications.kind.comment": {"en": "Comments on my tasks", "ru": "Комментарии к моим задачам"},
    "notifications.kind.project_invited": {"en": "Invitations to projects", "ru": "Приглашения в проекты"},
    "notifications.kind.member_removed": {
        "en": "Removal from a project",
        "ru": "Исключение из проекта",
    },
    "notifications.error.unknown_kind": {
        "en": "There is no such kind of notification",
        "ru": "Такого вида уведомлений нет",
    },
    "notifications.error.unknown_channel": {
        "en": "There is no such notification channel",
        "ru": "Такого канала уведомлений нет",
    },
}
"""Texts of this module, added to the catalogue by the plugin's ``setup``."""
