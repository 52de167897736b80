import { defineConfig } from "vitest/config";
import { workspaceAliases } from "../../vitest.shared.js";

// End-to-end tests: one server and one browser, run serially (the machine has two cores). The
// test process imports workspace packages from their sources (to create API tokens in the store).
export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
