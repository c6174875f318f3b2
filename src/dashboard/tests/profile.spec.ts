// The profile: reminder offsets as people say them (in both languages), their limits, time zones,
// and a PATCH of only what changed.
import { describe, expect, it } from "vitest";

import type { Me } from "@/api/types";
import { bestUnit, cannotAdd, formatOffset, MAX_OFFSETS, normalise, sameOffsets, toMinutes } from "@/components/profile/offsets";
import { fieldsOf, profileChanges, timeZoneNames, zoneOffset, zoneOptions } from "@/components/profile/profileForm";
import { i18n } from "@/i18n";

function say(locale: "ru" | "en", minutes: number): string {
  i18n.global.locale.value = locale;
  return formatOffset(minutes, (key, n) => i18n.global.t(key, n));
}

const me: Me = {
  id: "u1",
  email: "lena@example.com",
  name: "Lena",
  role: "manager",
  is_active: true,
  locale: "en",
  timezone: "Europe/Moscow",
  reminder_offsets: [1440, 60],
  digest_hour: 9,
  digest_enabled: true,
  created_at: "2026-01-01T00:00:00Z",
};

describe("reminder offsets", () => {
  it("reads in English", () => {
    expect([15, 60, 90, 1440, 2880, 1500, 0].map((m) => say("en", m))).toEqual([
      "15 minutes",
      "1 hour",
      "1 hour 30 minutes",
      "1 day",
      "2 days",
      "1 day 1 hour",
      "at the deadline",
    ]);
  });

  it("reads in Russian with its three plural forms", () => {
    expect([1, 3, 15, 21, 60, 120, 300, 1440, 2880, 7200].map((m) => say("ru", m))).toEqual([
      "1 минуту",
      "3 минуты",
      "15 минут",
      "21 минуту",
      "1 час",
      "2 часа",
      "5 часов",
      "1 день",
      "2 дня",
      "5 дней",
    ]);
    i18n.global.locale.value = "ru";
    expect(i18n.global.t("profile.reminders.before", { time: say("ru", 30) })).toBe("за 30 минут");
    i18n.global.locale.value = "en";
  });

  it("are kept largest first without repeats", () => {
    expect(normalise([60, 1440, 60, 15])).toEqual([1440, 60, 15]);
    expect(sameOffsets([60, 1440], [1440, 60])).toBe(true);
    expect(sameOffsets([60], [60, 15])).toBe(false);
  });

  it("stay within what the server accepts", () => {
    expect(cannotAdd([60], 15)).toBeNull();
    expect(cannotAdd([60], 60)).toBe("duplicate");
    expect(cannotAdd([], 61 * 24 * 60)).toBe("tooLong");
    expect(cannotAdd([], -5)).toBe("invalid");
    expect(cannotAdd(Array.from({ length: MAX_OFFSETS }, (_, i) => i + 1), 500)).toBe("full");
  });

  it("convert between units", () => {
    expect(toMinutes(2, "hours")).toBe(120);
    expect(toMinutes(3, "days")).toBe(4320);
    expect(bestUnit(4320)).toEqual({ amount: 3, unit: "days" });
    expect(bestUnit(120)).toEqual({ amount: 2, unit: "hours" });
    expect(bestUnit(90)).toEqual({ amount: 90, unit: "minutes" });
  });
});

describe("the profile's PATCH", () => {
  it("is empty while nothing changed", () => {
    expect(profileChanges(me, fieldsOf(me))).toEqual({});
    expect(profileChanges(me, { ...fieldsOf(me), reminder_offsets: [60, 1440] })).toEqual({});
  });

  it("names only what changed, with offsets as the server keeps them", () => {
    const form = { ...fieldsOf(me), name: "  Lena Lead ", timezone: "America/New_York", digest_hour: 7, reminder_offsets: [15, 1440] };
    expect(profileChanges(me, form)).toEqual({ name: "Lena Lead", timezone: "America/New_York", digest_hour: 7, reminder_offsets: [1440, 15] });
    expect(profileChanges(me, { ...fieldsOf(me), digest_enabled: false })).toEqual({ digest_enabled: false });
  });
});

describe("time zones", () => {
  it("lists the IANA zones with the saved one among them", () => {
    const names = timeZoneNames("Europe/Moscow");
    expect(names).toContain("Europe/Moscow");
    expect(names).toContain("America/New_York");
    expect(names).toContain("UTC");
    expect(timeZoneNames("Mars/Olympus_Mons")).toContain("Mars/Olympus_Mons");
  });

  it("shows each zone's offset at the date, daylight saving included", () => {
    expect(zoneOffset("Europe/Moscow", new Date("2026-01-15T12:00:00Z"))).toBe("UTC+03:00");
    expect(zoneOffset("America/New_York", new Date("2026-01-15T12:00:00Z"))).toBe("UTC-05:00");
    expect(zoneOffset("America/New_York", new Date("2026-07-15T12:00:00Z"))).toBe("UTC-04:00");
    expect(zoneOffset("UTC", new Date("2026-07-15T12:00:00Z"))).toBe("UTC+00:00");
  });

  it("labels zones readably and searchably", () => {
    const options = zoneOptions("Europe/Moscow", new Date("2026-01-15T12:00:00Z"));
    expect(options.find((o) => o.value === "America/New_York")?.label).toBe("America/New York (UTC-05:00)");
  });
});
