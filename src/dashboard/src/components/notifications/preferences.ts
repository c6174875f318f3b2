// Notification preferences as the page edits them: for each kind, the channels besides in-app (which
// is always on and never sent as a choice). PUT replaces every choice, so the whole table is sent.
import type { components } from "@/api/schema";

export type Preferences = components["schemas"]["NotificationPreferences"];
export type PreferencesUpdate = components["schemas"]["PreferencesUpdate"];
export type Choices = Record<string, string[]>;

export const IN_APP = "in_app";

/** The channels a user may switch (the server's, less in-app). */
export function switchable(prefs: Preferences): string[] {
  return prefs.channels.filter((c) => c !== IN_APP);
}

export function choicesOf(prefs: Preferences): Choices {
  return Object.fromEntries(prefs.kinds.map((k) => [k.kind, k.channels.filter((c) => c !== IN_APP).sort()]));
}

export function toggle(choices: Choices, kind: string, channel: string, on: boolean): Choices {
  const current = new Set(choices[kind] ?? []);
  if (on) current.add(channel);
  else current.delete(channel);
  return { ...choices, [kind]: [...current].sort() };
}

/** The kinds whose channels differ between two sets of choices. */
export function changedKinds(before: Choices, after: Choices): string[] {
  const kinds = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...kinds]
    .filter((kind) => (before[kind] ?? []).slice().sort().join(",") !== (after[kind] ?? []).slice().sort().join(","))
    .sort();
}

/** The PUT body: every kind that goes somewhere besides in-app (a kind left out is in-app only). */
export function toUpdate(choices: Choices): PreferencesUpdate {
  return {
    kinds: Object.entries(choices)
      .filter(([, channels]) => channels.length > 0)
      .map(([kind, channels]) => ({ kind, channels: [...channels].sort() }))
      .sort((a, b) => a.kind.localeCompare(b.kind)),
  };
}
