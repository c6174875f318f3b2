// The filters of the administration tabs as the API's query parameters: empty filters are left out
// (an empty `q` or `action` would filter for the empty string), days become a half-open time range.
import type { operations } from "@/api/schema";

export const PAGE_SIZE = 25;

export type UserQuery = NonNullable<operations["AdminListUsers"]["parameters"]["query"]>;
export type AuditQuery = NonNullable<operations["AdminAudit"]["parameters"]["query"]>;

export interface UserFilters {
  text: string;
  role: string | null;
  active: boolean | null;
}

export interface AuditFilters {
  actor: string | null;
  project: string | null;
  action: string | null;
  /** The first day shown (from its local midnight). */
  from: Date | null;
  /** The last day shown, whole (up to the next local midnight). */
  to: Date | null;
}

export function userQuery(filters: UserFilters, cursor?: string | null, limit = PAGE_SIZE): UserQuery {
  const query: UserQuery = { limit };
  const text = filters.text.trim();
  if (text) query.q = text;
  if (filters.role) query.role = filters.role;
  if (filters.active !== null) query.active = filters.active;
  if (cursor) query.cursor = cursor;
  return query;
}

function startOfDay(day: Date): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate());
}

function nextDay(day: Date): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1);
}

/** `from`/`to` as the API reads them: `from` inclusive, `to` exclusive, both as UTC instants. */
export function dayRange(from: Date | null, to: Date | null): { from?: string; to?: string } {
  let [first, last] = [from, to];
  if (first && last && first > last) [first, last] = [last, first];
  return {
    ...(first ? { from: startOfDay(first).toISOString() } : {}),
    ...(last ? { to: nextDay(last).toISOString() } : {}),
  };
}

export function auditQuery(filters: AuditFilters, cursor?: string | null, limit = PAGE_SIZE): AuditQuery {
  const query: AuditQuery = { limit, ...dayRange(filters.from, filters.to) };
  if (filters.actor) query.actor = filters.actor;
  if (filters.project) query.project = filters.project;
  const action = filters.action?.trim();
  if (action) query.action = action;
  if (cursor) query.cursor = cursor;
  return query;
}
