// The project's inbound log: how an event reads (status colour, excerpt, sender), its filters as the
// address keeps them, and pages appended by cursor without showing an event twice.
import { describe, expect, it } from "vitest";

import type { Inbound } from "@/api/types";
import {
  appendPage,
  excerpt,
  filtersFromQuery,
  filtersToQuery,
  INBOUND_STATUSES,
  mergeEvent,
  senderLabel,
  statusSeverity,
} from "@/components/inbound/inboundFormat";

function event(id: string): Inbound {
  return {
    id,
    source: "example",
    status: "processed",
    project_id: "p",
    task_id: null,
    sender: {},
    text: "hello",
    fields: {},
    rule_runs: [],
    error: null,
    received_at: "2026-12-07T10:00:00Z",
    processed_at: null,
  };
}

describe("inbound events as shown", () => {
  it("lists the statuses in the order of an event's life, each with its colour", () => {
    expect(INBOUND_STATUSES).toEqual(["accepted", "processed", "ignored", "failed"]);
    expect(INBOUND_STATUSES.map(statusSeverity)).toEqual(["info", "success", "secondary", "danger"]);
  });

  it("keeps short texts, and cuts long ones at a word on one line", () => {
    expect(excerpt("  two\n lines ")).toBe("two lines");
    const long = "word ".repeat(60);
    const cut = excerpt(long, 30);
    expect(cut.endsWith("…")).toBe(true);
    expect(cut.length).toBeLessThanOrEqual(31);
    expect(cut).toBe("word word word word word word…");
    expect(excerpt("x".repeat(50), 10)).toBe(`${"x".repeat(10)}…`);
  });

  it("names the sender by name and address, whichever is known", () => {
    expect(senderLabel({ name: "Ann", address: "ann@example.com" })).toBe("Ann <ann@example.com>");
    expect(senderLabel({ address: "example:42" })).toBe("example:42");
    expect(senderLabel({ name: "Bot", address: "Bot" })).toBe("Bot");
    expect(senderLabel({ name: " ", address: null })).toBeNull();
  });
});

describe("filters in the address", () => {
  it("reads only known statuses and a non-empty source", () => {
    expect(filtersFromQuery({ status: "failed", source: " example " })).toEqual({ status: "failed", source: "example" });
    expect(filtersFromQuery({ status: "bogus", source: "" })).toEqual({ status: null, source: null });
    expect(filtersFromQuery({ status: ["failed"] })).toEqual({ status: null, source: null });
  });

  it("writes only the filters that are set", () => {
    expect(filtersToQuery({ status: null, source: "example" })).toEqual({ source: "example" });
    expect(filtersToQuery({ status: "ignored", source: null })).toEqual({ status: "ignored" });
  });
});

describe("load more", () => {
  it("appends the next page, each event once", () => {
    const shown = [event("a"), event("b")];
    expect(appendPage(shown, [event("b"), event("c")]).map((e) => e.id)).toEqual(["a", "b", "c"]);
  });
});

describe("an event the worker dealt with (pushed)", () => {
  const none = { status: null, source: null };
  const processed = { ...event("b"), status: "processed" as const, task_id: "t" };

  it("replaces the event where it is shown", () => {
    const shown = [event("a"), { ...event("b"), status: "accepted" as const }];
    expect(mergeEvent(shown, processed, none)).toEqual([event("a"), processed]);
  });

  it("puts a new event first, when it matches the filters", () => {
    expect(mergeEvent([event("a")], processed, none).map((e) => e.id)).toEqual(["b", "a"]);
    expect(mergeEvent([event("a")], processed, { status: "failed", source: null }).map((e) => e.id)).toEqual(["a"]);
    expect(mergeEvent([event("a")], processed, { status: null, source: "telegram" }).map((e) => e.id)).toEqual(["a"]);
  });

  it("drops an event that no longer matches the status filter", () => {
    const accepted = { ...event("b"), status: "accepted" as const };
    expect(mergeEvent([accepted], processed, { status: "accepted", source: null })).toEqual([]);
  });
});
