// Realtime in a component: join rooms and listen to events for as long as the component lives.
import { onScopeDispose, watch, type WatchSource } from "vue";

import { useRealtime } from "@/stores/realtime";

type Handler = (payload: Record<string, unknown>) => void;

/** Join `room` (it may change: the old one is left) and call the handlers for their events. */
export function useLive(room: WatchSource<string | null> | string | null, handlers: Record<string, Handler>): void {
  const realtime = useRealtime();
  const stops = Object.entries(handlers).map(([event, handler]) => realtime.on(event, handler));
  let leave: (() => void) | null = null;
  const source: WatchSource<string | null> =
    room !== null && (typeof room === "function" || typeof room === "object") ? room : () => room;
  watch(
    source,
    (name) => {
      leave?.();
      leave = name ? realtime.join(name) : null;
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    leave?.();
    for (const stop of stops) stop();
  });
}

/** Call `refetch` each time the connection comes back after a loss (what was missed is re-read). */
export function useRefetchOnReconnect(refetch: () => unknown): void {
  const realtime = useRealtime();
  watch(
    () => realtime.generation,
    () => void refetch(),
  );
}
