// Audit records made readable: `changes` maps a field to [before, after]; codes (roles, statuses,
// actions, entity types) get their names in the user's language when a text exists, else stay codes,
// so records of modules this build does not know still show what happened.
import type { RouteLocationRaw } from "vue-router";

import type { components } from "@/api/schema";

export type AuditEntry = components["schemas"]["AuditEntry"];

export interface Texts {
  t: (key: string, named?: Record<string, unknown>) => string;
  te: (key: string) => boolean;
  /** A moment as a date and time in the user's language. */
  when: (moment: Date) => string;
}

export interface Change {
  field: string;
  label: string;
  before: string;
  after: string;
}

const ISO_MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const MAX_TEXT = 160;
/** Fields whose values are codes with texts of their own. */
const CODED: Record<string, string> = {
  role: "roles",
  old_role: "roles",
  new_role: "roles",
  status: "status",
  priority: "priority",
};

function named(prefix: string, code: string, { t, te }: Texts): string {
  return te(`${prefix}.${code}`) ? t(`${prefix}.${code}`) : code;
}

/** One value of a change as text. */
export function formatValue(field: string, value: unknown, texts: Texts): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return texts.t(value ? "common.yes" : "common.no");
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.length ? value.map((v) => formatValue(field, v, texts)).join(", ") : "—";
  if (typeof value === "string") {
    const prefix = CODED[field];
    if (prefix) return named(prefix, value, texts);
    if (ISO_MOMENT.test(value)) {
      const moment = new Date(value);
      if (!Number.isNaN(moment.getTime())) return texts.when(moment);
    }
    return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT - 1)}…` : value;
  }
  const json = JSON.stringify(value);
  return json.length > MAX_TEXT ? `${json.slice(0, MAX_TEXT - 1)}…` : json;
}

/** Every field of `changes` with its name and both values, in the record's order. */
export function formatChanges(changes: Record<string, unknown>, texts: Texts): Change[] {
  return Object.entries(changes).map(([field, pair]) => {
    const [before, after] = Array.isArray(pair) && pair.length === 2 ? pair : [null, pair];
    return {
      field,
      label: named("admin.audit.field", field, texts),
      before: formatValue(field, before, texts),
      after: formatValue(field, after, texts),
    };
  });
}

/** The actions the backend records today, offered in the audit filter (any other code can be typed). */
export const KNOWN_ACTIONS = [
  "user.registered",
  "user.logged_in",
  "user.updated",
  "user.role_changed",
  "user.password_changed",
  "project.created",
  "project.updated",
  "project.archived",
  "project.restored",
  "member.added",
  "member.role_changed",
  "member.removed",
  "invitation.created",
  "invitation.accepted",
  "invitation.revoked",
  "task.created",
  "task.updated",
  "task.deleted",
  "task.restored",
  "task.overdue",
  "task.reminder_added",
  "task.reminder_removed",
  "comment.created",
  "comment.updated",
  "comment.deleted",
  "channel.created",
  "channel.updated",
  "channel.archived",
  "channel.member_added",
  "channel.member_removed",
  "message.created",
  "message.updated",
  "message.deleted",
  "notification.read",
  "notification.read_all",
  "notification.preferences_changed",
  "calendar_feed.created",
  "calendar_feed.revoked",
  "job.created",
  "job.finished",
  "job.cancelled",
  "job.retried",
] as const;

export function actionLabel(action: string, texts: Texts): string {
  return named("admin.audit.action", action, texts);
}

export function entityLabel(entityType: string, texts: Texts): string {
  return named("admin.audit.entity", entityType, texts);
}

/**
 * Who did it: `known` is the name found for the actor's id (records of signed-in requests carry the
 * id only), then the recorded name; "System" for the system's own work.
 */
export function actorLabel(
  entry: Pick<AuditEntry, "actor_name" | "actor_kind" | "actor_id">,
  texts: Texts,
  known?: string | null,
): string {
  if (known) return known;
  if (entry.actor_kind === "system") {
    return entry.actor_name ? `${texts.t("admin.audit.system")} (${entry.actor_name})` : texts.t("admin.audit.system");
  }
  return entry.actor_name ?? entry.actor_id ?? "—";
}

/** Where the dashboard shows the record's object, when it has a screen an administrator can open. */
export function entityLink(entry: Pick<AuditEntry, "entity_type" | "entity_id" | "project_id">): RouteLocationRaw | null {
  switch (entry.entity_type) {
    case "task":
      return { name: "task", params: { taskId: entry.entity_id } };
    case "project":
      return { name: "project-settings", params: { projectId: entry.entity_id } };
    case "project_member":
    case "invitation":
      return entry.project_id ? { name: "project-settings", params: { projectId: entry.project_id } } : null;
    default:
      return null;
  }
}

/** The line of a failure that says what went wrong: a traceback's last line, else the first. */
export function errorSummary(error: string | null): string {
  if (!error) return "—";
  const lines = error.split("\n").map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) return "—";
  const traceback = lines[0]?.startsWith("Traceback");
  return (traceback ? lines.at(-1) : lines[0]) ?? "—";
}
