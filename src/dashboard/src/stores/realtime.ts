// One Socket.IO connection per tab (docs/realtime.md): the access token at every (re)connect, rooms
// joined again after a reconnect, and `generation` bumped each time the connection comes back so
// screens refetch what they may have missed while it was down.
import { defineStore } from "pinia";
import { io, type Socket } from "socket.io-client";
import { ref } from "vue";

import { session } from "@/api/session";

type Handler = (payload: Record<string, unknown>) => void;

export const useRealtime = defineStore("realtime", () => {
  const connected = ref(false);
  const lost = ref(false);
  const generation = ref(0);
  let socket: Socket | null = null;
  let everConnected = false;
  const rooms = new Map<string, number>();
  const handlers = new Map<string, Set<Handler>>();
  const seen = new Set<string>();

  function deliver(event: string, payload: Record<string, unknown>): void {
    const id = typeof payload.id === "string" ? payload.id : null;
    if (id !== null) {
      if (seen.has(`${event}:${id}`)) return; // the same event through two rooms
      seen.add(`${event}:${id}`);
      if (seen.size > 2000) seen.delete(seen.values().next().value as string);
    }
    for (const handler of handlers.get(event) ?? []) handler(payload);
    for (const handler of handlers.get("*") ?? []) handler({ ...payload, event });
  }

  function connect(): void {
    if (socket) return;
    socket = io({
      path: "/socket.io",
      // WebSocket only: a long-polling session's requests may reach another web process
      // (`workhub run` starts one per core, compose two containers), which knows nothing of it.
      transports: ["websocket"],
      auth: (send) => send({ token: session.accessToken, locale: session.locale }),
      reconnectionDelayMax: 5000,
    });
    socket.on("connect", () => {
      connected.value = true;
      lost.value = false;
      for (const room of rooms.keys()) void socket?.emitWithAck("subscribe", { room });
      if (everConnected) generation.value += 1;
      everConnected = true;
    });
    socket.on("disconnect", (reason) => {
      connected.value = false;
      lost.value = true;
      if (reason === "io server disconnect") socket?.connect();
    });
    socket.on("connect_error", async (err: Error & { data?: { code?: string } }) => {
      lost.value = everConnected;
      const code = err.data?.code;
      if (code === "token_expired" || code === "token_missing") {
        if (await session.refresh()) socket?.connect();
      } else if (code === "token_revoked" || code === "token_invalid") {
        await renewOrSignOut(code);
      }
    });
    socket.on("session.expired", () => void session.refresh());
    // The server closes a socket whose token was revoked: after a role change a refresh gets a new
    // token; after a sign-out or deactivation the refresh fails too and the user signs in again.
    socket.on("session.ended", () => void renewOrSignOut("token_revoked"));
    socket.onAny((event: string, payload: unknown) => {
      if (typeof payload === "object" && payload !== null) deliver(event, payload as Record<string, unknown>);
    });
  }

  async function renewOrSignOut(code: string): Promise<void> {
    if (await session.refresh()) socket?.connect();
    else session.signedOut(code);
  }

  function disconnect(): void {
    socket?.disconnect();
    socket = null;
    everConnected = false;
    connected.value = false;
    lost.value = false;
    rooms.clear();
  }

  /** Join a room while a screen needs it; the returned function leaves it (rooms are counted). */
  function join(room: string): () => void {
    const count = rooms.get(room) ?? 0;
    rooms.set(room, count + 1);
    if (count === 0 && socket?.connected) void socket.emitWithAck("subscribe", { room });
    return () => {
      const left = (rooms.get(room) ?? 1) - 1;
      if (left > 0) {
        rooms.set(room, left);
        return;
      }
      rooms.delete(room);
      if (socket?.connected) void socket.emitWithAck("unsubscribe", { room });
    };
  }

  /** Listen to one event (or "*" for all); the returned function stops listening. */
  function on(event: string, handler: Handler): () => void {
    const set = handlers.get(event) ?? new Set<Handler>();
    set.add(handler);
    handlers.set(event, set);
    return () => set.delete(handler);
  }

  return { connected, lost, generation, connect, disconnect, join, on, deliver };
});
