import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  base: "/static/frontend/",
  build: {
    outDir: "../static/frontend",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2020",
  },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:8000",
      "/dev": "http://127.0.0.1:8000",
      "/ws": { target: "ws://127.0.0.1:8000", ws: true },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    // The Mini Apps SDK keeps its state in module singletons: inlined, vi.resetModules() gives
    // each telegram.test.ts case a fresh SDK (another client version, nothing mounted).
    server: { deps: { inline: [/@tma\.js\//] } },
  },
});
