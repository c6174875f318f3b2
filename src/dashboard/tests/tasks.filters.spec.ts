// Filters in the URL and in API parameters, whole days in the user's zone, whether a pushed task
// still belongs to a filtered view, and the client-side copy of the API's sorts.
import { describe, expect, it } from "vitest";

import type { Task } from "@/api/types";
import { compareBy, filtersFromQuery, filtersToApi, filtersToQuery, NO_FILTERS, taskMatches, type TaskFilters } from "@/components/tasks/filters";
import { dayStart, fromWallClock, offsetMinutes, parseDateTimeText, parseIsoDate, toWallClock } from "@/components/tasks/zoned";

const ME = "0190aaaa-0000-7000-8000-000000000001";
const ANN = "0190aaaa-0000-7000-8000-000000000002";
const PROJECT = "0190bbbb-0000-7000-8000-000000000001";

function task(fields: Partial<Task> = {}): Task {
  return {
    id: "0190cccc-0000-7000-8000-000000000001",
    project_id: PROJECT,
    number: 1,
    key: "OPS-1",
    title: "Call the bank",
    description: "About the **prepayment**",
    status: "todo",
    overdue: false,
    priority: "normal",
    labels: ["finance"],
    assignee_id: ME,
    creator_id: ANN,
    deadline: "2026-05-01T15:00:00Z",
    completed_at: null,
    source: "web",
    source_ref: null,
    version: 1,
    created_at: "2026-04-01T10:00:00Z",
    updated_at: "2026-04-02T10:00:00Z",
    position: -1,
    ...fields,
  };
}

describe("filters in the URL", () => {
  it("reads every filter and drops malformed values", () => {
    const filters = filtersFromQuery({
      assignee: "ME",
      creator: "none",
      project: "not-a-uuid",
      label: ["finance,calls", "finance"],
      priority: "high,critical",
      status: "todo,overdue,later",
      from: "2026-05-01",
      to: "May 5",
      q: "  bank ",
      sort: "-deadline",
    });
    expect(filters).toEqual({
      assignee: "me",
      creator: null,
      project: null,
      labels: ["finance", "calls"],
      priorities: ["high"],
      statuses: ["todo", "overdue"],
      from: "2026-05-01",
      to: null,
      q: "bank",
      sort: "-deadline",
    });
    expect(filtersFromQuery({ sort: "title" }).sort).toBeNull();
    expect(filtersFromQuery({ assignee: ANN.toUpperCase() }).assignee).toBe(ANN);
  });

  it("writes them back so that reading the URL gives the same filters, keeping other keys", () => {
    const filters: TaskFilters = {
      ...NO_FILTERS,
      assignee: "none",
      labels: ["a", "b"],
      priorities: ["urgent", "low"],
      statuses: ["overdue"],
      from: "2026-01-01",
      to: "2026-01-31",
      q: "report",
      sort: "priority",
    };
    const query = filtersToQuery(filters, { task: "x", label: "old" });
    expect(query).toEqual({
      task: "x",
      assignee: "none",
      label: "a,b",
      priority: "urgent,low",
      status: "overdue",
      from: "2026-01-01",
      to: "2026-01-31",
      q: "report",
      sort: "priority",
    });
    expect(filtersFromQuery(query as Record<string, string>)).toEqual(filters);
    expect(filtersToQuery(NO_FILTERS, { assignee: "me" })).toEqual({});
  });
});

describe("filters for the API", () => {
  it("sends days as whole days of the user's zone, the last one included", () => {
    const params = filtersToApi({ ...NO_FILTERS, from: "2026-03-01", to: "2026-03-31", labels: ["x"], statuses: ["todo", "overdue"] }, "Europe/Moscow");
    expect(params).toEqual({
      label: ["x"],
      status: "todo,overdue",
      deadline_from: "2026-02-28T21:00:00.000Z",
      deadline_to: "2026-03-31T21:00:00.000Z",
    });
    expect(filtersToApi(NO_FILTERS, "UTC")).toEqual({});
  });
});

describe("taskMatches", () => {
  const none = { from: null, to: null };

  it("follows each filter as the server does", () => {
    const t = task();
    expect(taskMatches(t, NO_FILTERS, ME, none)).toBe(true);
    expect(taskMatches(t, { ...NO_FILTERS, assignee: "me" }, ME, none)).toBe(true);
    expect(taskMatches(t, { ...NO_FILTERS, assignee: "me" }, ANN, none)).toBe(false);
    expect(taskMatches(t, { ...NO_FILTERS, assignee: "none" }, ME, none)).toBe(false);
    expect(taskMatches(task({ assignee_id: null }), { ...NO_FILTERS, assignee: "none" }, ME, none)).toBe(true);
    expect(taskMatches(t, { ...NO_FILTERS, creator: ANN }, ME, none)).toBe(true);
    expect(taskMatches(t, { ...NO_FILTERS, labels: ["finance", "calls"] }, ME, none)).toBe(false);
    expect(taskMatches(t, { ...NO_FILTERS, priorities: ["high", "urgent"] }, ME, none)).toBe(false);
    expect(taskMatches(t, { ...NO_FILTERS, q: "PREPAYMENT" }, ME, none)).toBe(true);
    expect(taskMatches(t, { ...NO_FILTERS, q: "invoice" }, ME, none)).toBe(false);
    expect(taskMatches(t, { ...NO_FILTERS, project: "0190bbbb-0000-7000-8000-000000000009" }, ME, none)).toBe(false);
  });

  it("combines statuses and overdue with OR", () => {
    const late = task({ status: "in_progress", overdue: true });
    const filters = { ...NO_FILTERS, statuses: ["todo", "overdue"] as TaskFilters["statuses"] };
    expect(taskMatches(late, filters, ME, none)).toBe(true);
    expect(taskMatches(task({ status: "in_progress" }), filters, ME, none)).toBe(false);
    expect(taskMatches(task({ status: "todo" }), filters, ME, none)).toBe(true);
  });

  it("keeps deadlines in [from, to) and leaves tasks without one out", () => {
    const range = { from: "2026-05-01T00:00:00Z", to: "2026-05-02T00:00:00Z" };
    expect(taskMatches(task(), NO_FILTERS, ME, range)).toBe(true);
    expect(taskMatches(task({ deadline: "2026-05-02T00:00:00Z" }), NO_FILTERS, ME, range)).toBe(false);
    expect(taskMatches(task({ deadline: null }), NO_FILTERS, ME, range)).toBe(false);
  });
});

describe("compareBy", () => {
  const a = task({ id: "a", number: 1, priority: "urgent", deadline: null, updated_at: "2026-04-03T00:00:00Z", position: 5 });
  const b = task({ id: "b", number: 2, priority: "low", deadline: "2026-05-01T00:00:00Z", updated_at: "2026-04-01T00:00:00Z", position: -2 });
  const c = task({ id: "c", number: 3, priority: "low", deadline: "2026-04-01T00:00:00Z", updated_at: "2026-04-02T00:00:00Z", position: -2 });
  const ids = (sort: Parameters<typeof compareBy>[0]) => [a, b, c].sort(compareBy(sort)).map((t) => t.id);

  it("sorts like the API, ties by id and reversed with the order", () => {
    expect(ids("number")).toEqual(["a", "b", "c"]);
    expect(ids("-number")).toEqual(["c", "b", "a"]);
    expect(ids("deadline")).toEqual(["c", "b", "a"]);
    expect(ids("-deadline")).toEqual(["a", "b", "c"]);
    expect(ids("priority")).toEqual(["b", "c", "a"]);
    expect(ids("-priority")).toEqual(["a", "c", "b"]);
    expect(ids("-updated")).toEqual(["a", "c", "b"]);
    expect(ids("position")).toEqual(["b", "c", "a"]);
  });
});

describe("times in the user's zone", () => {
  it("shows the zone's wall clock to the picker and reads it back", () => {
    const wall = toWallClock("2026-05-01T15:00:00Z", "Europe/Moscow");
    expect([wall.getFullYear(), wall.getMonth(), wall.getDate(), wall.getHours(), wall.getMinutes()]).toEqual([2026, 4, 1, 18, 0]);
    expect(fromWallClock(wall, "Europe/Moscow")).toBe("2026-05-01T15:00:00.000Z");
    expect(fromWallClock(new Date(2026, 0, 15, 9, 30), "America/New_York")).toBe("2026-01-15T14:30:00.000Z");
  });

  it("is right on both sides of a daylight-saving change", () => {
    expect(offsetMinutes(Date.parse("2026-03-08T06:00:00Z"), "America/New_York")).toBe(-300);
    expect(offsetMinutes(Date.parse("2026-03-08T08:00:00Z"), "America/New_York")).toBe(-240);
    expect(fromWallClock(new Date(2026, 2, 8, 9, 0), "America/New_York")).toBe("2026-03-08T13:00:00.000Z");
    expect(dayStart("2026-03-08", "America/New_York", 1)).toBe("2026-03-09T04:00:00.000Z");
  });

  it("parses only real dates", () => {
    expect(parseIsoDate("2026-02-30")).toBeNull();
    expect(parseIsoDate("2026-02-28")?.getDate()).toBe(28);
  });

  it("reads a typed date and 24-hour time in the picker's format", () => {
    const at = (d: Date | null) => d && [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()];
    expect(at(parseDateTimeText("05/01/2031 18:30", "mm/dd/yy"))).toEqual([2031, 5, 1, 18, 30]);
    expect(at(parseDateTimeText("1.5.2031 09:05", "dd.mm.yy"))).toEqual([2031, 5, 1, 9, 5]);
    expect(at(parseDateTimeText("2031-05-01 00:00", "yy-mm-dd"))).toEqual([2031, 5, 1, 0, 0]);
    expect(parseDateTimeText("31.02.2031 10:00", "dd.mm.yy")).toBeNull();
    expect(parseDateTimeText("05/01/2031 24:00", "mm/dd/yy")).toBeNull();
    expect(parseDateTimeText("05/01/2031", "mm/dd/yy")).toBeNull();
    expect(parseDateTimeText("05/01/31 10:00", "mm/dd/yy")).toBeNull();
  });
});
