// The bell: the unread count kept live over Socket.IO, and the newest notification for a toast.
import { defineStore } from "pinia";
import { ref } from "vue";

import { api, call } from "@/api/client";
import type { Notification } from "@/api/types";
import { useRealtime } from "@/stores/realtime";

export const useNotifications = defineStore("notifications", () => {
  const unread = ref(0);
  const latest = ref<Notification | null>(null);
  let stops: (() => void)[] = [];

  async function refreshCount(): Promise<void> {
    unread.value = (await call(api.GET("/api/v1/notifications/unread-count"))).count;
  }

  function start(): void {
    if (stops.length) return;
    const realtime = useRealtime();
    stops = [
      realtime.on("notification.created", (payload) => {
        latest.value = payload.notification as Notification;
        unread.value += 1;
      }),
      realtime.on("notification.read", () => void refreshCount()),
      realtime.on("notification.read_all", () => (unread.value = 0)),
    ];
    void refreshCount();
  }

  function stop(): void {
    for (const s of stops) s();
    stops = [];
    unread.value = 0;
    latest.value = null;
  }

  async function markRead(id: string): Promise<Notification> {
    const note = await call(api.POST("/api/v1/notifications/{notification_id}/read", { params: { path: { notification_id: id } } }));
    await refreshCount();
    return note;
  }

  async function markAllRead(): Promise<void> {
    await call(api.POST("/api/v1/notifications/read-all"));
    unread.value = 0;
  }

  return { unread, latest, start, stop, refreshCount, markRead, markAllRead };
});
