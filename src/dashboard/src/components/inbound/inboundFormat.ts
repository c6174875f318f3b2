// How the project's inbound log shows an event, and its filters as the address keeps them
// (?status=failed&source=telegram), so a filtered log can be linked to and survives a reload.
import type { LocationQuery } from "vue-router";

import type { Inbound, InboundStatus } from "@/api/types";

/**
 * Every status an event can have, in the order of its life. Keyed by the schema's enum: a status the
 * backend adds fails vue-tsc here until it is listed (and translated).
 */
const ORDER = { accepted: 0, processed: 1, ignored: 2, failed: 3 } satisfies Record<InboundStatus, number>;
export const INBOUND_STATUSES = (Object.keys(ORDER) as InboundStatus[]).sort((a, b) => ORDER[a] - ORDER[b]);

export function statusSeverity(status: InboundStatus): "info" | "success" | "secondary" | "danger" {
  return ({ accepted: "info", processed: "success", ignored: "secondary", failed: "danger" } as const)[status];
}

/** The start of a long text on one line, cut at a word where one is near. */
export function excerpt(text: string, max = 140): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Who sent it: a name with the address beside it, else whichever is known (null: nothing is). */
export function senderLabel(sender: Inbound["sender"]): string | null {
  const name = sender.name?.trim();
  const address = sender.address?.trim();
  if (name && address && name !== address) return `${name} <${address}>`;
  return name || address || null;
}

export interface InboundFilters {
  status: InboundStatus | null;
  source: string | null;
}

export function filtersFromQuery(query: LocationQuery): InboundFilters {
  const status = typeof query.status === "string" && (INBOUND_STATUSES as string[]).includes(query.status) ? (query.status as InboundStatus) : null;
  const source = typeof query.source === "string" && query.source.trim() ? query.source.trim().slice(0, 20) : null;
  return { status, source };
}

/** The filters as the address's query (absent ones left out). */
export function filtersToQuery(filters: InboundFilters): Record<string, string> {
  const query: Record<string, string> = {};
  if (filters.status) query.status = filters.status;
  if (filters.source) query.source = filters.source;
  return query;
}

/** Events of a page appended to those shown, each once (an event can move pages while paging). */
export function appendPage(shown: Inbound[], page: Inbound[]): Inbound[] {
  const seen = new Set(shown.map((e) => e.id));
  return [...shown, ...page.filter((e) => !seen.has(e.id))];
}

/**
 * The log after an event changed (pushed as `inbound.processed`): replaced where it is shown, dropped
 * when it no longer matches the filters, and put first when it is new to the log and matches them.
 */
export function mergeEvent(shown: Inbound[], event: Inbound, filters: InboundFilters): Inbound[] {
  const matches = (!filters.status || event.status === filters.status) && (!filters.source || event.source === filters.source);
  const at = shown.findIndex((e) => e.id === event.id);
  if (at >= 0) return matches ? shown.map((e, i) => (i === at ? event : e)) : shown.filter((_, i) => i !== at);
  return matches ? [event, ...shown] : shown;
}
