// The project list: leads and administrators are offered "create"; a manager is not, and the empty
// list tells them who brings them into a project.
import { flushPromises, mount } from "@vue/test-utils";
import { createPinia, setActivePinia } from "pinia";
import PrimeVue from "primevue/config";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createMemoryHistory, createRouter } from "vue-router";

import type { Me } from "@/api/types";
import { i18n } from "@/i18n";
import { useAuth } from "@/stores/auth";
import { useProjects } from "@/stores/projects";
import ProjectsView from "@/views/ProjectsView.vue";

function person(role: Me["role"]): Me {
  return {
    id: "u1",
    email: "someone@example.com",
    name: "Someone",
    role,
    is_active: true,
    locale: "en",
    timezone: "Europe/Moscow",
    reminder_offsets: [],
    digest_hour: 9,
    digest_enabled: true,
    created_at: "2026-01-01T00:00:00Z",
  };
}

async function mountAs(role: Me["role"]) {
  const pinia = createPinia();
  setActivePinia(pinia);
  useAuth().me = person(role);
  const projects = useProjects();
  projects.load = vi.fn(async () => undefined);
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: "/", component: { template: "<div />" } },
      { path: "/projects/:projectId/board", name: "board", component: { template: "<div />" } },
    ],
  });
  const wrapper = mount(ProjectsView, { global: { plugins: [pinia, i18n, router, PrimeVue] } });
  await flushPromises();
  return wrapper;
}

describe("project list", () => {
  beforeEach(() => {
    i18n.global.locale.value = "en";
  });

  it("offers leads and administrators to create a project", async () => {
    for (const role of ["lead", "admin"] as const) {
      const wrapper = await mountAs(role);
      expect(wrapper.find("[data-testid=new-project]").exists()).toBe(true);
      expect(wrapper.get("[data-testid=no-projects]").text()).toContain("Create one");
    }
  });

  it("offers a manager no create, and says who invites them, in both languages", async () => {
    const wrapper = await mountAs("manager");
    expect(wrapper.find("[data-testid=new-project]").exists()).toBe(false);
    expect(wrapper.get("[data-testid=no-projects]").text()).toBe(
      "You are not in any project yet. Leads create projects and invite managers to them: ask your lead for an invitation.",
    );
    i18n.global.locale.value = "ru";
    await flushPromises();
    expect(wrapper.get("[data-testid=no-projects]").text()).toContain("попросите руководителя пригласить вас");
  });
});
