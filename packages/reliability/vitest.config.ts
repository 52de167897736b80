import { defineConfig, mergeConfig } from "vitest/config";
import { cofferVitestConfig } from "../../vitest.shared.js";

/**
 * The reliability suite spawns many processes: files run one at a time (the machine has two
 * cores and the scenarios measure contention themselves), and a summary reporter prints the
 * scenario table and a final `N passed, N failed` line.
 */
export default mergeConfig(
  cofferVitestConfig({ testTimeout: 120_000 }),
  defineConfig({
    test: {
      fileParallelism: false,
      reporters: ["default", "./test/summary-reporter.ts"],
    },
  }),
);
