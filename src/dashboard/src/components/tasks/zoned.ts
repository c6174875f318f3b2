// Times in the user's own time zone (their profile's `timezone`, not the browser's): PrimeVue's
// DatePicker edits a Date in the browser's zone, so the picker is given a Date whose local fields show
// the wall clock of the user's zone, and what it answers is read back the same way.

const partsFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let format = partsFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsFormats.set(timeZone, format);
  }
  return format;
}

/** A zone the browser knows, else UTC (a profile may name a zone this browser lacks). */
export function safeZone(timeZone: string | null | undefined): string {
  if (!timeZone) return "UTC";
  try {
    partsFormat(timeZone);
    return timeZone;
  } catch {
    return "UTC";
  }
}

/** Minutes the zone is ahead of UTC at the instant `ms`. */
export function offsetMinutes(ms: number, timeZone: string): number {
  const parts = partsFormat(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The wall clock of `timeZone` at the instant `iso`, as a Date whose local fields show it (for the picker). */
export function toWallClock(iso: string, timeZone: string): Date {
  const ms = Date.parse(iso);
  const shifted = new Date(ms + offsetMinutes(ms, timeZone) * 60_000);
  return new Date(
    shifted.getUTCFullYear(),
    shifted.getUTCMonth(),
    shifted.getUTCDate(),
    shifted.getUTCHours(),
    shifted.getUTCMinutes(),
    shifted.getUTCSeconds(),
  );
}

/** The instant (ISO, UTC) when `timeZone`'s clock shows the local fields of `wall`. */
export function fromWallClock(wall: Date, timeZone: string): string {
  const asUtc = Date.UTC(wall.getFullYear(), wall.getMonth(), wall.getDate(), wall.getHours(), wall.getMinutes(), wall.getSeconds());
  let guess = asUtc - offsetMinutes(asUtc, timeZone) * 60_000;
  // Once more with the offset at the guess: right across a daylight-saving change.
  guess = asUtc - offsetMinutes(guess, timeZone) * 60_000;
  return new Date(guess).toISOString();
}

/** `YYYY-MM-DD` of a Date's local fields. */
export function isoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** A `YYYY-MM-DD` as a local Date at midnight (for a date picker), or null when it is not a date. */
export function parseIsoDate(text: string | null | undefined): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? "");
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return isoDate(date) === text ? date : null;
}

/** The instant a day (`YYYY-MM-DD`) starts in `timeZone`; `days` moves to a later day. */
export function dayStart(day: string, timeZone: string, days = 0): string | null {
  const date = parseIsoDate(day);
  if (!date) return null;
  date.setDate(date.getDate() + days);
  return fromWallClock(date, timeZone);
}

const displayFormats = new Map<string, Intl.DateTimeFormat>();

/** A moment as the user reads it: in their zone and language (`withTime` false: the date only). */
export function formatMoment(iso: string | null | undefined, locale: string, timeZone: string, withTime = true): string {
  if (!iso) return "";
  const key = `${locale}|${timeZone}|${withTime}`;
  let format = displayFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      timeZone,
      year: "numeric",
      month: "short",
      day: "numeric",
      ...(withTime ? { hour: "2-digit", minute: "2-digit" } : {}),
    });
    displayFormats.set(key, format);
  }
  return format.format(new Date(iso));
}

/**
 * A date and time typed in a picker's field (`dateFormat` in PrimeVue's tokens: `dd`/`d`, `mm`/`m`,
 * `yy` for a four-digit year), with the time as `HH:mm`; null unless the whole text is one. PrimeVue's
 * own parser fails on 24-hour times, so the pickers read typed text with this.
 */
export function parseDateTimeText(text: string, dateFormat: string): Date | null {
  const match = /^\s*(\S+)\s+(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!match) return null;
  const order: ("d" | "m" | "y")[] = [];
  let pattern = "";
  for (const token of dateFormat.match(/dd|d|mm|m|yy|y|[^dmy]+/g) ?? []) {
    const kind = token[0];
    if (kind === "d" || kind === "m" || kind === "y") {
      order.push(kind);
      pattern += kind === "y" ? "(\\d{4})" : "(\\d{1,2})";
    } else {
      pattern += token.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
    }
  }
  const parts = new RegExp(`^${pattern}$`).exec(match[1] as string);
  if (!parts || order.length !== 3) return null;
  const value = (kind: "d" | "m" | "y") => Number(parts[order.indexOf(kind) + 1]);
  const [hour, minute] = [Number(match[2]), Number(match[3])];
  if (hour > 23 || minute > 59) return null;
  const date = new Date(value("y"), value("m") - 1, value("d"), hour, minute);
  return date.getDate() === value("d") && date.getMonth() === value("m") - 1 ? date : null;
}
