// API errors in the user's language: the problem's `code` names a translated message (the server's
// own translated title is the fallback), and each field the problem names gets its message beside it.
import { computed, ref } from "vue";
import { useI18n } from "vue-i18n";

import { ApiError } from "@/api/problem";

export interface Described {
  message: string;
  fields: Record<string, string>;
}

type Translate = (key: string, named?: Record<string, unknown>) => string;
type Has = (key: string) => boolean;

const PATTERNS: [RegExp, (m: RegExpMatchArray, t: Translate) => string][] = [
  [/missing required field/i, (_m, t) => t("errors.field.required")],
  [/length >= (\d+)/, (m, t) => t("errors.field.tooShort", { n: Number(m[1]) })],
  [/length <= (\d+)/, (m, t) => t("errors.field.tooLong", { n: Number(m[1]) })],
  [/must match pattern/i, (_m, t) => t("errors.field.pattern")],
];

/** One field message in the user's language (msgspec's English messages mapped to ours). */
export function fieldMessage(message: string, t: Translate): string {
  for (const [pattern, render] of PATTERNS) {
    const match = message.match(pattern);
    if (match) return render(match, t);
  }
  return t("errors.field.invalid");
}

/** What to show for an error: a message and the fields it is about. */
export function describeError(err: unknown, t: Translate, te: Has): Described {
  if (!(err instanceof ApiError)) {
    return { message: t("errors.unknown", { code: err instanceof Error ? err.message : String(err) }), fields: {} };
  }
  const key = `errors.${err.code}`;
  const message = te(key) ? t(key) : (err.problem?.title ?? t("errors.unknown", { code: err.code }));
  const fields: Record<string, string> = {};
  for (const f of err.fields) {
    const name = f.field.split(".").pop() ?? f.field;
    fields[name] = fieldMessage(f.message, t);
  }
  return { message, fields };
}

/** An error slot for a form: `run(fn)` keeps the last error, `message` and `fieldError(name)` show it. */
export function useErrors() {
  const { t, te } = useI18n();
  const error = ref<unknown>(null);
  const described = computed(() => (error.value === null ? null : describeError(error.value, t, te)));
  const busy = ref(false);

  async function run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    busy.value = true;
    error.value = null;
    try {
      return await fn();
    } catch (err) {
      error.value = err;
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  return {
    error,
    busy,
    run,
    message: computed(() => described.value?.message ?? null),
    fieldError: (name: string) => described.value?.fields[name] ?? null,
    clear: () => (error.value = null),
  };
}
