// Audit records read as sentences: names for actors, actions, objects and fields, values before → after.
import { describe, expect, it } from "vitest";

import {
  actionLabel,
  actorLabel,
  entityLabel,
  entityLink,
  errorSummary,
  formatChanges,
  formatValue,
  KNOWN_ACTIONS,
  type Texts,
} from "@/components/admin/auditFormat";
import { i18n } from "@/i18n";
import en from "@/locales/en.json";
import ru from "@/locales/ru.json";

const { t, te, d } = i18n.global;
const texts: Texts = { t, te, when: (moment) => d(moment, "long") };

describe("audit changes", () => {
  it("names fields and translates roles, booleans and empty values", () => {
    i18n.global.locale.value = "en";
    expect(formatChanges({ role: ["member", "admin"], is_active: [true, false], email: [null, "a@example.com"] }, texts)).toEqual([
      { field: "role", label: "Role", before: "Member", after: "Administrator" },
      { field: "is_active", label: "Active", before: "Yes", after: "No" },
      { field: "email", label: "Email", before: "—", after: "a@example.com" },
    ]);
    i18n.global.locale.value = "ru";
    expect(formatChanges({ role: ["editor", "viewer"], status: ["todo", "done"] }, texts)).toEqual([
      { field: "role", label: "Роль", before: "Редактор", after: "Наблюдатель" },
      { field: "status", label: "Статус", before: "К выполнению", after: "Готово" },
    ]);
  });

  it("keeps codes it has no text for, and shows moments, lists and objects readably", () => {
    i18n.global.locale.value = "en";
    const moment = "2030-03-01T09:30:00Z";
    expect(formatValue("deadline", moment, texts)).toBe(d(new Date(moment), "long"));
    expect(formatValue("labels", ["ops", "urgent"], texts)).toBe("ops, urgent");
    expect(formatValue("labels", [], texts)).toBe("—");
    expect(formatValue("params", { a: 1 }, texts)).toBe('{"a":1}');
    expect(formatValue("role", "auditor", texts)).toBe("auditor");
    expect(formatValue("title", "x".repeat(500), texts)).toHaveLength(160);
    expect(formatChanges({ weird_field: 3 }, texts)).toEqual([{ field: "weird_field", label: "weird_field", before: "—", after: "3" }]);
  });

  it("names actions and objects, falling back to their codes", () => {
    i18n.global.locale.value = "en";
    expect(actionLabel("member.role_changed", texts)).toBe("Member's role changed");
    expect(actionLabel("plugin.did_something", texts)).toBe("plugin.did_something");
    expect(entityLabel("project_member", texts)).toBe("Member");
    expect(entityLabel("widget", texts)).toBe("widget");
  });

  it("has a name in both languages for every action the filter offers", () => {
    const named = (tree: unknown, path: string) =>
      path.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
    for (const action of KNOWN_ACTIONS) {
      expect(typeof named(en, `admin.audit.action.${action}`), action).toBe("string");
      expect(typeof named(ru, `admin.audit.action.${action}`), action).toBe("string");
    }
  });

  it("names the actor by the id's known name, then the recorded one; the system as such", () => {
    i18n.global.locale.value = "en";
    const user = { actor_kind: "user", actor_id: "u1", actor_name: null };
    expect(actorLabel(user, texts, "Ivan")).toBe("Ivan");
    expect(actorLabel(user, texts)).toBe("u1");
    expect(actorLabel({ ...user, actor_name: "Ivan P" }, texts)).toBe("Ivan P");
    expect(actorLabel({ actor_kind: "system", actor_id: null, actor_name: "overdue-sweep" }, texts)).toBe("System (overdue-sweep)");
  });

  it("links to the screens that show the object", () => {
    expect(entityLink({ entity_type: "task", entity_id: "t1", project_id: "p1" })).toEqual({ name: "task", params: { taskId: "t1" } });
    expect(entityLink({ entity_type: "project_member", entity_id: "u1", project_id: "p1" })).toEqual({
      name: "project-settings",
      params: { projectId: "p1" },
    });
    expect(entityLink({ entity_type: "job", entity_id: "j1", project_id: null })).toBeNull();
  });
});

describe("failed job errors", () => {
  it("shows a traceback's last line, or a message's first", () => {
    const traceback = 'Traceback (most recent call last):\n  File "x.py", line 1, in run\n    UUID(job_id)\nValueError: badly formed hexadecimal UUID string\n';
    expect(errorSummary(traceback)).toBe("ValueError: badly formed hexadecimal UUID string");
    expect(errorSummary("boom: the supplier's API is down")).toBe("boom: the supplier's API is down");
    expect(errorSummary(null)).toBe("—");
  });
});
