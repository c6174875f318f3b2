// The profile form: time zones to choose from, and the PATCH /api/v1/me body of what changed.
import type { components } from "@/api/schema";
import type { Me } from "@/api/types";
import { normalise, sameOffsets } from "@/components/profile/offsets";

export type UserUpdate = components["schemas"]["UserUpdate"];

export interface ProfileFields {
  name: string;
  timezone: string;
  digest_enabled: boolean;
  digest_hour: number;
  reminder_offsets: number[];
}

export function fieldsOf(me: Me): ProfileFields {
  return {
    name: me.name,
    timezone: me.timezone,
    digest_enabled: me.digest_enabled,
    digest_hour: me.digest_hour,
    reminder_offsets: normalise(me.reminder_offsets),
  };
}

/** Only the fields that differ from the saved profile (an empty object: nothing to save). */
export function profileChanges(me: Me, form: ProfileFields): UserUpdate {
  const body: UserUpdate = {};
  if (form.name.trim() !== me.name) body.name = form.name.trim();
  if (form.timezone !== me.timezone) body.timezone = form.timezone;
  if (form.digest_enabled !== me.digest_enabled) body.digest_enabled = form.digest_enabled;
  if (form.digest_hour !== me.digest_hour) body.digest_hour = form.digest_hour;
  if (!sameOffsets(form.reminder_offsets, me.reminder_offsets)) body.reminder_offsets = normalise(form.reminder_offsets);
  return body;
}

/** "UTC+03:00" for a zone at a moment (offsets change with daylight saving). */
export function zoneOffset(zone: string, at: Date): string {
  try {
    const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")?.value;
    if (!part || part === "GMT") return "UTC+00:00";
    return part.replace("GMT", "UTC");
  } catch {
    return "";
  }
}

/** The IANA zones this browser knows (plus the saved one, which it may call by an older name). */
export function timeZoneNames(current: string | null): string[] {
  let names: string[] = [];
  try {
    names = Intl.supportedValuesOf("timeZone");
  } catch {
    names = [];
  }
  const all = new Set(names);
  all.add("UTC");
  if (current) all.add(current);
  return [...all].sort((a, b) => a.localeCompare(b));
}

export interface ZoneOption {
  value: string;
  label: string;
}

export function zoneOptions(current: string | null, at: Date = new Date()): ZoneOption[] {
  return timeZoneNames(current).map((value) => {
    const offset = zoneOffset(value, at);
    const name = value.replace(/_/g, " ");
    return { value, label: offset ? `${name} (${offset})` : name };
  });
}
