import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints, after vitest's own summary, one table of every scenario (file, what it proves,
 * operations, failures, outcome), then as the very last line `N passed, N failed`.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows: Array<{ area: string; name: string; operations: number; failures: number; state: string }> = [];
    for (const mod of testModules) {
      const area =
        mod.moduleId
          .split("/")
          .pop()
          ?.replace(/\.test\.ts$/, "") ?? mod.moduleId;
      for (const test of mod.children.allTests()) {
        const meta = test.meta() as { operations?: number; failures?: number };
        const state = test.result().state;
        const failures = (meta.failures ?? 0) + (state === "failed" && !meta.failures ? 1 : 0);
        rows.push({ area, name: test.name, operations: meta.operations ?? 0, failures, state });
      }
    }
    const passed = rows.filter((r) => r.state === "passed").length;
    const failed = rows.filter((r) => r.state === "failed").length;
    const skipped = rows.length - passed - failed;
    const width = Math.min(100, Math.max(8, ...rows.map((r) => r.name.length)));
    const areaWidth = Math.max(4, ...rows.map((r) => r.area.length));
    const line = (a: string, n: string, o: string, f: string, s: string) =>
      `${a.padEnd(areaWidth)}  ${n.length > width ? `${n.slice(0, width - 1)}…` : n.padEnd(width)}  ${o.padStart(10)}  ${f.padStart(8)}  ${s}`;
    const out = [
      "",
      "Reliability scenarios",
      line("area", "scenario (what it proves)", "operations", "failures", "result"),
      line("-".repeat(areaWidth), "-".repeat(width), "-".repeat(10), "-".repeat(8), "------"),
      ...rows.map((r) => line(r.area, r.name, String(r.operations), String(r.failures), r.state)),
      "",
      `${rows.length} scenarios, ${rows.reduce((n, r) => n + r.operations, 0)} operations, ${rows.reduce((n, r) => n + r.failures, 0)} failures${skipped ? `, ${skipped} skipped` : ""}`,
      `${passed} passed, ${failed} failed`,
    ];
    process.stdout.write(`${out.join("\n")}\n`);
  }
}
