// Switching the language: the texts, PrimeVue's own texts, <html lang>, and the user's setting.
import { usePrimeVue } from "primevue/config";
import { useI18n } from "vue-i18n";

import { api, call } from "@/api/client";
import { session } from "@/api/session";
import { type Locale, rememberLocale } from "@/i18n";
import { primeLocale } from "@/primeLocale";
import { useAuth } from "@/stores/auth";

export function useLocale() {
  const { locale } = useI18n({ useScope: "global" });
  const primevue = usePrimeVue();
  const auth = useAuth();

  /** Show `next` now; `save` also stores it in the signed-in user's profile. */
  async function setLocale(next: Locale, save = true): Promise<void> {
    locale.value = next;
    primevue.config.locale = { ...primevue.config.locale, ...primeLocale(next) };
    document.documentElement.lang = next;
    session.locale = next;
    rememberLocale(next);
    if (save && auth.me && auth.me.locale !== next) {
      auth.patchMe(await call(api.PATCH("/api/v1/me", { body: { locale: next } })));
    }
  }

  return { locale, setLocale };
}
