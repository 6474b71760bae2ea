/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// Tauri serves the built files from ui/dist; in `tauri dev` it loads the dev server on a fixed port.
const host = process.env.TAURI_DEV_HOST;

export default defineConfig({
  plugins: [vue()],
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    host: host || false,
    hmr: host ? { protocol: "ws", host, port: 1421 } : undefined,
    watch: { ignored: ["**/src-tauri/**"] },
  },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebView2 on Windows 10/11 is Chromium ≥ 105; WebKitGTK 2.40+ on Linux is Safari 16-level.
    target: ["es2021", "chrome105", "safari15"],
    // Loaded from disk by the webview, not over a network: one chunk is fine.
    chunkSizeWarningLimit: 800,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
  },
});
