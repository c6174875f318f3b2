// The notification list as live events change it: new ones on top (once, whatever the order of the
// page load and the push), read marks from this or another tab, and where a notification leads.
import type { Notification } from "@/api/types";

/** A new notification on top, unless the list has it already (a page read after the push). */
export function prepend(list: Notification[], note: Notification): Notification[] {
  return list.some((n) => n.id === note.id) ? list : [note, ...list];
}

/** The next page after the ones shown, leaving out any the live push already put on top. */
export function appendPage(list: Notification[], page: Notification[]): Notification[] {
  const known = new Set(list.map((n) => n.id));
  return [...list, ...page.filter((n) => !known.has(n.id))];
}

export function markRead(list: Notification[], id: string, at: string): Notification[] {
  return list.map((n) => (n.id === id && !n.read_at ? { ...n, read_at: at } : n));
}

export function markAllRead(list: Notification[], at: string): Notification[] {
  return list.map((n) => (n.read_at ? n : { ...n, read_at: at }));
}

/** A link inside the dashboard (`/tasks/<id>`); anything else, `//host` included, is not followed. */
export function internalLink(link: string | null | undefined): string | null {
  if (!link || !link.startsWith("/") || link.startsWith("//") || link.startsWith("/\\")) return null;
  return link;
}

const ICONS: Record<string, string> = {
  task_assigned: "pi pi-user-plus",
  status_changed: "pi pi-sync",
  deadline_changed: "pi pi-calendar",
  task_overdue: "pi pi-exclamation-triangle",
  all_done: "pi pi-check-circle",
  comment: "pi pi-comment",
  mention: "pi pi-at",
  project_invited: "pi pi-envelope",
  member_removed: "pi pi-user-minus",
  tasks_unassigned: "pi pi-user-minus",
  system_role_changed: "pi pi-shield",
  reminder: "pi pi-clock",
  digest: "pi pi-list",
  job_finished: "pi pi-cog",
};

export function kindIcon(kind: string): string {
  if (ICONS[kind]) return ICONS[kind];
  if (kind.includes("mention")) return "pi pi-at";
  if (kind.startsWith("job")) return "pi pi-cog";
  return "pi pi-bell";
}

const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 7],
];

/** "5 minutes ago" / "5 минут назад" up to a week; older ones get their date from the caller. */
export function relativeTime(at: Date, now: Date, locale: string): string | null {
  let amount = (at.getTime() - now.getTime()) / 1000;
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  if (Math.abs(amount) < 45) return format.format(0, "second");
  for (const [unit, size] of STEPS) {
    if (Math.abs(amount) < size) return format.format(Math.round(amount), unit);
    amount /= size;
  }
  return null;
}
