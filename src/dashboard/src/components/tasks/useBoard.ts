// The state of a project's board: each column reads its status in board order (`sort=position`), a
// page at a time, and shows the tasks its pages brought or pushes announced since the board opened,
// up to the last card read (what lies beyond comes with the next page). With the overdue filter both
// open columns read one list (`status=overdue`), since the API's statuses combine with OR.
import { computed, reactive, shallowReactive, type Ref } from "vue";

import type { Task, TaskStatus } from "@/api/types";
import { useTasks } from "@/stores/tasks";

import { filtersToApi, STATUSES, taskMatches, type TaskFilters } from "./filters";
import { byPosition, planMove, type Placement } from "./ordering";

export const BOARD_PAGE = 200;

interface Source {
  key: string;
  statuses: TaskStatus[];
  apiStatus: string;
  cursor: string | null;
  complete: boolean;
  loading: boolean;
  last: Pick<Task, "id" | "position"> | null;
}

export function useBoard(projectId: Ref<string>, filters: Ref<TaskFilters>, me: Ref<string | null>, timeZone: Ref<string>) {
  const store = useTasks();
  const seen = shallowReactive(new Set<string>());
  /** Cards this user placed or made here: shown even past the last card read, where they were dropped. */
  const pinned = shallowReactive(new Set<string>());
  const sources = reactive(new Map<string, Source>());
  let generation = 0;

  const overdueOnly = computed(() => filters.value.statuses.includes("overdue"));
  const boardFilters = computed<TaskFilters>(() => ({ ...filters.value, statuses: overdueOnly.value ? ["overdue"] : [], sort: null, project: null }));
  const api = computed(() => filtersToApi({ ...boardFilters.value, statuses: [] }, timeZone.value));
  const range = computed(() => ({ from: api.value.deadline_from ?? null, to: api.value.deadline_to ?? null }));

  function sourceOf(status: TaskStatus): Source | undefined {
    for (const source of sources.values()) if (source.statuses.includes(status)) return source;
    return undefined;
  }

  async function loadPage(source: Source): Promise<void> {
    if (source.loading || source.complete) return;
    const mine = generation;
    source.loading = true;
    try {
      const page = await store.page(projectId.value, {
        ...api.value,
        status: source.apiStatus,
        sort: "position",
        limit: BOARD_PAGE,
        cursor: source.cursor ?? undefined,
      });
      if (mine !== generation) return;
      for (const task of page.items) seen.add(task.id);
      source.cursor = page.next_cursor;
      source.complete = page.next_cursor === null;
      const last = page.items.at(-1);
      if (last) source.last = { id: last.id, position: last.position };
    } finally {
      if (mine === generation) source.loading = false;
    }
  }

  /** Read the board again from its first pages (new project or filters, or after a lost connection). */
  async function reload(): Promise<void> {
    generation += 1;
    seen.clear();
    pinned.clear();
    sources.clear();
    const groups: { key: string; statuses: TaskStatus[]; apiStatus: string }[] = overdueOnly.value
      ? [{ key: "overdue", statuses: ["todo", "in_progress"], apiStatus: "overdue" }]
      : STATUSES.map((s) => ({ key: s, statuses: [s], apiStatus: s }));
    for (const group of groups) sources.set(group.key, { ...group, cursor: null, complete: false, loading: false, last: null });
    await Promise.all([...sources.values()].map((s) => loadPage(s)));
  }

  function loadMore(status: TaskStatus): Promise<void> {
    const source = sourceOf(status);
    return source ? loadPage(source) : Promise.resolve();
  }

  function shown(task: Task, source: Source | undefined): boolean {
    if (!source || task.project_id !== projectId.value || !seen.has(task.id)) return false;
    if (!source.complete && !pinned.has(task.id) && (!source.last || byPosition(task, source.last) > 0)) return false;
    return taskMatches(task, boardFilters.value, me.value, range.value);
  }

  const columns = computed<Record<TaskStatus, Task[]>>(() => {
    const out: Record<TaskStatus, Task[]> = { todo: [], in_progress: [], done: [], cancelled: [] };
    for (const id of seen) {
      const task = store.byId.get(id);
      if (task && shown(task, sourceOf(task.status))) out[task.status].push(task);
    }
    for (const status of STATUSES) out[status].sort(byPosition);
    return out;
  });

  function columnState(status: TaskStatus): { complete: boolean; loading: boolean } {
    const source = sourceOf(status);
    return { complete: source?.complete ?? true, loading: source?.loading ?? false };
  }

  /** A pushed task event: the store keeps the newest copy, the board shows it if it belongs here. */
  function onEvent(event: string, payload: Record<string, unknown>): void {
    const task = payload.task as Task | undefined;
    if (!task || task.project_id !== projectId.value) return;
    store.applyEvent(event, payload);
    if (event !== "task.deleted") seen.add(task.id);
  }

  /** Remember a task this screen made or changed itself. */
  function track(task: Pick<Task, "id">): void {
    seen.add(task.id);
    pinned.add(task.id);
  }

  /**
   * Where a card goes when dropped into `status` between `prevId` and `nextId`: the placements to
   * send (one, unless the gap there is used up).
   */
  function plan(taskId: string, status: TaskStatus, prevId: string | null, nextId: string | null): Placement[] {
    return planMove(columns.value[status], taskId, prevId, nextId);
  }

  return { columns, columnState, reload, loadMore, onEvent, track, plan, seen, overdueOnly };
}
