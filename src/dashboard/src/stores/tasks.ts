// Every task a screen has read, one copy each, shared by the board, the lists and the task page, so a
// change made or pushed anywhere shows everywhere. The highest `version` wins (components/tasks/
// versions.ts); deleted tasks leave a tombstone so a late push cannot bring them back. Changes are
// shown at once and sent as one PATCH with the version they were made on; a 409 brings the current
// task from the problem's `current`.
import { defineStore } from "pinia";
import { shallowReactive } from "vue";

import { api, call } from "@/api/client";
import { ApiError } from "@/api/problem";
import type { components } from "@/api/schema";
import type { Comment, Task, TaskPage } from "@/api/types";
import type { ApiTaskQuery } from "@/components/tasks/filters";
import { shouldReplace } from "@/components/tasks/versions";

type S = components["schemas"];
export type TaskChanges = Omit<S["TaskUpdate"], "version">;
export type TaskCreate = Partial<S["TaskCreate"]> & { title: string };
export type Reminder = S["Reminder"];
export type ReminderCreate = S["ReminderCreate"];
export type AuditEntry = S["AuditEntry"];
export type AuditPage = S["AuditPage"];
export type CommentPage = S["CommentPage"];

export const TASK_EVENTS = ["task.created", "task.updated", "task.deleted", "task.restored", "task.overdue"] as const;

function isTask(value: unknown): value is Task {
  return typeof value === "object" && value !== null && "id" in value && "version" in value && "project_id" in value;
}

export const useTasks = defineStore("tasks", () => {
  const byId = shallowReactive(new Map<string, Task>());
  const tombstones = new Map<string, number>();
  const pending = new Map<string, number>();

  /** Keep `task` if it is newer than the copy we have; answers whether it was kept. */
  function merge(task: Task): boolean {
    const keep = shouldReplace(byId.get(task.id), task, { pending: pending.has(task.id), deletedAt: tombstones.get(task.id) });
    if (keep) {
      tombstones.delete(task.id);
      byId.set(task.id, task);
    }
    return keep;
  }

  /** A deletion at `task.version` (ours or pushed): the task leaves every screen. */
  function forget(task: Pick<Task, "id" | "version">): boolean {
    const known = byId.get(task.id);
    if (known && known.version > task.version) return false;
    if ((tombstones.get(task.id) ?? 0) >= task.version) return false;
    tombstones.set(task.id, task.version);
    byId.delete(task.id);
    return true;
  }

  /** A Socket.IO task event; answers the task it concerns when it changed what we hold. */
  function applyEvent(event: string, payload: Record<string, unknown>): Task | null {
    const task = payload.task;
    if (!isTask(task)) return null;
    if (event === "task.deleted") return forget(task) ? task : null;
    return merge(task) ? task : null;
  }

  function hold(id: string): void {
    pending.set(id, (pending.get(id) ?? 0) + 1);
  }

  function release(id: string): void {
    const left = (pending.get(id) ?? 1) - 1;
    if (left > 0) pending.set(id, left);
    else pending.delete(id);
  }

  async function fetch(id: string): Promise<Task> {
    const task = await call(api.GET("/api/v1/tasks/{task_id}", { params: { path: { task_id: id } } }));
    merge(task);
    return byId.get(id) ?? task;
  }

  /** One page of a project's tasks, or of every task the caller sees (`projectId` null); the items are kept. */
  async function page(projectId: string | null, query: ApiTaskQuery & { limit?: number; cursor?: string }): Promise<TaskPage> {
    const result = projectId
      ? await call(api.GET("/api/v1/projects/{project_id}/tasks", { params: { path: { project_id: projectId }, query } }))
      : await call(api.GET("/api/v1/tasks", { params: { query } }));
    for (const task of result.items) merge(task);
    return { ...result, items: result.items.map((t) => byId.get(t.id) ?? t) };
  }

  async function create(projectId: string, body: TaskCreate): Promise<Task> {
    const task = await call(
      api.POST("/api/v1/projects/{project_id}/tasks", {
        params: { path: { project_id: projectId } },
        body: { description: "", priority: "normal", status: "todo", ...body },
      }),
    );
    merge(task);
    return task;
  }

  /**
   * Change `task` (as last read) with one PATCH. `optimistic`: shown before the answer, and undone
   * if the change fails for another reason than a conflict. A 409 keeps the task as it is now.
   */
  async function update(task: Task, changes: TaskChanges, optimistic = true): Promise<Task> {
    const base = byId.get(task.id) ?? task;
    const shown = { ...base, ...changes } as Task;
    if (optimistic) byId.set(task.id, shown);
    hold(task.id);
    try {
      const result = await call(
        api.PATCH("/api/v1/tasks/{task_id}", { params: { path: { task_id: task.id } }, body: { version: base.version, ...changes } }),
      );
      release(task.id);
      merge(result);
      return byId.get(task.id) ?? result;
    } catch (err) {
      release(task.id);
      const current = err instanceof ApiError && err.code === "version_conflict" ? err.problem?.current : null;
      if (isTask(current)) merge(current);
      else if (optimistic && byId.get(task.id) === shown) byId.set(task.id, base);
      throw err;
    }
  }

  /** Delete a task (answers true once done, for the callers' error slots). */
  async function remove(task: Task): Promise<true> {
    await call(api.DELETE("/api/v1/tasks/{task_id}", { params: { path: { task_id: task.id } } }));
    forget({ id: task.id, version: task.version + 1 });
    return true;
  }

  async function restore(id: string): Promise<Task> {
    const task = await call(api.POST("/api/v1/tasks/{task_id}/restore", { params: { path: { task_id: id } } }));
    merge(task);
    return task;
  }

  async function comments(taskId: string, cursor?: string): Promise<CommentPage> {
    return call(api.GET("/api/v1/tasks/{task_id}/comments", { params: { path: { task_id: taskId }, query: { limit: 200, cursor } } }));
  }

  async function addComment(taskId: string, body: string): Promise<Comment> {
    return call(api.POST("/api/v1/tasks/{task_id}/comments", { params: { path: { task_id: taskId } }, body: { body } }));
  }

  async function editComment(commentId: string, body: string): Promise<Comment> {
    return call(api.PATCH("/api/v1/comments/{comment_id}", { params: { path: { comment_id: commentId } }, body: { body } }));
  }

  async function deleteComment(commentId: string): Promise<true> {
    await call(api.DELETE("/api/v1/comments/{comment_id}", { params: { path: { comment_id: commentId } } }));
    return true;
  }

  async function reminders(taskId: string): Promise<Reminder[]> {
    return call(api.GET("/api/v1/tasks/{task_id}/reminders", { params: { path: { task_id: taskId } } }));
  }

  async function addReminder(taskId: string, body: ReminderCreate): Promise<Reminder> {
    return call(api.POST("/api/v1/tasks/{task_id}/reminders", { params: { path: { task_id: taskId } }, body }));
  }

  async function removeReminder(taskId: string, reminderId: string): Promise<true> {
    await call(
      api.DELETE("/api/v1/tasks/{task_id}/reminders/{reminder_id}", { params: { path: { task_id: taskId, reminder_id: reminderId } } }),
    );
    return true;
  }

  async function history(taskId: string, cursor?: string): Promise<AuditPage> {
    return call(api.GET("/api/v1/tasks/{task_id}/history", { params: { path: { task_id: taskId }, query: { limit: 100, cursor } } }));
  }

  function isPending(id: string): boolean {
    return pending.has(id);
  }

  return {
    byId,
    merge,
    forget,
    applyEvent,
    fetch,
    page,
    create,
    update,
    remove,
    restore,
    comments,
    addComment,
    editComment,
    deleteComment,
    reminders,
    addReminder,
    removeReminder,
    history,
    isPending,
  };
});
