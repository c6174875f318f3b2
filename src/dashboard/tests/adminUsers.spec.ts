// The users tab: a refused role change (the last administrator) says why in the user's language and
// puts the stored role back on screen; an accepted one replaces the row.
import { flushPromises, mount } from "@vue/test-utils";
import { createPinia, setActivePinia } from "pinia";
import PrimeVue from "primevue/config";
import ConfirmationService from "primevue/confirmationservice";
import Select from "primevue/select";
import ToastService from "primevue/toastservice";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createMemoryHistory, createRouter } from "vue-router";

import { ApiError } from "@/api/problem";
import UsersTab from "@/components/admin/UsersTab.vue";
import { i18n } from "@/i18n";
import { type AdminUser, useAdmin } from "@/stores/admin";

const root: AdminUser = {
  id: "u-root",
  email: "root@example.com",
  name: "Root",
  role: "admin",
  is_active: true,
  locale: "en",
  timezone: "UTC",
  reminder_offsets: [],
  created_at: "2030-01-01T00:00:00Z",
  digest_enabled: true,
  digest_hour: 9,
};

async function mountTab() {
  const pinia = createPinia();
  setActivePinia(pinia);
  const admin = useAdmin();
  admin.users = vi.fn(async () => ({ items: [root], next_cursor: null }));
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: "/", component: { template: "<div />" } }] });
  const wrapper = mount(UsersTab, {
    global: { plugins: [pinia, i18n, router, PrimeVue, ConfirmationService, ToastService] },
  });
  await flushPromises();
  return { wrapper, admin };
}

type Wrapper = Awaited<ReturnType<typeof mountTab>>["wrapper"];

function picker(wrapper: Wrapper, testid: string) {
  const found = wrapper.findAllComponents(Select).find((s) => s.attributes("data-testid") === testid);
  if (!found) throw new Error(`no picker ${testid}`);
  return found;
}

const rowRole = (wrapper: Wrapper) => picker(wrapper, `role-${root.email}`);

describe("users tab", () => {
  beforeEach(() => {
    i18n.global.locale.value = "en";
    // jsdom has no matchMedia; PrimeVue's Select asks it for the screen's orientation.
    vi.stubGlobal("matchMedia", (query: string) => ({
      matches: false,
      media: query,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      addListener: () => undefined,
      removeListener: () => undefined,
    }));
  });

  it("explains a refused demotion and shows the stored role again", async () => {
    const { wrapper, admin } = await mountTab();
    admin.updateUser = vi.fn(async () => {
      throw new ApiError(409, { type: "about:blank", title: "Conflict", status: 409, code: "last_admin" });
    });
    rowRole(wrapper).vm.$emit("update:modelValue", "manager");
    await flushPromises();
    expect(admin.updateUser).toHaveBeenCalledWith("u-root", { role: "manager" });
    expect(wrapper.get("[data-testid=form-error]").text()).toBe("The last administrator cannot be demoted or deactivated.");
    expect(rowRole(wrapper).props("modelValue")).toBe("admin");
  });

  it("shows the answer of an accepted change in the row", async () => {
    const { wrapper, admin } = await mountTab();
    admin.updateUser = vi.fn(async (_id: string, body: { role?: AdminUser["role"] }) => ({ ...root, ...body }));
    rowRole(wrapper).vm.$emit("update:modelValue", "manager");
    await flushPromises();
    expect(wrapper.find("[data-testid=form-error]").exists()).toBe(false);
    expect(rowRole(wrapper).props("modelValue")).toBe("manager");
  });

  it("offers the organisation roles: administrator, lead and manager", async () => {
    const { wrapper } = await mountTab();
    const labels = (options: { label: string }[] | undefined) => (options ?? []).map((o) => o.label);
    expect(labels(rowRole(wrapper).props("options"))).toEqual(["Administrator", "Lead", "Manager"]);
    expect(labels(picker(wrapper, "user-role-filter").props("options")).slice(1)).toEqual(["Administrator", "Lead", "Manager"]);
  });

  it("asks the API with the filters chosen", async () => {
    const { wrapper, admin } = await mountTab();
    picker(wrapper, "user-role-filter").vm.$emit("update:modelValue", "manager");
    await flushPromises();
    picker(wrapper, "user-active-filter").vm.$emit("update:modelValue", "inactive");
    await flushPromises();
    expect(admin.users).toHaveBeenLastCalledWith({ limit: 25, role: "manager", active: false });
  });
});
