// System roles for the administrators' role editor.
import type { components } from "@/api/schema";

type S = components["schemas"];
export type SystemRole = NonNullable<S["AdminUserUpdate"]["role"]> | S["User"]["role"];

/**
 * Every system role, in the editor's order. Keyed by the schema's enum (AdminUserUpdate and User):
 * TypeScript types do not exist at run time, so when `make dashboard-types` brings new roles
 * (organisation roles such as `lead` and `manager`) vue-tsc fails on this line until they are listed.
 */
const ORDER = { admin: 0, lead: 1, manager: 2 } satisfies Record<SystemRole, number>;
export const SYSTEM_ROLES = (Object.keys(ORDER) as SystemRole[]).sort((a, b) => ORDER[a] - ORDER[b]);

type Translate = (key: string) => string;
type Has = (key: string) => boolean;

/** A role's name in the user's language (`roles.<role>`), the code itself when no text exists. */
export function roleLabel(role: string, t: Translate, te: Has): string {
  return te(`roles.${role}`) ? t(`roles.${role}`) : role;
}

/** The choices for one user: every known role, plus the user's own if this build does not know it. */
export function roleChoices(current: string): string[] {
  return (SYSTEM_ROLES as string[]).includes(current) ? [...SYSTEM_ROLES] : [...SYSTEM_ROLES, current];
}
