// How a job reads in a list: its kind, what it was asked to do, its status colour and file size.
import type { Job } from "@/api/types";
import { isTerminal } from "@/stores/jobs";

type Translate = (key: string, named?: Record<string, unknown> | number) => string;
type Has = (key: string) => boolean;
type FormatDate = (value: Date, key: string) => string;

const UNITS = ["byte", "kilobyte", "megabyte", "gigabyte"] as const;

/** A file size in the user's language ("512 bytes", "1.5 MB", "1,5 МБ"), in units of 1024. */
export function formatSize(bytes: number, locale: string): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(locale, { style: "unit", unit: UNITS[unit], unitDisplay: unit === 0 ? "long" : "short", maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value);
}

export function kindLabel(kind: string, t: Translate, te: Has): string {
  return te(`jobs.kind.${kind}`) ? t(`jobs.kind.${kind}`) : kind;
}

export function statusSeverity(status: Job["status"]): "secondary" | "info" | "success" | "danger" | "warn" {
  return ({ queued: "secondary", active: "info", completed: "success", failed: "danger", cancelled: "warn" } as const)[status];
}

/**
 * The calendar day of a period's end as the server stored it (a time in the user's own zone, which
 * may not be the browser's): its date as written, and for the exclusive end at midnight the day before.
 */
export function periodDay(stored: string, end: boolean): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(stored);
  if (!m) return null;
  const day = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const midnight = (m[4] ?? "00") === "00" && (m[5] ?? "00") === "00";
  return end && midnight ? new Date(day.getFullYear(), day.getMonth(), day.getDate() - 1) : day;
}

const FILTERS = ["assignee", "creator", "status", "label", "priority", "deadline_from", "deadline_to", "q"];

/** One line on what the job works on: the project (or all), the filters or the period. */
export function jobSummary(job: Job, t: Translate, d: FormatDate, projectName: (id: string) => string | null): string {
  const p = job.params;
  const project = (key: string) => (typeof p[key] === "string" ? (projectName(p[key] as string) ?? t("jobs.unknownProject")) : t("jobs.allProjects"));
  if (job.kind === "export_tasks_csv") {
    const filters = FILTERS.filter((k) => p[k] !== undefined && p[k] !== null && p[k] !== "" && !(Array.isArray(p[k]) && !p[k].length)).length;
    return filters ? `${project("project")} · ${t("jobs.filterCount", filters)}` : project("project");
  }
  if (job.kind === "export_stats_csv") {
    const from = typeof p.from === "string" ? periodDay(p.from, false) : null;
    const to = typeof p.to === "string" ? periodDay(p.to, true) : null;
    const period = from && to ? `${d(from, "short")} – ${d(to, "short")}` : "";
    return [project("project"), period].filter(Boolean).join(" · ");
  }
  if (job.kind === "import_tasks_csv") {
    const into = typeof p.project_id === "string" ? (projectName(p.project_id) ?? t("jobs.unknownProject")) : t("jobs.unknownProject");
    return p.skip_invalid ? `${into} · ${t("jobs.import.skipInvalidShort")}` : into;
  }
  return "";
}

/** Whether a job can still be cancelled (queued or running). */
export function cancellable(job: Job): boolean {
  return !isTerminal(job.status);
}
