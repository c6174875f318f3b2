// The state of a task list: cursor pages in the list's sort, and the tasks those pages brought or
// pushes announced since, kept in the same order on the client, up to the last row read (what lies
// beyond comes with the next page).
import { computed, ref, shallowReactive, type Ref } from "vue";

import type { Task } from "@/api/types";
import { useTasks } from "@/stores/tasks";

import { compareBy, filtersToApi, taskMatches, type Sort, type TaskFilters } from "./filters";

export const LIST_PAGE = 100;

export function useTaskList(projectId: Ref<string | null>, filters: Ref<TaskFilters>, defaultSort: Ref<Sort>, me: Ref<string | null>, timeZone: Ref<string>) {
  const store = useTasks();
  const seen = shallowReactive(new Set<string>());
  const pinned = shallowReactive(new Set<string>());
  const cursor = ref<string | null>(null);
  const complete = ref(false);
  const loading = ref(false);
  const last = ref<Task | null>(null);
  let generation = 0;

  const sort = computed<Sort>(() => filters.value.sort ?? defaultSort.value);
  const compare = computed(() => compareBy(sort.value));
  const api = computed(() => filtersToApi({ ...filters.value, sort: sort.value }, timeZone.value));
  const range = computed(() => ({ from: api.value.deadline_from ?? null, to: api.value.deadline_to ?? null }));

  async function loadPage(): Promise<void> {
    if (loading.value || complete.value) return;
    const mine = generation;
    loading.value = true;
    try {
      const page = await store.page(projectId.value, { ...api.value, limit: LIST_PAGE, cursor: cursor.value ?? undefined });
      if (mine !== generation) return;
      for (const task of page.items) seen.add(task.id);
      cursor.value = page.next_cursor;
      complete.value = page.next_cursor === null;
      const tail = page.items.at(-1);
      if (tail) last.value = { ...tail };
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  async function reload(): Promise<void> {
    generation += 1;
    seen.clear();
    pinned.clear();
    cursor.value = null;
    complete.value = false;
    loading.value = false;
    last.value = null;
    await loadPage();
  }

  const rows = computed<Task[]>(() => {
    const out: Task[] = [];
    for (const id of seen) {
      const task = store.byId.get(id);
      if (!task) continue;
      if (projectId.value && task.project_id !== projectId.value) continue;
      if (!complete.value && !pinned.has(id) && (!last.value || compare.value(task, last.value) > 0)) continue;
      if (!taskMatches(task, filters.value, me.value, range.value)) continue;
      out.push(task);
    }
    return out.sort(compare.value);
  });

  function onEvent(event: string, payload: Record<string, unknown>): void {
    const task = payload.task as Task | undefined;
    if (!task || (projectId.value && task.project_id !== projectId.value)) return;
    store.applyEvent(event, payload);
    if (event !== "task.deleted") seen.add(task.id);
  }

  /** A task this list changed itself stays in view (where its new values sort it). */
  function track(task: Pick<Task, "id">): void {
    seen.add(task.id);
    pinned.add(task.id);
  }

  return { rows, sort, complete, loading, reload, loadMore: loadPage, onEvent, track };
}
