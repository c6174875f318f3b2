// The calendar: tasks as events, their colours (readable under white text), the range query, and
// moving a deadline with an explicit offset and the task's current version.
import { createPinia, setActivePinia } from "pinia";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { Task } from "@/api/types";
import {
  type CalendarItem,
  calendarQuery,
  deadlinePatch,
  EMPTY_FILTERS,
  eventColour,
  PRIORITY_COLOURS,
  PROJECT_PALETTE,
  projectColour,
  sameMoment,
  toEvent,
  touchesRange,
  withOffset,
} from "@/components/calendar/calendarEvents";
import { webcalUrl } from "@/components/calendar/clipboard";

const mocks = vi.hoisted(() => ({ GET: vi.fn(), PATCH: vi.fn() }));
vi.mock("@/api/client", () => ({
  api: { GET: mocks.GET, PATCH: mocks.PATCH },
  call: async <T>(pending: Promise<T>) => pending,
}));

const { useCalendar } = await import("@/stores/calendar");

function item(overrides: Partial<CalendarItem> = {}): CalendarItem {
  return {
    id: "t1",
    key: "OPS-1",
    title: "Ship it",
    deadline: "2026-05-01T15:00:00Z",
    status: "todo",
    overdue: false,
    priority: "normal",
    assignee_id: null,
    project_id: "p1",
    project_key: "OPS",
    ...overrides,
  };
}

function task(overrides: Partial<Task> = {}): Task {
  return {
    id: "t1",
    key: "OPS-1",
    number: 1,
    title: "Ship it",
    description: "",
    status: "todo",
    priority: "normal",
    labels: [],
    assignee_id: null,
    creator_id: null,
    deadline: "2026-05-01T15:00:00Z",
    completed_at: null,
    created_at: "2026-04-01T00:00:00Z",
    updated_at: "2026-04-01T00:00:00Z",
    overdue: false,
    position: 1,
    project_id: "p1",
    source: "web",
    source_ref: null,
    version: 7,
    ...overrides,
  };
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const contrastWithWhite = (hex: string) => 1.05 / (luminance(hex) + 0.05);

describe("calendar events", () => {
  const order = ["p1", "p2"];
  const anyone = () => true;

  it("maps a task to a timed event that links to the task and carries it", () => {
    const event = toEvent(item(), { colourBy: "project", order, canMove: anyone });
    expect(event).toMatchObject({
      id: "t1",
      title: "OPS-1 Ship it",
      start: "2026-05-01T15:00:00Z",
      allDay: false,
      url: "/tasks/t1",
      editable: true,
      durationEditable: false,
      textColor: "#ffffff",
      backgroundColor: PROJECT_PALETTE[0],
    });
    expect(event.extendedProps?.item).toEqual(item());
    expect(event.classNames).not.toContain("wh-overdue");
  });

  it("marks overdue tasks and leaves tasks the caller may not move fixed", () => {
    const event = toEvent(item({ overdue: true }), { colourBy: "project", order, canMove: () => false });
    expect(event.classNames).toContain("wh-overdue");
    expect(event.editable).toBe(false);
  });

  it("colours by project or by priority", () => {
    expect(eventColour(item({ project_id: "p2" }), "project", order)).toBe(PROJECT_PALETTE[1]);
    expect(eventColour(item({ priority: "urgent" }), "priority", order)).toBe(PRIORITY_COLOURS.urgent);
    expect(eventColour(item({ priority: "low" }), "priority", order)).toBe(PRIORITY_COLOURS.low);
  });

  it("gives the first twelve projects twelve colours, and an unknown project a stable one", () => {
    const ids = Array.from({ length: 12 }, (_, i) => `p${i}`);
    expect(new Set(ids.map((id) => projectColour(id, ids))).size).toBe(12);
    expect(projectColour("elsewhere", ids)).toBe(projectColour("elsewhere", ids));
    expect(PROJECT_PALETTE).toContain(projectColour("elsewhere", []));
  });

  it("keeps white text readable on every colour (WCAG AA, 4.5:1)", () => {
    for (const colour of [...PROJECT_PALETTE, ...Object.values(PRIORITY_COLOURS)]) {
      expect(contrastWithWhite(colour), colour).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe("moving a deadline", () => {
  it("writes the wall-clock time with an explicit offset", () => {
    const moment = new Date("2026-05-01T15:00:00Z");
    expect(withOffset(moment, 180)).toBe("2026-05-01T18:00:00+03:00");
    expect(withOffset(moment, -330)).toBe("2026-05-01T09:30:00-05:30");
    expect(withOffset(moment, 0)).toBe("2026-05-01T15:00:00+00:00");
    expect(withOffset(new Date("2026-12-31T22:30:00Z"), 120)).toBe("2027-01-01T00:30:00+02:00");
  });

  it("uses the browser's own offset at that date by default", () => {
    const moment = new Date("2026-05-01T15:00:00Z");
    const text = withOffset(moment);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(new Date(text).getTime()).toBe(moment.getTime());
  });

  it("sends the version it read with the deadline", () => {
    expect(deadlinePatch(7, new Date("2026-05-03T09:00:00Z"), 180)).toEqual({ version: 7, deadline: "2026-05-03T12:00:00+03:00" });
  });

  it("compares moments, not spellings", () => {
    expect(sameMoment("2026-05-01T18:00:00+03:00", "2026-05-01T15:00:00Z")).toBe(true);
    expect(sameMoment("2026-05-01T18:00:00+03:00", "2026-05-01T18:00:00Z")).toBe(false);
    expect(sameMoment(null, null)).toBe(true);
    expect(sameMoment(null, "2026-05-01T15:00:00Z")).toBe(false);
  });
});

describe("the range query", () => {
  const start = new Date("2026-04-27T00:00:00Z");
  const end = new Date("2026-06-08T00:00:00Z");

  it("leaves out empty filters", () => {
    expect(calendarQuery(start, end, EMPTY_FILTERS)).toEqual({ from: "2026-04-27T00:00:00.000Z", to: "2026-06-08T00:00:00.000Z" });
  });

  it("joins lists with commas and splits labels", () => {
    const query = calendarQuery(start, end, {
      project: "p1",
      assignee: "me",
      status: ["todo", "overdue"],
      priority: ["high", "urgent"],
      label: " bug, ui ,",
      q: "  login ",
    });
    expect(query).toMatchObject({ project: "p1", assignee: "me", status: "todo,overdue", priority: "high,urgent", label: ["bug", "ui"], q: "login" });
  });

  it("knows whether a change lands in the range shown", () => {
    expect(touchesRange("2026-05-01T00:00:00Z", start, end)).toBe(true);
    expect(touchesRange("2026-06-08T00:00:00Z", start, end)).toBe(false);
    expect(touchesRange(null, start, end)).toBe(false);
  });
});

describe("the calendar store", () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    mocks.GET.mockReset();
    mocks.PATCH.mockReset();
  });

  it("reads the task's version, then patches its deadline", async () => {
    const calendar = useCalendar();
    calendar.items = [item()];
    mocks.GET.mockResolvedValue(task({ version: 7 }));
    mocks.PATCH.mockResolvedValue(task({ version: 8, deadline: "2026-05-03T15:00:00Z" }));
    const when = new Date("2026-05-03T15:00:00Z");

    const updated = await calendar.moveDeadline(item(), when);

    expect(updated.version).toBe(8);
    const [path, init] = mocks.PATCH.mock.calls[0] as [string, { params: unknown; body: { version: number; deadline: string } }];
    expect(path).toBe("/api/v1/tasks/{task_id}");
    expect(init.params).toEqual({ path: { task_id: "t1" } });
    expect(init.body.version).toBe(7);
    expect(init.body.deadline).toMatch(/[+-]\d\d:\d\d$/);
    expect(new Date(init.body.deadline).getTime()).toBe(when.getTime());
    expect(calendar.items[0]?.deadline).toBe("2026-05-03T15:00:00Z");
  });

  it("refuses to move a task someone else moved meanwhile", async () => {
    const calendar = useCalendar();
    mocks.GET.mockResolvedValue(task({ deadline: "2026-05-02T10:00:00Z" }));
    await expect(calendar.moveDeadline(item(), new Date("2026-05-03T15:00:00Z"))).rejects.toMatchObject({
      status: 409,
      code: "version_conflict",
    });
    expect(mocks.PATCH).not.toHaveBeenCalled();
  });
});

describe("feed links", () => {
  it("opens the subscription dialog of the calendar app with webcal://", () => {
    expect(webcalUrl("https://hub.example.com/api/v1/calendar/feeds/abc.ics")).toBe("webcal://hub.example.com/api/v1/calendar/feeds/abc.ics");
    expect(webcalUrl("http://127.0.0.1:8000/api/v1/calendar/feeds/abc.ics")).toBe("webcal://127.0.0.1:8000/api/v1/calendar/feeds/abc.ics");
  });
});
