// The caller's projects and each project's members (names for assignees, authors and mentions).
import { defineStore } from "pinia";
import { ref } from "vue";

import { api, call } from "@/api/client";
import type { Member, Project } from "@/api/types";

export const useProjects = defineStore("projects", () => {
  const list = ref<Project[]>([]);
  const archived = ref<Project[]>([]);
  const counts = ref<Record<string, { open: number; overdue: number }>>({});
  const members = ref<Record<string, Member[]>>({});
  const byId = ref<Record<string, Project>>({});

  async function pages(archivedOnly: boolean): Promise<Project[]> {
    const items: Project[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(api.GET("/api/v1/projects", { params: { query: { archived: archivedOnly, limit: 200, cursor } } }));
      items.push(...page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return items;
  }

  async function load(withArchived = false): Promise<void> {
    const [mine, taskCounts] = await Promise.all([pages(false), call(api.GET("/api/v1/tasks/counts"))]);
    list.value = mine;
    counts.value = Object.fromEntries(taskCounts.items.map((c) => [c.project_id, { open: c.open, overdue: c.overdue }]));
    for (const p of mine) byId.value[p.id] = p;
    if (withArchived) {
      archived.value = await pages(true);
      for (const p of archived.value) byId.value[p.id] = p;
    }
  }

  async function get(id: string, fresh = false): Promise<Project> {
    const known = byId.value[id];
    if (known && !fresh) return known;
    const project = await call(api.GET("/api/v1/projects/{project_id}", { params: { path: { project_id: id } } }));
    byId.value[id] = project;
    return project;
  }

  async function create(key: string, name: string, description: string): Promise<Project> {
    const project = await call(api.POST("/api/v1/projects", { body: { key, name, description } }));
    byId.value[project.id] = project;
    list.value = [...list.value, project].sort((a, b) => a.key.localeCompare(b.key));
    return project;
  }

  function remember(project: Project): void {
    byId.value[project.id] = project;
    list.value = list.value.map((p) => (p.id === project.id ? project : p));
  }

  /** Every member of a project (cached; `fresh` re-reads after a change). */
  async function loadMembers(projectId: string, fresh = false): Promise<Member[]> {
    const known = members.value[projectId];
    if (known && !fresh) return known;
    const items: Member[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(
        api.GET("/api/v1/projects/{project_id}/members", { params: { path: { project_id: projectId }, query: { limit: 200, cursor } } }),
      );
      items.push(...page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    members.value[projectId] = items;
    return items;
  }

  /** A member's name in any loaded project (for lists across projects). */
  function nameOf(userId: string | null | undefined): string | null {
    if (!userId) return null;
    for (const list of Object.values(members.value)) {
      const found = list.find((m) => m.user_id === userId);
      if (found) return found.name;
    }
    return null;
  }

  return { list, archived, counts, members, byId, load, get, create, remember, loadMembers, nameOf };
});
