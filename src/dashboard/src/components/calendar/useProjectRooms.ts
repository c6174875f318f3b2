// The calendar spans every project of the caller: it joins each project's room (and leaves the ones
// the caller is no longer in) for as long as the screen is open.
import { onScopeDispose, watch, type WatchSource } from "vue";

import { useRealtime } from "@/stores/realtime";

export function useProjectRooms(projectIds: WatchSource<readonly string[]>): void {
  const realtime = useRealtime();
  const joined = new Map<string, () => void>();
  watch(
    projectIds,
    (ids) => {
      const wanted = new Set(ids);
      for (const id of wanted) if (!joined.has(id)) joined.set(id, realtime.join(`project:${id}`));
      for (const [id, leave] of joined) {
        if (!wanted.has(id)) {
          leave();
          joined.delete(id);
        }
      }
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    for (const leave of joined.values()) leave();
    joined.clear();
  });
}
