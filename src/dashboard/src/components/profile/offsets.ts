// Reminder offsets: minutes before a deadline, as the API keeps them (at most 10, up to 60 days,
// largest first), and as people say them ("1 day 2 hours", "1 день 2 часа").

export const MAX_OFFSETS = 10;
export const MAX_MINUTES = 60 * 24 * 60;
export const PRESETS = [15, 30, 60, 120, 24 * 60, 2 * 24 * 60, 7 * 24 * 60] as const;
export type Unit = "minutes" | "hours" | "days";
export const UNIT_MINUTES: Record<Unit, number> = { minutes: 1, hours: 60, days: 24 * 60 };

type Translate = (key: string, plural: number) => string;

/** Sorted largest first without repeats, as the server stores them. */
export function normalise(offsets: readonly number[]): number[] {
  return [...new Set(offsets.map((m) => Math.round(m)))].sort((a, b) => b - a);
}

export function sameOffsets(a: readonly number[], b: readonly number[]): boolean {
  return normalise(a).join(",") === normalise(b).join(",");
}

export function toMinutes(amount: number, unit: Unit): number {
  return Math.round(amount * UNIT_MINUTES[unit]);
}

export type AddProblem = "full" | "tooLong" | "invalid" | "duplicate";

/** Why an offset cannot be added, or null when it can. */
export function cannotAdd(offsets: readonly number[], minutes: number): AddProblem | null {
  if (!Number.isFinite(minutes) || minutes < 0) return "invalid";
  if (minutes > MAX_MINUTES) return "tooLong";
  if (offsets.includes(minutes)) return "duplicate";
  if (offsets.length >= MAX_OFFSETS) return "full";
  return null;
}

/** The biggest unit that divides the offset evenly, for the custom editor. */
export function bestUnit(minutes: number): { amount: number; unit: Unit } {
  if (minutes > 0 && minutes % UNIT_MINUTES.days === 0) return { amount: minutes / UNIT_MINUTES.days, unit: "days" };
  if (minutes > 0 && minutes % UNIT_MINUTES.hours === 0) return { amount: minutes / UNIT_MINUTES.hours, unit: "hours" };
  return { amount: minutes, unit: "minutes" };
}

/** "1 day 2 hours 30 minutes"; zero is the deadline itself. */
export function formatOffset(minutes: number, t: Translate): string {
  if (minutes <= 0) return t("profile.reminders.atDeadline", 0);
  const days = Math.floor(minutes / UNIT_MINUTES.days);
  const hours = Math.floor((minutes % UNIT_MINUTES.days) / UNIT_MINUTES.hours);
  const rest = minutes % UNIT_MINUTES.hours;
  const parts: string[] = [];
  if (days) parts.push(t("profile.units.days", days));
  if (hours) parts.push(t("profile.units.hours", hours));
  if (rest) parts.push(t("profile.units.minutes", rest));
  return parts.join(" ");
}
