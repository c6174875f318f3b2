// Who is signed in: the access token lives only in memory, the refresh token in an httpOnly cookie
// the API sets (`"refresh": "cookie"`). The token is refreshed a minute before it expires; tabs of
// one browser take turns refreshing (Web Locks) and sign out together (BroadcastChannel).
import { defineStore } from "pinia";
import { computed, ref } from "vue";

import { api, call } from "@/api/client";
import { ApiError } from "@/api/problem";
import { session } from "@/api/session";
import type { Me } from "@/api/types";

const EARLY_MS = 60_000;
const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel("workhub-auth");

export const useAuth = defineStore("auth", () => {
  const me = ref<Me | null>(null);
  const accessToken = ref<string | null>(null);
  const ready = ref(false);
  const endedBecause = ref<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<boolean> | null = null;

  const signedIn = computed(() => me.value !== null && accessToken.value !== null);
  const isAdmin = computed(() => me.value?.role === "admin");
  /** Leads and administrators create projects; managers work in those they are invited to (kernel/permissions.py). */
  const canCreateProjects = computed(() => me.value?.role === "admin" || me.value?.role === "lead");

  function useToken(token: string, expiresIn: number): void {
    accessToken.value = token;
    session.accessToken = token;
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), Math.max(10_000, expiresIn * 1000 - EARLY_MS));
  }

  function forget(): void {
    clearTimeout(timer);
    accessToken.value = null;
    session.accessToken = null;
    me.value = null;
  }

  async function rotate(): Promise<boolean> {
    try {
      const pair = await call(api.POST("/api/v1/auth/refresh", { body: {} }));
      useToken(pair.access_token, pair.expires_in);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) forget();
      return false;
    }
  }

  /** A new access token from the refresh cookie (one request at a time, across tabs too). */
  function refresh(): Promise<boolean> {
    inFlight ??= (async () => {
      try {
        if (typeof navigator !== "undefined" && navigator.locks) {
          return await navigator.locks.request("workhub-refresh", rotate);
        }
        return await rotate();
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  }

  async function loadMe(): Promise<Me> {
    me.value = await call(api.GET("/api/v1/me"));
    session.locale = me.value.locale;
    return me.value;
  }

  /** On page load: a refresh cookie from an earlier visit signs the user in silently. */
  async function init(): Promise<void> {
    if (ready.value) return;
    try {
      if (await refresh()) await loadMe();
    } finally {
      ready.value = true;
    }
  }

  async function login(email: string, password: string): Promise<Me> {
    const pair = await call(api.POST("/api/v1/auth/login", { body: { email, password, refresh: "cookie" } }));
    useToken(pair.access_token, pair.expires_in);
    endedBecause.value = null;
    const user = await loadMe();
    channel?.postMessage({ type: "login" });
    return user;
  }

  async function register(email: string, password: string, name: string, locale: Me["locale"]): Promise<Me> {
    await call(api.POST("/api/v1/auth/register", { body: { email, password, name, locale } }));
    return login(email, password);
  }

  async function logout(everywhere = false): Promise<void> {
    try {
      if (accessToken.value) await call(api.POST("/api/v1/auth/logout", { body: { everywhere } }));
    } finally {
      forget();
      channel?.postMessage({ type: "logout" });
    }
  }

  function patchMe(updated: Me): void {
    me.value = updated;
    session.locale = updated.locale;
  }

  session.refresh = refresh;
  session.signedOut = (code) => {
    endedBecause.value = code;
    forget();
  };
  channel?.addEventListener("message", (event: MessageEvent<{ type: string }>) => {
    if (event.data.type === "logout") {
      endedBecause.value = "signed_out_elsewhere";
      forget();
    } else if (event.data.type === "login" && !signedIn.value) {
      void refresh().then((ok) => (ok ? loadMe() : null));
    }
  });

  return {
    me,
    accessToken,
    ready,
    endedBecause,
    signedIn,
    isAdmin,
    canCreateProjects,
    init,
    login,
    register,
    logout,
    refresh,
    loadMe,
    patchMe,
  };
});
