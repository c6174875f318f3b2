// Live task events for lists across projects: join the room of every project the list may show
// (the set changes as pages load) and pass each task event on, for as long as the component lives.
import { onScopeDispose, watch, type Ref } from "vue";

import { useRealtime } from "@/stores/realtime";
import { TASK_EVENTS } from "@/stores/tasks";

type Handler = (event: string, payload: Record<string, unknown>) => void;

export function useTaskRooms(projectIds: Ref<string[]>, handler: Handler): void {
  const realtime = useRealtime();
  const joined = new Map<string, () => void>();
  const stops = TASK_EVENTS.map((event) => realtime.on(event, (payload) => handler(event, payload)));
  watch(
    projectIds,
    (ids) => {
      const wanted = new Set(ids);
      for (const [id, leave] of joined) {
        if (!wanted.has(id)) {
          leave();
          joined.delete(id);
        }
      }
      for (const id of wanted) if (!joined.has(id)) joined.set(id, realtime.join(`project:${id}`));
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    for (const leave of joined.values()) leave();
    joined.clear();
    for (const stop of stops) stop();
  });
}
