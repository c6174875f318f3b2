/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";

import { copyFileSync } from "node:fs";
import { join } from "node:path";

import vue from "@vitejs/plugin-vue";
import { defineConfig, type Plugin } from "vite";

// The build goes into the Python package, which serves it at "/" (src/workhub/web).
const outDir = fileURLToPath(new URL("../workhub/static", import.meta.url));
const backend = process.env.WORKHUB_DEV_BACKEND ?? "http://127.0.0.1:8000";

/** The API docs' viewer (Scalar), served by WorkHub itself so /schema/scalar works offline. */
function apiDocsViewer(): Plugin {
  let out = outDir;
  return {
    name: "workhub-api-docs-viewer",
    apply: "build",
    configResolved(config) {
      out = config.build.outDir;
    },
    closeBundle() {
      const dist = fileURLToPath(new URL("./node_modules/@scalar/api-reference/dist/", import.meta.url));
      copyFileSync(join(dist, "browser", "standalone.js"), join(out, "scalar-api-reference.js"));
    },
  };
}

export default defineConfig({
  plugins: [vue(), apiDocsViewer()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: "assets",
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        // Libraries change less often than the app: their chunks stay cached across releases.
        manualChunks: {
          vue: ["vue", "vue-router", "pinia", "vue-i18n"],
          primevue: ["primevue/config", "@primeuix/themes", "@primeuix/themes/aura"],
          calendar: ["@fullcalendar/core", "@fullcalendar/vue3", "@fullcalendar/daygrid", "@fullcalendar/timegrid", "@fullcalendar/interaction"],
        },
      },
    },
  },
  server: {
    proxy: {
      "/api": backend,
      "/schema": backend,
      "/health": backend,
      "/socket.io": { target: backend, ws: true },
    },
  },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.spec.ts"],
    restoreMocks: true,
  },
});
