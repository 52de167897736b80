import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const pkg = (dir: string) => fileURLToPath(new URL(`./packages/${dir}/src/index.ts`, import.meta.url));

/**
 * Tests import workspace packages from their sources, so a package's tests never run against a
 * stale build of another. End-to-end tests of the apps spawn the built binaries instead.
 */
export const workspaceAliases = {
  // Subpath entries before their package (an alias also matches `<package>/...`).
  "@coffer/provider-local/envelope": fileURLToPath(
    new URL("./packages/provider-local/src/envelope.ts", import.meta.url),
  ),
  "@coffer/core": pkg("core"),
  "@coffer/provider-local": pkg("provider-local"),
  "@coffer/provider-env": pkg("provider-env"),
  "@coffer/provider-aws": pkg("provider-aws"),
  "@coffer/provider-azure": pkg("provider-azure"),
  "@coffer/provider-postgres": pkg("provider-postgres"),
  "@coffer/provider-conformance": pkg("provider-conformance"),
  "@coffer/test-emulators": pkg("test-emulators"),
  "@coffer/runtime": pkg("runtime"),
};

/** The vitest config every package uses. */
export function cofferVitestConfig(options: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { alias: workspaceAliases },
    test: {
      include: ["test/**/*.test.ts"],
      testTimeout: options.testTimeout ?? 30_000,
      hookTimeout: 180_000,
    },
  });
}
