// The project settings screen offers what the permission table allows the caller's role.
import { describe, expect, it } from "vitest";

import { PROJECT_ROLES, settingsAbilities } from "@/components/project/permissions";

describe("settings abilities", () => {
  it("lets owners manage everything in an active project", () => {
    expect(settingsAbilities("owner", false)).toEqual({
      edit: true,
      seeMembers: true,
      manageMembers: true,
      manageInvitations: true,
      archive: true,
      leave: true,
      manageIntegrations: true,
    });
  });

  it("shows editors and viewers the members, read-only, and lets them leave", () => {
    for (const role of ["editor", "viewer"] as const) {
      expect(settingsAbilities(role, false)).toEqual({
        edit: false,
        seeMembers: true,
        manageMembers: false,
        manageInvitations: false,
        archive: false,
        leave: true,
        manageIntegrations: false,
      });
    }
  });

  it("leaves an owner of an archived project only restoring and leaving", () => {
    expect(settingsAbilities("owner", true)).toEqual({
      edit: false,
      seeMembers: true,
      manageMembers: false,
      manageInvitations: false,
      archive: true,
      leave: true,
      manageIntegrations: false,
    });
  });

  it("lets an administrator who is not a member read, and nothing more", () => {
    expect(settingsAbilities(null, false, true)).toEqual({
      edit: false,
      seeMembers: true,
      manageMembers: false,
      manageInvitations: false,
      archive: false,
      leave: false,
      manageIntegrations: false,
    });
    expect(settingsAbilities(null, false, false).seeMembers).toBe(false);
  });

  it("lists project roles most powerful first", () => {
    expect(PROJECT_ROLES).toEqual(["owner", "editor", "viewer"]);
  });
});
