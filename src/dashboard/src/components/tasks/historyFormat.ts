// A task's audit records as people read them: who did it, and each field's before → after in words
// (status and priority names, people's names, times in the reader's zone) rather than stored values.
import type { AuditEntry } from "@/stores/tasks";

import { formatMoment } from "./zoned";

type Translate = (key: string, named?: Record<string, unknown>) => string;
type Has = (key: string) => boolean;

export interface ChangeLine {
  field: string;
  label: string;
  /** Null when the values say nothing to a reader (a board move, a new description). */
  before: string | null;
  after: string | null;
}

export interface HistoryLine {
  id: string;
  at: string;
  actor: string;
  action: string;
  changes: ChangeLine[];
  /** Comment text, shortened. */
  excerpt: string | null;
}

export interface HistoryContext {
  t: Translate;
  te: Has;
  locale: string;
  timeZone: string;
  nameOf: (userId: string) => string | null;
}

const SHOWN_FIELDS = ["title", "status", "priority", "assignee_id", "deadline", "labels", "description", "position", "overdue", "completed_at"];

function excerpt(text: unknown, length = 140): string | null {
  if (typeof text !== "string" || !text) return null;
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

function value(field: string, raw: unknown, ctx: HistoryContext): string {
  const { t } = ctx;
  if (raw === null || raw === undefined || (Array.isArray(raw) && raw.length === 0) || raw === "") return t("tasks.history.empty");
  switch (field) {
    case "status":
      return ctx.te(`status.${String(raw)}`) ? t(`status.${String(raw)}`) : String(raw);
    case "priority":
      return ctx.te(`priority.${String(raw)}`) ? t(`priority.${String(raw)}`) : String(raw);
    case "assignee_id":
      return ctx.nameOf(String(raw)) ?? t("tasks.unknownPerson");
    case "deadline":
    case "completed_at":
      return formatMoment(String(raw), ctx.locale, ctx.timeZone);
    case "labels":
      return Array.isArray(raw) ? raw.join(", ") : String(raw);
    case "overdue":
      return raw === true ? t("common.yes") : t("common.no");
    default:
      return String(raw);
  }
}

/** One audit record of a task, ready to show. */
export function historyLine(entry: AuditEntry, ctx: HistoryContext): HistoryLine {
  const { t, te } = ctx;
  const actionKey = `tasks.history.actions.${entry.action.replace(/\./g, "_")}`;
  const actor =
    entry.actor_kind === "system"
      ? t("tasks.history.system")
      : (entry.actor_name ?? (entry.actor_id ? ctx.nameOf(entry.actor_id) : null) ?? t("tasks.unknownPerson"));
  const changes: ChangeLine[] = [];
  const isTaskChange = entry.action === "task.updated" || entry.action === "task.created" || entry.action === "task.overdue";
  if (isTaskChange) {
    for (const field of SHOWN_FIELDS) {
      const pair = entry.changes[field];
      if (!Array.isArray(pair) || pair.length !== 2) continue;
      if (entry.action === "task.created" && (field === "position" || field === "overdue")) continue;
      const label = t(`tasks.fields.${field}`);
      const quiet = field === "position" || field === "description";
      changes.push({
        field,
        label,
        before: quiet || entry.action === "task.created" ? null : value(field, pair[0], ctx),
        after: quiet ? null : value(field, pair[1], ctx),
      });
    }
  }
  const body = entry.changes.body;
  const text = Array.isArray(body) ? excerpt(entry.action === "comment.deleted" ? body[0] : body[1]) : null;
  return {
    id: entry.id,
    at: formatMoment(entry.occurred_at, ctx.locale, ctx.timeZone),
    actor,
    action: te(actionKey) ? t(actionKey) : entry.action,
    changes,
    excerpt: text,
  };
}
