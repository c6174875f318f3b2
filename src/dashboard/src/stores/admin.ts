// Administration: users, the whole audit log, failed background jobs. The audit log records the
// actor's id but, for signed-in requests, no name, so the store keeps the people and projects it has
// seen to name them.
import { defineStore } from "pinia";
import { ref } from "vue";

import { api, call } from "@/api/client";
import type { components } from "@/api/schema";
import type { Me, Project } from "@/api/types";
import type { AuditQuery, UserQuery } from "@/components/admin/queries";

type S = components["schemas"];
export type AdminUser = Me;
export type AdminUserUpdate = S["AdminUserUpdate"];
export type FailedJob = S["FailedJob"];

const DIRECTORY_PAGE = 200;

export const useAdmin = defineStore("admin", () => {
  const people = ref<Record<string, AdminUser>>({});
  const projects = ref<Record<string, Project>>({});
  const failedTotal = ref<number | null>(null);
  let directory: Promise<void> | null = null;
  let projectList: Promise<Project[]> | null = null;

  function rememberUsers(users: AdminUser[]): void {
    for (const user of users) people.value[user.id] = user;
  }

  async function users(query: UserQuery): Promise<S["UserPage"]> {
    const page = await call(api.GET("/api/v1/admin/users", { params: { query } }));
    rememberUsers(page.items);
    return page;
  }

  async function updateUser(id: string, body: AdminUserUpdate): Promise<AdminUser> {
    const user = await call(api.PATCH("/api/v1/admin/users/{user_id}", { params: { path: { user_id: id } }, body }));
    rememberUsers([user]);
    return user;
  }

  /** Every account, once (to name the actors of audit records); `fresh` reads it again. */
  function loadDirectory(fresh = false): Promise<void> {
    if (fresh) directory = null;
    directory ??= (async () => {
      let cursor: string | undefined;
      do {
        const page = await users({ limit: DIRECTORY_PAGE, cursor });
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
    })().catch((err: unknown) => {
      directory = null;
      throw err;
    });
    return directory;
  }

  /** Every project, archived ones too (administrators may read them all). */
  function loadProjects(): Promise<Project[]> {
    projectList ??= (async () => {
      const all: Project[] = [];
      for (const archived of [false, true]) {
        let cursor: string | undefined;
        do {
          const page = await call(api.GET("/api/v1/projects", { params: { query: { all: true, archived, limit: 200, cursor } } }));
          all.push(...page.items);
          cursor = page.next_cursor ?? undefined;
        } while (cursor);
      }
      for (const p of all) projects.value[p.id] = p;
      return all.sort((a, b) => a.key.localeCompare(b.key));
    })().catch((err: unknown) => {
      projectList = null;
      throw err;
    });
    return projectList;
  }

  function audit(query: AuditQuery): Promise<S["AuditPage"]> {
    return call(api.GET("/api/v1/admin/audit", { params: { query } }));
  }

  async function failedJobs(cursor?: string | null, limit = 25): Promise<S["FailedJobPage"]> {
    const page = await call(api.GET("/api/v1/admin/jobs/failed", { params: { query: { limit, cursor } } }));
    failedTotal.value = page.total;
    return page;
  }

  function retryJob(key: string): Promise<FailedJob> {
    return call(api.POST("/api/v1/admin/jobs/failed/{key}/retry", { params: { path: { key } } }));
  }

  return { people, projects, failedTotal, users, updateUser, loadDirectory, loadProjects, audit, failedJobs, retryJob };
});
