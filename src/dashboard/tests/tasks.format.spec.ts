// Mentions as the server reads them, history records in words, and bulk changes that report each failure.
import { describe, expect, it } from "vitest";

import type { Member } from "@/api/types";
import { runBulk } from "@/components/tasks/bulk";
import { historyLine, type HistoryContext } from "@/components/tasks/historyFormat";
import { activeMention, insertMention, mentionCandidates, mentionHandle } from "@/components/tasks/mentions";
import { i18n } from "@/i18n";
import type { AuditEntry } from "@/stores/tasks";

const member = (name: string, email: string, id = name): Member => ({ user_id: id, name, email, role: "editor", joined_at: "2026-01-01T00:00:00Z" });
const ivan = member("Иван Петров", "ivan.petrov@example.com", "u1");
const jane = member("Jane O'Neil", "jane.oneil@example.com", "u2");
const bob = member("Bob", "bob@example.com", "u3");

describe("mentions", () => {
  it("uses the name without spaces, or the email's local part when the name cannot be a word", () => {
    expect(mentionHandle(ivan)).toBe("ИванПетров");
    expect(mentionHandle(jane)).toBe("jane.oneil");
  });

  it("finds the mention being typed, not an email address", () => {
    expect(activeMention("Thanks @Iv", 10)).toEqual({ start: 7, query: "Iv" });
    expect(activeMention("@", 1)).toEqual({ start: 0, query: "" });
    expect(activeMention("mail bob@exa", 12)).toBeNull();
    expect(activeMention("done @bob and", 13)).toBeNull();
  });

  it("suggests members by handle, email and name, best first", () => {
    expect(mentionCandidates([ivan, jane, bob], "b").map((m) => m.user_id)).toEqual(["u3"]);
    expect(mentionCandidates([ivan, jane, bob], "пет").map((m) => m.user_id)).toEqual(["u1"]);
    expect(mentionCandidates([ivan, jane, bob], "").length).toBe(3);
  });

  it("completes the word and puts the caret after it", () => {
    const text = "Ask @Iv about it";
    const mention = activeMention(text, 7)!;
    expect(insertMention(text, mention, 7, "ИванПетров")).toEqual({ text: "Ask @ИванПетров about it", caret: 16 });
  });
});

describe("historyLine", () => {
  const { t, te } = i18n.global;
  const ctx = (): HistoryContext => ({
    t: (key, named) => (named ? t(key, named) : t(key)),
    te: (key) => te(key),
    locale: "en",
    timeZone: "UTC",
    nameOf: (id) => ({ u1: "Ivan", u2: "Jane" })[id] ?? null,
  });
  const entry = (fields: Partial<AuditEntry>): AuditEntry => ({
    id: "e1",
    occurred_at: "2026-05-01T09:30:00Z",
    actor_kind: "user",
    actor_id: "u1",
    actor_name: null,
    action: "task.updated",
    entity_type: "task",
    entity_id: "t1",
    project_id: "p1",
    changes: {},
    request_id: null,
    ip: null,
    ...fields,
  });

  it("names the actor and says each field's before and after in words", () => {
    i18n.global.locale.value = "en";
    const line = historyLine(
      entry({
        changes: {
          status: ["todo", "done"],
          assignee_id: [null, "u2"],
          deadline: ["2026-05-01T15:00:00+00:00", null],
          position: [-1, -5],
          completed_at: [null, "2026-05-01T09:30:00+00:00"],
        },
      }),
      ctx(),
    );
    expect(line.actor).toBe("Ivan");
    expect(line.action).toBe("changed the task");
    expect(line.changes.map((c) => [c.label, c.before, c.after])).toEqual([
      ["Status", "To do", "Done"],
      ["Assignee", "—", "Jane"],
      ["Deadline", expect.stringContaining("2026"), "—"],
      ["Board order", null, null],
      ["Completed", "—", expect.stringContaining("2026")],
    ]);
  });

  it("shows the system, comments and unknown actions readably", () => {
    i18n.global.locale.value = "ru";
    const overdue = historyLine(entry({ actor_kind: "system", actor_id: null, action: "task.overdue", changes: { overdue: [false, true] } }), ctx());
    expect(overdue.actor).toBe("Система");
    expect(overdue.changes[0]).toMatchObject({ label: "Просрочена", before: "Нет", after: "Да" });
    const comment = historyLine(entry({ action: "comment.created", changes: { body: [null, "Hello\n\n@Jane"] } }), ctx());
    expect(comment.excerpt).toBe("Hello @Jane");
    expect(historyLine(entry({ action: "task.something_new" }), ctx()).action).toBe("task.something_new");
    i18n.global.locale.value = "en";
  });
});

describe("runBulk", () => {
  it("applies to every item a few at a time and keeps each failure", async () => {
    let running = 0;
    let most = 0;
    const result = await runBulk(
      [1, 2, 3, 4, 5, 6, 7],
      async (n) => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        if (n % 3 === 0) throw new Error(`no ${n}`);
      },
      3,
    );
    expect(most).toBeLessThanOrEqual(3);
    expect(result.done.sort()).toEqual([1, 2, 4, 5, 7]);
    expect(result.failed.map((f) => [f.item, (f.error as Error).message])).toEqual([
      [3, "no 3"],
      [6, "no 6"],
    ]);
  });
});
