// How task screens show times and people: in the signed-in user's time zone and language, people by
// the names of the project members loaded so far.
import { computed } from "vue";
import { useI18n } from "vue-i18n";

import { useAuth } from "@/stores/auth";
import { useProjects } from "@/stores/projects";

import { formatMoment, safeZone } from "./zoned";

export function useTaskFormat() {
  const auth = useAuth();
  const projects = useProjects();
  const { t, locale } = useI18n();
  const zone = computed(() => safeZone(auth.me?.timezone));

  function moment(iso: string | null | undefined): string {
    return formatMoment(iso, locale.value, zone.value);
  }

  function day(iso: string | null | undefined): string {
    return formatMoment(iso, locale.value, zone.value, false);
  }

  /** A person's name: "me" for the signed-in user, else the member's name, else "someone". */
  function person(userId: string | null | undefined): string {
    if (!userId) return t("tasks.nobody");
    return projects.nameOf(userId) ?? (userId === auth.me?.id ? (auth.me?.name ?? "") : t("tasks.unknownPerson"));
  }

  return { zone, locale, moment, day, person, me: computed(() => auth.me?.id ?? null) };
}
