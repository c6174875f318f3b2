"""Tasks and comments: the only code that writes their tables.

Each change locks the row, applies the rules and publishes its event in the
same transaction (outbox and audit). Task reads live in
:mod:`workhub.tasks.queries`. What concerns projects and memberships (the
next task number, the project key, whether an assignee is a member) is asked
of :class:`~workhub.projects.services.ProjectService`, or joined from its
:func:`~workhub.projects.services.project_access` relation; this module never
touches the projects module's models or tables.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import func, select

from workhub.kernel.clock import clock
from workhub.kernel.db import new_id, transaction_connection
from workhub.kernel.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from workhub.kernel.events import publish, publish_many
from workhub.kernel.pagination import decode_cursor, encode_cursor
from workhub.kernel.services import Service
from workhub.projects.api import ProjectService, project_access
from workhub.tasks import schemas
from workhub.tasks.events import (
    CommentCreated,
    CommentDeleted,
    CommentUpdated,
    TaskCreated,
    TaskDeleted,
    TaskRestored,
    TaskUpdated,
)
from workhub.tasks.models import Comment, Task
from workhub.tasks.overdue import follow_deadline, insert_notice_sql
from workhub.tasks.rows import INSERT_COLUMNS, INSERT_SQL, OPEN, is_overdue, model_to_task

__all__ = (
    "RESTORE_WINDOW",
    "CommentService",
    "TaskService",
)

RESTORE_WINDOW = timedelta(days=30)
"""How long an owner can bring a deleted task back."""


def _title(title: str) -> str:
    """The title without surrounding spaces; a blank one is a 422."""
    cleaned = title.strip()
    if not cleaned:
        raise ValidationFailed.field("title", "The title cannot be blank.")
    return cleaned


def _utc(moment: datetime | None) -> datetime | None:
    """Deadlines are kept and returned in UTC, whatever zone the client wrote them in."""
    return moment.astimezone(UTC) if moment is not None else None


def _clean_labels(labels: list[str]) -> list[str]:
    """Trimmed, without blanks or repeats, in the order given."""
    seen: dict[str, None] = {}
    for label in labels:
        label = label.strip()
        if label:
            seen.setdefault(label, None)
    return list(seen)


def _position(value: float) -> float:
    """A finite board position; NaN and infinities (possible from Python callers) are a 422."""
    if not math.isfinite(value):
        raise ValidationFailed.field("position", "The position must be a finite number.")
    return float(value)


def _builtins(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """``changes`` in JSON form (ids and times as strings) for the outbox and the audit log."""
    return msgspec.to_builtins(changes)


_INSERT_TASK_WITH_NOTICE = insert_notice_sql(INSERT_SQL)
"""The task's ``INSERT`` (:data:`~workhub.tasks.rows.INSERT_SQL`) for a task created open with a deadline:
its overdue notice row in the same statement."""


class TaskService(Service[Task]):
    """Tasks: create, change, delete and restore (reads: :class:`~workhub.tasks.queries.TaskReader`)."""

    class Repo(SQLAlchemyAsyncRepository[Task]):
        """Task rows."""

        model_type = Task

    repository_type = Repo

    @staticmethod
    def as_schema(task: Task, project_key: str, now: datetime | None = None) -> schemas.Task:
        """The API form of a loaded task (:func:`~workhub.tasks.rows.model_to_task`)."""
        return model_to_task(task, project_key, now or clock.now())

    async def _check_assignee(self, project_id: UUID, assignee_id: UUID | None) -> None:
        """An assignee must be a member of the project (any role), and stays one until this transaction ends.

        Holding the membership means a removal running at the same moment
        either waits and then unassigns this task too, or went first and the
        assignment is refused: no task is left with a former member.
        """
        if assignee_id is None:
            return
        if await ProjectService(session=self.session).role_of(project_id, assignee_id, hold=True) is None:
            message = "The assignee is not a member of this project."
            raise ValidationFailed(
                message,
                code="assignee_not_member",
                errors=[FieldError(field="assignee_id", message=message)],
                message_key="task.assignee_not_member",
            )

    async def _load_for_change(self, task_id: UUID, *, deleted: bool | None = False) -> tuple[Task, str]:
        """The task row locked for this transaction, with its project key, in one statement.

        ``deleted`` False: live tasks only; None: live or deleted.
        """
        access = project_access()
        stmt = (
            select(Task, access.c.project_key)
            .join(access, access.c.project_id == Task.project_id)
            .where(Task.id == task_id)
            .with_for_update(of=Task)
        )
        if deleted is False:
            stmt = stmt.where(Task.deleted_at.is_(None))
        row = (await self.session.execute(stmt)).first()
        if row is None:
            raise NotFound
        return row[0], row[1]

    async def create_task(
        self,
        project_id: UUID,
        data: schemas.TaskCreate,
        creator_id: UUID | None,
        *,
        source: str = "web",
        source_ref: str | None = None,
    ) -> schemas.Task:
        """A new task with the project's next number; published as ``task.created``.

        Its board position is ``-number``: worked out here, so the insert stays
        the one statement it was, and the newest task tops its column.
        """
        title = _title(data.title)
        await self._check_assignee(project_id, data.assignee_id)
        key, number = await ProjectService(session=self.session).allocate_task_number(project_id)
        now = clock.now()
        values: dict[str, Any] = {
            "id": new_id(),
            "project_id": project_id,
            "number": number,
            "title": title,
            "description": data.description,
            "status": data.status,
            "overdue": False,
            "priority": data.priority,
            "labels": _clean_labels(data.labels),
            "assignee_id": data.assignee_id,
            "creator_id": creator_id,
            "deadline": _utc(data.deadline),
            "completed_at": now if data.status == "done" else None,
            "assigned_at": now if data.assignee_id is not None else None,
            "source": source,
            "source_ref": source_ref,
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "position": float(-number),
        }
        connection = await transaction_connection(self.session)
        followed = values["deadline"] is not None and data.status in OPEN
        await connection.execute(
            _INSERT_TASK_WITH_NOTICE if followed else INSERT_SQL, *(values[name] for name in INSERT_COLUMNS)
        )
        task = Task(**values)  # not added to the session: only read back as the API form
        result = self.as_schema(task, key, now)
        created = {
            name: [None, getattr(result, name)]
            for name in ("title", "status", "priority", "labels", "assignee_id", "deadline")
            if getattr(result, name) not in (None, [])
        }
        created["number"] = [None, number]
        await publish(
            self.session,
            TaskCreated(
                entity_id=task.id,
                project_id=project_id,
                version=task.version,
                task=result,
                changes=_builtins(created),
            ),
        )
        return result

    async def current_version(self, task_id: UUID) -> int | None:
        """The live task's version now (None: no such task), for callers that change it at whatever it is."""
        return await self.session.scalar(
            select(Task.version).where(Task.id == task_id, Task.deleted_at.is_(None))
        )

    async def update_task(self, task_id: UUID, data: schemas.TaskUpdate) -> schemas.Task:
        """Apply a PATCH read at ``data.version``; a stale version is a 409 with the current task.

        Moving to ``done`` stamps ``completed_at``, leaving it clears it. A
        change of deadline or status keeps the overdue sweep's notice row in
        step (:func:`~workhub.tasks.overdue.follow_deadline`); the sweep itself
        never changes the task, so its ``version`` is the user's alone.
        """
        task, key = await self._load_for_change(task_id)
        now = clock.now()
        if data.version != task.version:
            raise Conflict(
                "The task was changed by someone else; here it is as it is now.",
                code="version_conflict",
                message_key="task.version_conflict",
                current=self.as_schema(task, key, now),
            )
        wanted: dict[str, Any] = {
            name: value
            for name, value in msgspec.structs.asdict(data).items()
            if name != "version" and value is not msgspec.UNSET
        }
        if "labels" in wanted:
            wanted["labels"] = _clean_labels(wanted["labels"])
        if "title" in wanted:
            wanted["title"] = _title(wanted["title"])
        if "deadline" in wanted:
            wanted["deadline"] = _utc(wanted["deadline"])
        if "position" in wanted:
            wanted["position"] = _position(wanted["position"])
        changes: dict[str, list[Any]] = {}
        for name, value in wanted.items():
            before = getattr(task, name)
            if name == "labels":
                before = list(before)
            if before != value:
                changes[name] = [before, value]
        if "assignee_id" in changes:
            await self._check_assignee(task.project_id, changes["assignee_id"][1])
        if not changes:
            return self.as_schema(task, key, now)
        if "status" in changes:
            old_status, new_status = changes["status"]
            if new_status == "done":
                changes["completed_at"] = [task.completed_at, now]
            elif old_status == "done":
                changes["completed_at"] = [task.completed_at, None]
        was_overdue = is_overdue(task.status, False, task.deadline, now)
        for name, (_, after) in changes.items():
            setattr(task, name, after)
        if was_overdue and not is_overdue(task.status, False, task.deadline, now):
            changes["overdue"] = [True, False]  # the history shows the lateness ending
        if "deadline" in changes or "status" in changes:
            await follow_deadline(self.session, task.id, task.deadline if task.status in OPEN else None, now)
        if "assignee_id" in changes:
            task.assigned_at = now if task.assignee_id is not None else None
        return await self._record(task, key, now, TaskUpdated, changes)

    async def _record(
        self,
        task: Task,
        key: str,
        now: datetime,
        event: type[TaskUpdated | TaskDeleted | TaskRestored],
        changes: dict[str, list[Any]],
    ) -> schemas.Task:
        """Bump the version, write the row and publish ``event`` with the task as it now is."""
        task.version += 1
        task.updated_at = now
        await self.session.flush()
        result = self.as_schema(task, key, now)
        await publish(
            self.session,
            event(
                entity_id=task.id,
                project_id=task.project_id,
                version=task.version,
                task=result,
                changes=_builtins(changes),
            ),
        )
        return result

    async def delete_task(self, task_id: UUID) -> None:
        """Move the task to the trash (an owner can restore it within :data:`RESTORE_WINDOW`)."""
        task, key = await self._load_for_change(task_id)
        now = clock.now()
        task.deleted_at = now
        await self._record(task, key, now, TaskDeleted, {"deleted_at": [None, now]})

    async def restore_task(self, task_id: UUID) -> schemas.Task:
        """Bring a deleted task back; a live task is returned as it is."""
        task, key = await self._load_for_change(task_id, deleted=None)
        now = clock.now()
        if task.deleted_at is None:
            return self.as_schema(task, key, now)
        if now - task.deleted_at > RESTORE_WINDOW:
            raise Conflict(
                "The task was deleted more than 30 days ago and can no longer be restored.",
                code="restore_expired",
                message_key="task.restore_expired",
            )
        deleted_at = task.deleted_at
        task.deleted_at = None
        changes: dict[str, list[Any]] = {"deleted_at": [deleted_at, None]}
        project = ProjectService(session=self.session)
        if task.assignee_id is not None and await project.role_of(task.project_id, task.assignee_id) is None:
            # Its assignee left the project while it was in the trash (removals unassign live tasks only).
            changes["assignee_id"] = [task.assignee_id, None]
            task.assignee_id = None
            task.assigned_at = None
        return await self._record(task, key, now, TaskRestored, changes)

    async def unassign_member(self, project_id: UUID, user_id: UUID) -> list[schemas.Task]:
        """Take a former member off their open tasks in the project; returns those tasks as they now are.

        Called in the transaction that removes the membership, so the two
        commit together. Each task is published as ``task.updated`` (audited
        with the caller's actor, pushed to live boards) in one batch. Done and
        cancelled tasks keep their assignee: that is who did them. Tasks in
        the trash are left as they are; restoring one drops an assignee who is
        no longer a member.
        """
        access = project_access()
        rows = (
            await self.session.execute(
                select(Task, access.c.project_key)
                .join(access, access.c.project_id == Task.project_id)
                .where(
                    Task.project_id == project_id,
                    Task.assignee_id == user_id,
                    Task.status.in_(OPEN),
                    Task.deleted_at.is_(None),
                )
                .order_by(Task.number)
                .with_for_update(of=Task)
            )
        ).all()
        if not rows:
            return []
        now = clock.now()
        for task, _ in rows:
            task.assignee_id = None
            task.assigned_at = None
            task.version += 1
            task.updated_at = now
        await self.session.flush()
        results = [self.as_schema(task, key, now) for task, key in rows]
        await publish_many(
            self.session,
            [
                TaskUpdated(
                    entity_id=task.id,
                    project_id=task.project_id,
                    version=task.version,
                    task=task,
                    changes=_builtins({"assignee_id": [user_id, None]}),
                )
                for task in results
            ],
        )
        return results

    async def count_open_delegated(self, project_id: UUID, creator_id: UUID) -> int:
        """Live open tasks in the project that ``creator_id`` set for someone else (the "all done" notice)."""
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Task)
                .where(
                    Task.project_id == project_id,
                    Task.creator_id == creator_id,
                    Task.assignee_id.is_not(None),
                    Task.assignee_id != creator_id,
                    Task.status.in_(OPEN),
                    Task.deleted_at.is_(None),
                )
            )
            or 0
        )

    async def ids_by_number(self, project_id: UUID, numbers: list[int]) -> dict[int, UUID]:
        """Live tasks of the project by number (chat turns ``OPS-42`` in a message into a link)."""
        if not numbers:
            return {}
        rows = await self.session.execute(
            select(Task.number, Task.id).where(
                Task.project_id == project_id, Task.number.in_(numbers), Task.deleted_at.is_(None)
            )
        )
        return {number: task_id for number, task_id in rows.all()}


class CommentService(Service[Comment]):
    """Comments on tasks; each change is recorded in the task's history."""

    class Repo(SQLAlchemyAsyncRepository[Comment]):
        """Comment rows."""

        model_type = Comment

    repository_type = Repo

    @staticmethod
    def as_schema(comment: Comment) -> schemas.Comment:
        """The API form of a comment."""
        return schemas.Comment(
            id=comment.id,
            task_id=comment.task_id,
            author_id=comment.author_id,
            body=comment.body,
            created_at=comment.created_at,
            edited_at=comment.edited_at,
        )

    async def page_comments(self, task_id: UUID, *, limit: int, cursor: str | None) -> schemas.CommentPage:
        """A task's comments, oldest first (ids are time-ordered UUIDv7)."""
        stmt = select(Comment).where(Comment.task_id == task_id).order_by(Comment.id).limit(limit + 1)
        if cursor:
            (last,) = decode_cursor(cursor, 1)
            try:
                last_id = UUID(str(last))
            except ValueError as exc:
                raise ValidationFailed.field(
                    "cursor", "The cursor is not valid.", code="invalid_cursor"
                ) from exc
            stmt = stmt.where(Comment.id > last_id)
        rows = list((await self.session.execute(stmt)).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
        return schemas.CommentPage(
            items=[self.as_schema(c) for c in rows],
            next_cursor=encode_cursor(str(rows[-1].id)) if more and rows else None,
        )

    async def _task_project(self, task_id: UUID) -> UUID:
        project_id = await self.session.scalar(
            select(Task.project_id).where(Task.id == task_id, Task.deleted_at.is_(None))
        )
        if project_id is None:
            raise NotFound
        return project_id

    async def _load(self, comment_id: UUID) -> tuple[Comment, UUID]:
        row = (
            await self.session.execute(
                select(Comment, Task.project_id)
                .join(Task, Task.id == Comment.task_id)
                .where(Comment.id == comment_id, Task.deleted_at.is_(None))
            )
        ).first()
        if row is None:
            raise NotFound
        return row[0], row[1]

    async def add_comment(self, task_id: UUID, author_id: UUID | None, body: str) -> schemas.Comment:
        """A new comment, recorded in the task's history as ``comment.created``."""
        project_id = await self._task_project(task_id)
        now = clock.now()
        comment = Comment(
            id=new_id(), task_id=task_id, author_id=author_id, body=body, created_at=now, updated_at=now
        )
        self.session.add(comment)
        await self.session.flush()
        result = self.as_schema(comment)
        await publish(
            self.session,
            CommentCreated(
                entity_id=task_id,
                project_id=project_id,
                task_id=task_id,
                comment=result,
                changes={"comment_id": [None, str(comment.id)], "body": [None, body]},
            ),
        )
        return result

    async def edit_comment(self, comment_id: UUID, user_id: UUID, body: str) -> schemas.Comment:
        """Change a comment's text; only its author may."""
        comment, project_id = await self._load(comment_id)
        if comment.author_id != user_id:
            raise Forbidden(
                "Only the author can edit a comment.",
                code="not_comment_author",
                message_key="comment.not_author",
            )
        if comment.body == body:
            return self.as_schema(comment)
        before = comment.body
        comment.body = body
        comment.edited_at = clock.now()
        await self.session.flush()
        result = self.as_schema(comment)
        await publish(
            self.session,
            CommentUpdated(
                entity_id=comment.task_id,
                project_id=project_id,
                task_id=comment.task_id,
                comment=result,
                changes={"comment_id": [str(comment.id), str(comment.id)], "body": [before, body]},
            ),
        )
        return result

    async def remove_comment(self, comment_id: UUID, user_id: UUID, *, may_delete_any: bool) -> None:
        """Delete a comment: its author, or whoever may delete any comment (owners)."""
        comment, project_id = await self._load(comment_id)
        if comment.author_id != user_id and not may_delete_any:
            raise Forbidden(
                "Only the author or a project owner can delete a comment.",
                code="not_comment_author",
                message_key="comment.not_author",
            )
        result = self.as_schema(comment)
        await self.session.delete(comment)
        await self.session.flush()
        await publish(
            self.session,
            CommentDeleted(
                entity_id=comment.task_id,
                project_id=project_id,
                task_id=comment.task_id,
                comment=result,
                changes={"comment_id": [str(comment.id), None], "body": [comment.body, None]},
            ),
        )
