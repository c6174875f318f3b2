// What the calendar shows: tasks as FullCalendar events coloured by project or priority, the query
// for a visible range, and the PATCH that moves a deadline (with the browser's explicit UTC offset,
// since the API refuses a deadline without a zone).
import type { EventInput } from "@fullcalendar/core";

import type { components } from "@/api/schema";
import type { Priority, TaskStatus } from "@/api/types";

export type CalendarItem = components["schemas"]["CalendarItem"];
export type ColourBy = "project" | "priority";
export type AssigneeFilter = "me" | "none" | null;

export interface CalendarFilters {
  project: string | null;
  assignee: AssigneeFilter;
  status: (TaskStatus | "overdue")[];
  priority: Priority[];
  label: string;
  q: string;
}

export const EMPTY_FILTERS: CalendarFilters = { project: null, assignee: null, status: [], priority: [], label: "", q: "" };

/** Dark enough for white text at WCAG AA (4.5:1); distinct hues so neighbouring projects differ. */
export const PROJECT_PALETTE = [
  "#1d4ed8",
  "#047857",
  "#7e22ce",
  "#b45309",
  "#be123c",
  "#0f766e",
  "#4338ca",
  "#a21caf",
  "#c2410c",
  "#0369a1",
  "#4d7c0f",
  "#374151",
] as const;

export const PRIORITY_COLOURS: Record<Priority, string> = {
  low: "#475569",
  normal: "#1d4ed8",
  high: "#b45309",
  urgent: "#b91c1c",
};

export const PRIORITIES: Priority[] = ["low", "normal", "high", "urgent"];

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/**
 * A project's colour: by its place among the caller's projects (no two of the first twelve share one),
 * by a hash of its id for a project outside the list (an administrator's view).
 */
export function projectColour(projectId: string, order: readonly string[]): string {
  const at = order.indexOf(projectId);
  const index = at >= 0 ? at : hash(projectId);
  return PROJECT_PALETTE[index % PROJECT_PALETTE.length] as string;
}

export function eventColour(item: CalendarItem, by: ColourBy, order: readonly string[]): string {
  return by === "priority" ? PRIORITY_COLOURS[item.priority] : projectColour(item.project_id, order);
}

export interface EventOptions {
  colourBy: ColourBy;
  /** The caller's project ids in a stable order (for project colours). */
  order: readonly string[];
  /** Whether the caller may move this task's deadline (owners and editors of a live project). */
  canMove: (item: CalendarItem) => boolean;
}

export function toEvent(item: CalendarItem, options: EventOptions): EventInput {
  const colour = eventColour(item, options.colourBy, options.order);
  const classNames = ["wh-event", `wh-status-${item.status}`];
  if (item.overdue) classNames.push("wh-overdue");
  return {
    id: item.id,
    title: `${item.key} ${item.title}`,
    start: item.deadline,
    allDay: false,
    url: `/tasks/${item.id}`,
    backgroundColor: colour,
    borderColor: item.overdue ? "#7f1d1d" : colour,
    textColor: "#ffffff",
    editable: options.canMove(item),
    durationEditable: false,
    classNames,
    extendedProps: { item },
  };
}

function pad(n: number, width = 2): string {
  return String(Math.trunc(Math.abs(n))).padStart(width, "0");
}

/**
 * `2026-05-01T18:00:00+03:00`: the wall-clock time the user dropped the task on, with the offset it
 * had there (`offsetMinutes` east of UTC; the browser's own at that date by default, so a drop
 * across a daylight-saving change keeps the time the user saw).
 */
export function withOffset(date: Date, offsetMinutes: number = -date.getTimezoneOffset()): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const offset = `${sign}${pad(offsetMinutes / 60)}:${pad(offsetMinutes % 60)}`;
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${offset}`
  );
}

/** The body of PATCH /api/v1/tasks/{id} that moves a deadline. */
export function deadlinePatch(version: number, when: Date, offsetMinutes?: number): { version: number; deadline: string } {
  return { version, deadline: withOffset(when, offsetMinutes) };
}

/** Whether two timestamps (any offsets) are the same moment. */
export function sameMoment(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return new Date(a).getTime() === new Date(b).getTime();
}

export type CalendarQuery = {
  from: string;
  to: string;
  project?: string;
  assignee?: string;
  status?: string;
  priority?: string;
  label?: string[];
  q?: string;
};

/** GET /api/v1/calendar's query for a visible range and the filters (empty ones left out). */
export function calendarQuery(start: Date, end: Date, filters: CalendarFilters): CalendarQuery {
  const query: CalendarQuery = { from: start.toISOString(), to: end.toISOString() };
  if (filters.project) query.project = filters.project;
  if (filters.assignee) query.assignee = filters.assignee;
  if (filters.status.length) query.status = filters.status.join(",");
  if (filters.priority.length) query.priority = filters.priority.join(",");
  const labels = filters.label
    .split(",")
    .map((l) => l.trim())
    .filter(Boolean);
  if (labels.length) query.label = labels;
  if (filters.q.trim()) query.q = filters.q.trim();
  return query;
}

/** Whether a task event (its deadline) concerns the range shown: it is on it now or lands on it. */
export function touchesRange(deadline: string | null | undefined, start: Date | null, end: Date | null): boolean {
  if (!deadline || !start || !end) return false;
  const at = new Date(deadline).getTime();
  return at >= start.getTime() && at < end.getTime();
}
