import { defineConfig } from "vite";

// The dashboard is served by coffer-server under /ui/ with a strict CSP: one module script and one
// stylesheet from the same origin, no inline code, no source maps, nothing from a CDN.
export default defineConfig({
  base: "/ui/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
