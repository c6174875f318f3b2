// PrimeVue's own texts (date pickers, paginators, confirm buttons) in the dashboard's language.
import type { PrimeVueLocaleOptions } from "primevue/config";
import en from "primelocale/en.json";
import ru from "primelocale/ru.json";

import type { Locale } from "./i18n";

export function primeLocale(locale: Locale): PrimeVueLocaleOptions {
  const texts = (locale === "ru" ? ru.ru : en.en) as unknown as PrimeVueLocaleOptions;
  return { ...texts, firstDayOfWeek: locale === "ru" ? 1 : 0 };
}
