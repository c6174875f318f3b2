// Task filters live in the URL (a filtered board or list is a link to share): this maps the query to
// the filters, the filters to the API's parameters (GET /projects/{id}/tasks and GET /tasks take the
// same), and decides whether a task pushed over Socket.IO still belongs to what is shown.
import type { LocationQuery, LocationQueryRaw } from "vue-router";

import type { Priority, Task, TaskStatus } from "@/api/types";

import { dayStart } from "./zoned";

export const STATUSES: readonly TaskStatus[] = ["todo", "in_progress", "done", "cancelled"];
export const PRIORITIES: readonly Priority[] = ["low", "normal", "high", "urgent"];
export type StatusFilter = TaskStatus | "overdue";
export const STATUS_FILTERS: readonly StatusFilter[] = [...STATUSES, "overdue"];
export const SORT_FIELDS = ["number", "deadline", "priority", "updated", "position"] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type Sort = SortField | `-${SortField}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface TaskFilters {
  /** `me`, `none` or a user id. */
  assignee: string | null;
  /** `me` or a user id. */
  creator: string | null;
  /** One project (lists across projects). */
  project: string | null;
  labels: string[];
  priorities: Priority[];
  /** Any of these (`overdue` included: open tasks past their deadline). */
  statuses: StatusFilter[];
  /** Days `YYYY-MM-DD` in the user's zone; `to` includes its day. */
  from: string | null;
  to: string | null;
  q: string;
  sort: Sort | null;
}

export const NO_FILTERS: TaskFilters = {
  assignee: null,
  creator: null,
  project: null,
  labels: [],
  priorities: [],
  statuses: [],
  from: null,
  to: null,
  q: "",
  sort: null,
};

function one(query: LocationQuery, name: string): string | null {
  const value = query[name];
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === "string" && text.trim() !== "" ? text.trim() : null;
}

function many(query: LocationQuery, name: string): string[] {
  const value = query[name];
  const texts = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
  return [...new Set(texts.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean))];
}

function person(value: string | null, allowNone: boolean): string | null {
  if (value === null) return null;
  const lower = value.toLowerCase();
  if (lower === "me" || (allowNone && lower === "none")) return lower;
  return UUID.test(value) ? lower : null;
}

/** The filters a URL asks for; anything malformed is ignored rather than sent to the API. */
export function filtersFromQuery(query: LocationQuery): TaskFilters {
  const sort = one(query, "sort");
  const from = one(query, "from");
  const to = one(query, "to");
  const project = one(query, "project");
  return {
    assignee: person(one(query, "assignee"), true),
    creator: person(one(query, "creator"), false),
    project: project && UUID.test(project) ? project.toLowerCase() : null,
    labels: many(query, "label").filter((l) => l.length <= 50),
    priorities: many(query, "priority").filter((p): p is Priority => (PRIORITIES as string[]).includes(p)),
    statuses: many(query, "status").filter((s): s is StatusFilter => (STATUS_FILTERS as string[]).includes(s)),
    from: from && DAY.test(from) ? from : null,
    to: to && DAY.test(to) ? to : null,
    q: (one(query, "q") ?? "").slice(0, 200),
    sort: sort && (SORT_FIELDS as readonly string[]).includes(sort.replace(/^-/, "")) ? (sort as Sort) : null,
  };
}

/** The URL query of `filters`, keeping other keys of `base` (empty filters leave no trace). */
export function filtersToQuery(filters: TaskFilters, base: LocationQuery = {}): LocationQueryRaw {
  const query: LocationQueryRaw = { ...base };
  for (const key of ["assignee", "creator", "project", "label", "priority", "status", "from", "to", "q", "sort"]) delete query[key];
  if (filters.assignee) query.assignee = filters.assignee;
  if (filters.creator) query.creator = filters.creator;
  if (filters.project) query.project = filters.project;
  if (filters.labels.length) query.label = filters.labels.join(",");
  if (filters.priorities.length) query.priority = filters.priorities.join(",");
  if (filters.statuses.length) query.status = filters.statuses.join(",");
  if (filters.from) query.from = filters.from;
  if (filters.to) query.to = filters.to;
  if (filters.q.trim()) query.q = filters.q.trim();
  if (filters.sort) query.sort = filters.sort;
  return query;
}

export interface ApiTaskQuery {
  assignee?: string;
  creator?: string;
  project?: string;
  label?: string[];
  priority?: string;
  status?: string;
  deadline_from?: string;
  deadline_to?: string;
  q?: string;
  sort?: string;
}

/** GET /tasks parameters for `filters`; days are whole days in `timeZone`. */
export function filtersToApi(filters: TaskFilters, timeZone: string): ApiTaskQuery {
  const params: ApiTaskQuery = {};
  if (filters.assignee) params.assignee = filters.assignee;
  if (filters.creator) params.creator = filters.creator;
  if (filters.project) params.project = filters.project;
  if (filters.labels.length) params.label = [...filters.labels];
  if (filters.priorities.length) params.priority = filters.priorities.join(",");
  if (filters.statuses.length) params.status = filters.statuses.join(",");
  const from = filters.from ? dayStart(filters.from, timeZone) : null;
  const to = filters.to ? dayStart(filters.to, timeZone, 1) : null;
  if (from) params.deadline_from = from;
  if (to) params.deadline_to = to;
  if (filters.q.trim()) params.q = filters.q.trim();
  if (filters.sort) params.sort = filters.sort;
  return params;
}

/** How many filters narrow the view (for a badge on the filters button). */
export function activeFilterCount(filters: TaskFilters): number {
  return (
    Number(!!filters.assignee) +
    Number(!!filters.creator) +
    Number(!!filters.project) +
    Number(filters.labels.length > 0) +
    Number(filters.priorities.length > 0) +
    Number(filters.statuses.length > 0) +
    Number(!!filters.from || !!filters.to) +
    Number(!!filters.q.trim())
  );
}

/**
 * Whether the server would list `task` with `filters` (what a pushed change needs to know).
 * `me` is the signed-in user's id; `from`/`to` must be given as the instants filtersToApi computes.
 */
export function taskMatches(task: Task, filters: TaskFilters, me: string | null, range: { from: string | null; to: string | null }): boolean {
  if (filters.project && task.project_id !== filters.project) return false;
  if (filters.assignee === "none") {
    if (task.assignee_id !== null) return false;
  } else if (filters.assignee) {
    if (task.assignee_id !== (filters.assignee === "me" ? me : filters.assignee)) return false;
  }
  if (filters.creator && task.creator_id !== (filters.creator === "me" ? me : filters.creator)) return false;
  if (filters.labels.some((l) => !task.labels.includes(l))) return false;
  if (filters.priorities.length && !filters.priorities.includes(task.priority)) return false;
  if (filters.statuses.length) {
    const wanted = filters.statuses.includes(task.status) || (filters.statuses.includes("overdue") && task.overdue);
    if (!wanted) return false;
  }
  if (range.from || range.to) {
    if (!task.deadline) return false;
    const at = Date.parse(task.deadline);
    if (range.from && at < Date.parse(range.from)) return false;
    if (range.to && at >= Date.parse(range.to)) return false;
  }
  const q = filters.q.trim().toLocaleLowerCase();
  if (q && !task.title.toLocaleLowerCase().includes(q) && !task.description.toLocaleLowerCase().includes(q)) return false;
  return true;
}

const PRIORITY_RANK: Record<Priority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };
const NO_DEADLINE = Date.parse("9999-12-31T00:00:00Z");

function sortValue(task: Task, field: SortField): number {
  switch (field) {
    case "number":
      return task.number;
    case "deadline":
      return task.deadline ? Date.parse(task.deadline) : NO_DEADLINE;
    case "priority":
      return PRIORITY_RANK[task.priority];
    case "updated":
      return Date.parse(task.updated_at);
    case "position":
      return task.position;
  }
}

/** The comparator of the API's `sort` (ties by id, reversed with the order, as the server does). */
export function compareBy(sort: Sort): (a: Task, b: Task) => number {
  const descending = sort.startsWith("-");
  const field = sort.replace(/^-/, "") as SortField;
  const sign = descending ? -1 : 1;
  return (a, b) => {
    const x = sortValue(a, field);
    const y = sortValue(b, field);
    if (x !== y) return x < y ? -sign : sign;
    return a.id < b.id ? -sign : a.id > b.id ? sign : 0;
  };
}
