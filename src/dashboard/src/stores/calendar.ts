// The calendar: the tasks of the visible range, the view and filters the user chose (kept in this
// browser), moving a deadline, and the private ICS feed URLs for calendar apps.
import { defineStore } from "pinia";
import { ref, shallowRef, watch } from "vue";

import { api, call } from "@/api/client";
import { ApiError } from "@/api/problem";
import type { components } from "@/api/schema";
import type { Task } from "@/api/types";
import {
  type CalendarFilters,
  type CalendarItem,
  type ColourBy,
  calendarQuery,
  deadlinePatch,
  EMPTY_FILTERS,
  sameMoment,
} from "@/components/calendar/calendarEvents";

export type CalendarFeed = components["schemas"]["CalendarFeed"];
export type NewCalendarFeed = components["schemas"]["NewCalendarFeed"];
export type FeedCreate = components["schemas"]["CalendarFeedCreate"];
export type CalendarViewName = "dayGridMonth" | "timeGridWeek" | "timeGridDay";

const STORED = "workhub.calendar";

interface Stored {
  view: CalendarViewName;
  colourBy: ColourBy;
  filters: CalendarFilters;
}

function restore(): Stored {
  const fallback: Stored = { view: "dayGridMonth", colourBy: "project", filters: { ...EMPTY_FILTERS } };
  try {
    const raw = globalThis.localStorage?.getItem(STORED);
    if (!raw) return fallback;
    const saved = JSON.parse(raw) as Partial<Stored>;
    return {
      view: saved.view && ["dayGridMonth", "timeGridWeek", "timeGridDay"].includes(saved.view) ? saved.view : fallback.view,
      colourBy: saved.colourBy === "priority" ? "priority" : "project",
      filters: { ...EMPTY_FILTERS, ...saved.filters },
    };
  } catch {
    return fallback;
  }
}

/** A 409 for a task someone else moved after the calendar read it (the calendar's items carry no version). */
function movedMeanwhile(task: Task): ApiError {
  return new ApiError(409, {
    type: "about:blank",
    title: "Conflict",
    status: 409,
    code: "version_conflict",
    current: task,
  });
}

export const useCalendar = defineStore("calendar", () => {
  const saved = restore();
  const view = ref<CalendarViewName>(saved.view);
  const colourBy = ref<ColourBy>(saved.colourBy);
  const filters = ref<CalendarFilters>(saved.filters);
  const items = shallowRef<CalendarItem[]>([]);
  const truncated = ref(false);
  const range = shallowRef<{ start: Date; end: Date } | null>(null);
  const feeds = ref<CalendarFeed[]>([]);
  let sequence = 0;

  watch(
    [view, colourBy, filters],
    () => {
      const keep: Stored = { view: view.value, colourBy: colourBy.value, filters: filters.value };
      globalThis.localStorage?.setItem(STORED, JSON.stringify(keep));
    },
    { deep: true },
  );

  /** Read the tasks of a range (an answer overtaken by a newer request is dropped). */
  async function load(start: Date, end: Date): Promise<void> {
    range.value = { start, end };
    const mine = ++sequence;
    const answer = await call(api.GET("/api/v1/calendar", { params: { query: calendarQuery(start, end, filters.value) } }));
    if (mine !== sequence) return;
    items.value = answer.items;
    truncated.value = answer.truncated;
  }

  /** The range shown again (after a filter or a live change). */
  async function reload(): Promise<void> {
    if (range.value) await load(range.value.start, range.value.end);
  }

  /**
   * Move a task's deadline to `when`. The task is read first for its `version`; if its deadline is no
   * longer the one the calendar showed, someone moved it meanwhile and this is a version conflict.
   */
  async function moveDeadline(item: CalendarItem, when: Date): Promise<Task> {
    const path = { task_id: item.id };
    const task = await call(api.GET("/api/v1/tasks/{task_id}", { params: { path } }));
    if (!sameMoment(task.deadline, item.deadline)) throw movedMeanwhile(task);
    const updated = await call(api.PATCH("/api/v1/tasks/{task_id}", { params: { path }, body: deadlinePatch(task.version, when) }));
    items.value = items.value.map((i) =>
      i.id === updated.id && updated.deadline ? { ...i, deadline: updated.deadline, overdue: updated.overdue, status: updated.status } : i,
    );
    return updated;
  }

  async function loadFeeds(): Promise<void> {
    feeds.value = (await call(api.GET("/api/v1/calendar/feeds"))).items;
  }

  async function createFeed(body: FeedCreate): Promise<NewCalendarFeed> {
    const feed = await call(api.POST("/api/v1/calendar/feeds", { body }));
    // The list keeps no URL: it is secret and shown only once, by the caller.
    const listed: CalendarFeed = { id: feed.id, scope: feed.scope, project_id: feed.project_id, include: feed.include, created_at: feed.created_at };
    feeds.value = [listed, ...feeds.value.filter((f) => f.id !== feed.id)];
    return feed;
  }

  async function revokeFeed(id: string): Promise<void> {
    await call(api.DELETE("/api/v1/calendar/feeds/{feed_id}", { params: { path: { feed_id: id } } }));
    feeds.value = feeds.value.filter((f) => f.id !== id);
  }

  function resetFilters(): void {
    filters.value = { ...EMPTY_FILTERS };
  }

  return {
    view,
    colourBy,
    filters,
    items,
    truncated,
    range,
    feeds,
    load,
    reload,
    moveDeadline,
    loadFeeds,
    createFeed,
    revokeFeed,
    resetFilters,
  };
});
