// Notifications: the list under live pushes, where a click may lead, times and counts in both
// languages, and the preferences sent back to the server.
import { describe, expect, it } from "vitest";

import type { Notification } from "@/api/types";
import { appendPage, internalLink, kindIcon, markAllRead, markRead, prepend, relativeTime } from "@/components/notifications/notificationList";
import { changedKinds, choicesOf, type Preferences, switchable, toggle, toUpdate } from "@/components/notifications/preferences";
import { i18n } from "@/i18n";

function note(id: string, read = false): Notification {
  return {
    id,
    kind: "task_assigned",
    title: `Note ${id}`,
    body: "",
    link: `/tasks/${id}`,
    data: {},
    created_at: "2026-05-01T10:00:00Z",
    read_at: read ? "2026-05-01T11:00:00Z" : null,
  };
}

describe("the notification list", () => {
  it("puts a pushed notification on top once", () => {
    const list = [note("b"), note("a")];
    expect(prepend(list, note("c")).map((n) => n.id)).toEqual(["c", "b", "a"]);
    expect(prepend(list, note("b"))).toBe(list);
  });

  it("appends the next page without the ones already on top", () => {
    const list = [note("d"), note("c")];
    expect(appendPage(list, [note("c"), note("b")]).map((n) => n.id)).toEqual(["d", "c", "b"]);
  });

  it("marks one or all read, keeping the first read time", () => {
    const list = [note("a"), note("b", true)];
    const one = markRead(list, "a", "2026-05-02T00:00:00Z");
    expect(one[0]?.read_at).toBe("2026-05-02T00:00:00Z");
    expect(one[1]?.read_at).toBe("2026-05-01T11:00:00Z");
    const all = markAllRead([note("x"), note("y", true)], "2026-05-03T00:00:00Z");
    expect(all.map((n) => n.read_at)).toEqual(["2026-05-03T00:00:00Z", "2026-05-01T11:00:00Z"]);
  });

  it("follows only links inside the dashboard", () => {
    expect(internalLink("/tasks/42")).toBe("/tasks/42");
    expect(internalLink("/tasks?assignee=me")).toBe("/tasks?assignee=me");
    expect(internalLink("//evil.example.com/x")).toBeNull();
    expect(internalLink("/\\evil.example.com")).toBeNull();
    expect(internalLink("https://example.com")).toBeNull();
    expect(internalLink(null)).toBeNull();
  });

  it("has an icon for every kind, known or not", () => {
    expect(kindIcon("task_overdue")).toBe("pi pi-exclamation-triangle");
    expect(kindIcon("chat_mention")).toBe("pi pi-at");
    expect(kindIcon("tasks_unassigned")).toBe("pi pi-user-minus");
    expect(kindIcon("something_new")).toBe("pi pi-bell");
  });

  it("says how long ago in either language, up to a week", () => {
    const now = new Date("2026-05-10T12:00:00Z");
    expect(relativeTime(new Date("2026-05-10T11:59:50Z"), now, "en")).toBe("now");
    expect(relativeTime(new Date("2026-05-10T11:55:00Z"), now, "en")).toBe("5 minutes ago");
    expect(relativeTime(new Date("2026-05-10T11:55:00Z"), now, "ru")).toBe("5 минут назад");
    expect(relativeTime(new Date("2026-05-10T09:00:00Z"), now, "ru")).toBe("3 часа назад");
    expect(relativeTime(new Date("2026-05-09T12:00:00Z"), now, "en")).toBe("yesterday");
    expect(relativeTime(new Date("2026-04-01T12:00:00Z"), now, "en")).toBeNull();
  });
});

describe("the bell's label", () => {
  it("counts unread notifications with plural forms", () => {
    const { t } = i18n.global;
    i18n.global.locale.value = "ru";
    expect([0, 1, 3, 5, 21].map((n) => t("notifications.bell", { n }))).toEqual([
      "Уведомления, нет непрочитанных",
      "Уведомления, 1 непрочитанное",
      "Уведомления, 3 непрочитанных",
      "Уведомления, 5 непрочитанных",
      "Уведомления, 21 непрочитанное",
    ]);
    i18n.global.locale.value = "en";
    expect([0, 1, 2].map((n) => t("notifications.bell", { n }))).toEqual([
      "Notifications, none unread",
      "Notifications, 1 unread",
      "Notifications, 2 unread",
    ]);
  });
});

describe("notification preferences", () => {
  const prefs: Preferences = {
    channels: ["in_app", "email", "telegram"],
    kinds: [
      { kind: "comment", label: "Comments", channels: ["in_app", "email"] },
      { kind: "task_assigned", label: "Assigned", channels: ["in_app"] },
    ],
  };

  it("offers every channel but in-app", () => {
    expect(switchable(prefs)).toEqual(["email", "telegram"]);
    expect(switchable({ channels: ["in_app"], kinds: [] })).toEqual([]);
  });

  it("keeps only the switchable channels of each kind", () => {
    expect(choicesOf(prefs)).toEqual({ comment: ["email"], task_assigned: [] });
  });

  it("finds the kinds that changed", () => {
    const before = choicesOf(prefs);
    let after = toggle(before, "task_assigned", "telegram", true);
    expect(changedKinds(before, after)).toEqual(["task_assigned"]);
    after = toggle(after, "task_assigned", "telegram", false);
    expect(changedKinds(before, after)).toEqual([]);
    after = toggle(toggle(before, "comment", "telegram", true), "comment", "email", false);
    expect(changedKinds(before, after)).toEqual(["comment"]);
  });

  it("sends every kind that goes somewhere besides in-app, and nothing about in-app", () => {
    const after = toggle(toggle(choicesOf(prefs), "task_assigned", "telegram", true), "comment", "email", false);
    expect(toUpdate(after)).toEqual({ kinds: [{ kind: "task_assigned", channels: ["telegram"] }] });
    expect(toUpdate(toggle(choicesOf(prefs), "comment", "telegram", true))).toEqual({
      kinds: [{ kind: "comment", channels: ["email", "telegram"] }],
    });
  });
});
