// Russian and English for every text; one JSON file per language (src/locales), plural forms by CLDR
// rules (Russian has three: 1 задача, 2 задачи, 5 задач). The first choice is the user's setting,
// then a choice made before signing in, then the browser's language.
import { createI18n } from "vue-i18n";

import en from "./locales/en.json";
import ru from "./locales/ru.json";

export type Locale = "ru" | "en";
export const LOCALES: readonly Locale[] = ["ru", "en"];
const STORED = "workhub.locale";

/**
 * Russian plural forms (CLDR one, few, many): "{n} задача | {n} задачи | {n} задач", or with a
 * first form for zero: "нет задач | {n} задача | {n} задачи | {n} задач".
 */
export function russianPlural(choice: number, choicesLength: number): number {
  const n = Math.abs(choice);
  if (choicesLength === 4 && n === 0) return 0;
  const offset = choicesLength === 4 ? 1 : 0;
  if (choicesLength < 3) return n === 1 ? 0 : 1;
  const ten = n % 10;
  const hundred = n % 100;
  if (ten === 1 && hundred !== 11) return offset;
  if (ten >= 2 && ten <= 4 && (hundred < 12 || hundred > 14)) return offset + 1;
  return offset + 2;
}

export function initialLocale(): Locale {
  const stored = globalThis.localStorage?.getItem(STORED);
  if (stored === "ru" || stored === "en") return stored;
  const languages = globalThis.navigator?.languages ?? [globalThis.navigator?.language ?? "en"];
  return languages.some((l) => l.toLowerCase().startsWith("ru")) ? "ru" : "en";
}

export function rememberLocale(locale: Locale): void {
  globalThis.localStorage?.setItem(STORED, locale);
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: "en",
  messages: { en, ru },
  pluralRules: { ru: russianPlural },
  datetimeFormats: {
    en: {
      short: { year: "numeric", month: "short", day: "numeric" },
      long: { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" },
      time: { hour: "2-digit", minute: "2-digit" },
    },
    ru: {
      short: { year: "numeric", month: "short", day: "numeric" },
      long: { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" },
      time: { hour: "2-digit", minute: "2-digit" },
    },
  },
});

export type MessageSchema = typeof en;
