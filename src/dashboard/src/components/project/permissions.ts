// What the settings screen offers, derived from the caller's role as the backend's permission table
// decides it (src/workhub/kernel/permissions.py): anything hidden here would answer 403 or 409 anyway.
import type { components } from "@/api/schema";

export type ProjectRole = components["schemas"]["Member"]["role"];

/**
 * Every project role, most powerful first. Keyed by the schema's enum: when the backend adds a role
 * and the types are regenerated, vue-tsc names this line until the role is listed here.
 */
const ORDER = { owner: 0, editor: 1, viewer: 2 } satisfies Record<ProjectRole, number>;
export const PROJECT_ROLES = (Object.keys(ORDER) as ProjectRole[]).sort((a, b) => ORDER[a] - ORDER[b]);

export interface SettingsAbilities {
  /** Change name and description. */
  edit: boolean;
  /** See who is in the project. */
  seeMembers: boolean;
  /** Change roles and remove members. */
  manageMembers: boolean;
  /** Invite, list pending invitations, revoke. */
  manageInvitations: boolean;
  /** Archive, or restore an archived project. */
  archive: boolean;
  /** Leave the project (any member, archived or not). */
  leave: boolean;
  /** Turn plugins on and configure them (owners; not in an archived project, which answers 409). */
  manageIntegrations: boolean;
}

/**
 * `role` is the caller's project role (null when not a member: a system administrator may still read
 * the project and its members). An archived project is read-only: only restoring and leaving remain.
 */
export function settingsAbilities(role: ProjectRole | null, archived: boolean, isAdmin = false): SettingsAbilities {
  const owner = role === "owner";
  const writable = owner && !archived;
  return {
    edit: writable,
    seeMembers: role !== null || isAdmin,
    manageMembers: writable,
    manageInvitations: writable,
    archive: owner,
    leave: role !== null,
    manageIntegrations: writable,
  };
}
