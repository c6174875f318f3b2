// Administration: filters become the API's query parameters, roles come from the schema's enum with
// their names in both languages, and cursor paging steps back and forth without mixing up answers.
import { describe, expect, it } from "vitest";

import { type CursorPage, useCursorPages } from "@/components/admin/cursorPages";
import { auditQuery, dayRange, userQuery } from "@/components/admin/queries";
import { roleChoices, roleLabel, SYSTEM_ROLES } from "@/components/admin/roles";
import { i18n } from "@/i18n";

describe("user filters", () => {
  it("leaves out what is not set and trims the text", () => {
    expect(userQuery({ text: "  ", role: null, active: null })).toEqual({ limit: 25 });
    expect(userQuery({ text: " ivan ", role: "admin", active: false }, "c1", 10)).toEqual({
      q: "ivan",
      role: "admin",
      active: false,
      cursor: "c1",
      limit: 10,
    });
    expect(userQuery({ text: "", role: null, active: true }).active).toBe(true);
  });
});

describe("audit filters", () => {
  it("maps actor, project, action and a range of whole local days", () => {
    const from = new Date(2030, 0, 15, 13, 45);
    const to = new Date(2030, 0, 31, 9, 0);
    expect(auditQuery({ actor: "u1", project: "p1", action: " member.added ", from, to }, "next")).toEqual({
      limit: 25,
      actor: "u1",
      project: "p1",
      action: "member.added",
      from: new Date(2030, 0, 15).toISOString(),
      to: new Date(2030, 1, 1).toISOString(),
      cursor: "next",
    });
  });

  it("sends no empty filter and puts a reversed range the right way round", () => {
    expect(auditQuery({ actor: null, project: null, action: "", from: null, to: null })).toEqual({ limit: 25 });
    const later = new Date(2030, 5, 10);
    const earlier = new Date(2030, 5, 1);
    expect(dayRange(later, earlier)).toEqual({ from: new Date(2030, 5, 1).toISOString(), to: new Date(2030, 5, 11).toISOString() });
    expect(dayRange(null, earlier)).toEqual({ to: new Date(2030, 5, 2).toISOString() });
  });
});

describe("system roles", () => {
  const { t, te } = i18n.global;

  it("come from the schema's enum, administrators first", () => {
    expect(SYSTEM_ROLES).toEqual(["admin", "lead", "manager"]);
  });

  it("offer a role this build does not know (or no longer knows) when a user has it", () => {
    expect(roleChoices("lead")).toEqual(["admin", "lead", "manager"]);
    expect(roleChoices("member")).toEqual(["admin", "lead", "manager", "member"]);
    expect(roleChoices("auditor")).toEqual(["admin", "lead", "manager", "auditor"]);
  });

  it("have names in both languages, the organisation roles included", () => {
    i18n.global.locale.value = "ru";
    expect(["admin", "member", "lead", "manager"].map((r) => roleLabel(r, t, te))).toEqual([
      "Администратор",
      "Участник",
      "Руководитель",
      "Менеджер",
    ]);
    i18n.global.locale.value = "en";
    expect(["lead", "manager", "auditor"].map((r) => roleLabel(r, t, te))).toEqual(["Lead", "Manager", "auditor"]);
  });
});

describe("cursor pages", () => {
  const data = ["a", "b", "c", "d", "e"];
  const fetchPage = async (cursor: string | null) => {
    const start = cursor ? Number(cursor) : 0;
    const end = start + 2;
    return { items: data.slice(start, end), next_cursor: end < data.length ? String(end) : null };
  };

  it("goes forward with the API's cursors and back with the ones it kept", async () => {
    const pages = useCursorPages(fetchPage);
    await pages.first();
    expect([pages.items.value, pages.page.value, pages.hasPrevious.value, pages.hasNext.value]).toEqual([["a", "b"], 1, false, true]);
    await pages.next();
    await pages.next();
    expect([pages.items.value, pages.page.value, pages.hasNext.value]).toEqual([["e"], 3, false]);
    await pages.next();
    expect(pages.page.value).toBe(3);
    await pages.previous();
    expect([pages.items.value, pages.page.value]).toEqual([["c", "d"], 2]);
    await pages.first();
    expect([pages.items.value, pages.page.value]).toEqual([["a", "b"], 1]);
  });

  it("drops an answer that comes after a newer request's", async () => {
    type Page = CursorPage<string>;
    const resolvers: ((page: Page) => void)[] = [];
    const pages = useCursorPages(() => new Promise<Page>((resolve) => resolvers.push(resolve)));
    const older = pages.first();
    const newer = pages.first();
    resolvers[1]?.({ items: ["new"], next_cursor: null });
    resolvers[0]?.({ items: ["old"], next_cursor: null });
    await Promise.all([older, newer]);
    expect(pages.items.value).toEqual(["new"]);
  });
});
