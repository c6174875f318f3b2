// My background jobs (exports, reports, imports): the history page by page, each job's live state
// from `job:<id>` (job.progress, job.finished, job.cancelled), and how the forms' filters become a
// job's params (docs/api.md, Jobs → Kinds).
import { defineStore } from "pinia";
import { ref } from "vue";

import { api, call } from "@/api/client";
import type { components } from "@/api/schema";
import type { Job, Priority, TaskStatus } from "@/api/types";

export type JobStatus = Job["status"];
export type Upload = components["schemas"]["Upload"];

export const JOB_KINDS = ["export_tasks_csv", "export_stats_csv", "import_tasks_csv"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

const TERMINAL: ReadonlySet<JobStatus> = new Set(["completed", "failed", "cancelled"]);
const PAGE = 20;

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL.has(status);
}

/** A `job.progress` push: `{job_id, status, progress, message}`. */
export interface ProgressEvent {
  job_id: string;
  status: string;
  progress: number;
  message?: string | null;
}

/**
 * A job after a progress push. Pushes may arrive late or out of order: a finished job stays finished,
 * the figure never goes back, and a cancellation push ends the job.
 */
export function applyProgress(job: Job, event: ProgressEvent): Job {
  if (isTerminal(job.status)) return job;
  const progress = Math.max(job.progress, Math.min(100, Math.max(0, Math.round(event.progress))));
  if (event.status === "cancelled") return { ...job, status: "cancelled", progress };
  // Only a running job reports progress; a late "queued" never takes a running one back.
  const status: JobStatus = event.status === "active" || job.status === "active" ? "active" : job.status;
  return { ...job, status, progress, message: event.message ?? job.message };
}

/**
 * The job to show when a whole copy arrives (a REST answer, job.finished, job.cancelled): the newer
 * state wins. A finished job is not taken back to running by a stale answer, except when it really
 * runs again (an administrator's retry starts another attempt).
 */
export function mergeJob(known: Job | undefined, incoming: Job): Job {
  if (!known) return incoming;
  if (isTerminal(known.status) && !isTerminal(incoming.status) && incoming.attempts <= known.attempts) return known;
  if (!isTerminal(known.status) && !isTerminal(incoming.status) && incoming.attempts === known.attempts) {
    return { ...incoming, progress: Math.max(known.progress, incoming.progress), status: known.status === "active" ? "active" : incoming.status };
  }
  return incoming;
}

/** The progress to draw: a completed job is whole, whatever its last push said. */
export function shownProgress(job: Job): number {
  return job.status === "completed" ? 100 : job.progress;
}

export type Delimiter = "," | ";";
export type Language = "ru" | "en";

/** The task list's filters, as the export form holds them. */
export interface TaskFilters {
  project: string | null;
  /** `me`, `none` or a user id; null for anyone. */
  assignee: string | null;
  /** `me` or a user id; null for anyone. */
  creator: string | null;
  status: (TaskStatus | "overdue")[];
  priority: Priority[];
  labels: string[];
  deadlineFrom: Date | null;
  /** The last day of the range, included. */
  deadlineTo: Date | null;
  text: string;
  sort: string | null;
  delimiter: Delimiter | null;
  language: Language | null;
}

export function emptyTaskFilters(): TaskFilters {
  return {
    project: null,
    assignee: null,
    creator: null,
    status: [],
    priority: [],
    labels: [],
    deadlineFrom: null,
    deadlineTo: null,
    text: "",
    sort: null,
    delimiter: null,
    language: null,
  };
}

function startOfDay(day: Date): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate());
}

function nextDay(day: Date): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1);
}

/** `YYYY-MM-DD` of a day as the user's calendar shows it (not shifted to UTC). */
export function isoDay(day: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

function csvOptions(form: { delimiter: Delimiter | null; language: Language | null }): Record<string, string> {
  const out: Record<string, string> = {};
  if (form.delimiter) out.delimiter = form.delimiter;
  if (form.language) out.language = form.language;
  return out;
}

/**
 * `export_tasks_csv` params with the names and forms of `GET /api/v1/tasks`: lists comma-separated,
 * labels as a list, the deadline range from the start of its first day to the start of the day after
 * its last (`deadline_to` is exclusive), empty filters left out.
 */
export function exportTaskParams(filters: TaskFilters): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (filters.project) params.project = filters.project;
  if (filters.assignee) params.assignee = filters.assignee;
  if (filters.creator) params.creator = filters.creator;
  if (filters.status.length) params.status = filters.status.join(",");
  if (filters.priority.length) params.priority = filters.priority.join(",");
  const labels = [...new Set(filters.labels.map((l) => l.trim()).filter(Boolean))];
  if (labels.length) params.label = labels;
  if (filters.deadlineFrom) params.deadline_from = startOfDay(filters.deadlineFrom).toISOString();
  if (filters.deadlineTo) params.deadline_to = nextDay(filters.deadlineTo).toISOString();
  const q = filters.text.trim();
  if (q) params.q = q;
  if (filters.sort) params.sort = filters.sort;
  return { ...params, ...csvOptions(filters) };
}

const STATUSES = new Set(["todo", "in_progress", "done", "cancelled", "overdue"]);
const PRIORITIES = new Set(["low", "normal", "high", "urgent"]);

function parseDay(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

/** The filters of a task-list link (`/jobs?export=tasks&project=…&status=todo,done`), to export what a list shows. */
export function taskFiltersFromQuery(query: Record<string, unknown>): TaskFilters {
  const one = (key: string): string | null => {
    const v = query[key];
    const s = Array.isArray(v) ? v[0] : v;
    return typeof s === "string" && s !== "" ? s : null;
  };
  const many = (key: string): string[] => {
    const v = query[key];
    const values = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
    return values.flatMap((x) => x.split(",")).map((x) => x.trim()).filter(Boolean);
  };
  const from = one("deadline_from");
  const to = one("deadline_to");
  const toDay = to ? parseDay(to) : null;
  return {
    ...emptyTaskFilters(),
    project: one("project"),
    assignee: one("assignee"),
    creator: one("creator"),
    status: many("status").filter((s) => STATUSES.has(s)) as TaskFilters["status"],
    priority: many("priority").filter((p) => PRIORITIES.has(p)) as Priority[],
    labels: many("label"),
    deadlineFrom: from ? parseDay(from) : null,
    // A list's `deadline_to` is exclusive; the form shows the last day included.
    deadlineTo: toDay ? new Date(toDay.getFullYear(), toDay.getMonth(), toDay.getDate() - 1) : null,
    text: one("q") ?? "",
    sort: one("sort"),
  };
}

export interface StatsForm {
  from: Date | null;
  /** The last day of the period, included. */
  to: Date | null;
  project: string | null;
  delimiter: Delimiter | null;
  language: Language | null;
}

/** `export_stats_csv` params: whole days in the user's time zone, `to` including its day (the server's rule for dates). */
export function statsParams(form: StatsForm): Record<string, unknown> | null {
  if (!form.from || !form.to) return null;
  const params: Record<string, unknown> = { from: isoDay(form.from), to: isoDay(form.to) };
  if (form.project) params.project = form.project;
  return { ...params, ...csvOptions(form) };
}

export interface ImportForm {
  projectId: string | null;
  skipInvalid: boolean;
  delimiter: Delimiter | null;
}

export function importParams(form: ImportForm, uploadId: string): Record<string, unknown> | null {
  if (!form.projectId) return null;
  const params: Record<string, unknown> = { project_id: form.projectId, upload_id: uploadId, skip_invalid: form.skipInvalid };
  if (form.delimiter) params.delimiter = form.delimiter;
  return params;
}

export const useJobs = defineStore("jobs", () => {
  const byId = ref<Record<string, Job>>({});
  /** The history, newest first (ids into byId). */
  const order = ref<string[]>([]);
  const nextCursor = ref<string | null>(null);
  const loaded = ref(false);

  function put(job: Job): Job {
    const merged = mergeJob(byId.value[job.id], job);
    byId.value[job.id] = merged;
    return merged;
  }

  function addToHistory(id: string): void {
    if (!order.value.includes(id)) order.value = [id, ...order.value].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  }

  async function loadFirst(): Promise<void> {
    const page = await call(api.GET("/api/v1/jobs", { params: { query: { limit: PAGE } } }));
    for (const job of page.items) put(job);
    // Jobs started here but newer than the page stay listed.
    const newer = order.value.filter((id) => page.items[0] && id > page.items[0].id);
    order.value = [...newer, ...page.items.map((j) => j.id)];
    nextCursor.value = page.next_cursor;
    loaded.value = true;
  }

  async function loadMore(): Promise<void> {
    if (!nextCursor.value) return;
    const page = await call(api.GET("/api/v1/jobs", { params: { query: { limit: PAGE, cursor: nextCursor.value } } }));
    for (const job of page.items) put(job);
    order.value = [...order.value, ...page.items.map((j) => j.id).filter((id) => !order.value.includes(id))];
    nextCursor.value = page.next_cursor;
  }

  async function get(id: string): Promise<Job> {
    return put(await call(api.GET("/api/v1/jobs/{job_id}", { params: { path: { job_id: id } } })));
  }

  async function start(kind: JobKind, params: Record<string, unknown>): Promise<Job> {
    const job = put(await call(api.POST("/api/v1/jobs", { body: { kind, params } })));
    addToHistory(job.id);
    return job;
  }

  async function cancel(id: string): Promise<Job> {
    return put(await call(api.POST("/api/v1/jobs/{job_id}/cancel", { params: { path: { job_id: id } } })));
  }

  /** The file as the request body (the API reads the raw body, not a multipart form). */
  async function upload(file: File): Promise<Upload> {
    return call(
      api.POST("/api/v1/jobs/uploads", {
        params: { query: { name: file.name.slice(0, 255) } },
        body: file as never,
        bodySerializer: (body: unknown) => body as BodyInit,
        headers: { "Content-Type": file.type || "text/csv" },
      }),
    );
  }

  /** The result file's text (the import report), read with the access token. */
  async function resultText(job: Job): Promise<string> {
    return call(api.GET("/api/v1/jobs/{job_id}/result", { params: { path: { job_id: job.id } }, parseAs: "text" }));
  }

  function onProgress(event: ProgressEvent): void {
    const known = byId.value[event.job_id];
    if (known) byId.value[event.job_id] = applyProgress(known, event);
  }

  /** job.finished / job.cancelled (the whole job): also for jobs started in another tab. */
  function onJob(job: Job): void {
    put(job);
    if (loaded.value) addToHistory(job.id);
  }

  return { byId, order, nextCursor, loaded, loadFirst, loadMore, get, start, cancel, upload, resultText, onProgress, onJob };
});
