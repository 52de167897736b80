import { type CofferError, runExpiryAgent, type ScanReport } from "@coffer/core";
import type { CommandContext } from "../cli/command-context.js";
import type { CommandHandler } from "../cli/command-spec.js";
import { exitCodeFor } from "../cli/exit-codes.js";
import { booleanFlag, integerFlag } from "../cli/flag-values.js";
import { writeStdout } from "../cli/stdout.js";

type Row = ScanReport["stale"][number];

function rowText(r: Row): string {
  return `${r.name} [${r.scope}] at ${r.provider}`;
}

/** The lines of one scan report. */
export function reportLines(ctx: CommandContext, report: ScanReport, time: string): string[] {
  const { style } = ctx;
  const section = (title: string, items: string[]) =>
    items.length === 0 ? [`${title}: none`] : [`${title} (${items.length}):`, ...items.map((i) => `  ${i}`)];
  return [
    `Expiry scan at ${time}: ${report.checked} secret${report.checked === 1 ? "" : "s"} checked`,
    ...section(style.yellow("Stale"), report.stale.map(rowText)),
    ...section(style.red("Expired"), report.expired.map(rowText)),
    ...section("Rotation due", report.rotationDue.map(rowText)),
    ...section(
      style.green("Rotated"),
      report.rotated.map((r) => `${r.name} [${r.scope}]: version ${r.oldVersion} → ${r.newVersion}`),
    ),
    ...section(
      "Hooks",
      report.hooks.map((h) =>
        h.ok ? `${style.green("✓")} ${h.hook}` : `${style.red("✗")} ${h.hook}: ${h.message ?? "failed"}`,
      ),
    ),
    ...(report.errors.length > 0
      ? section(
          style.red("Errors"),
          report.errors.map((e) => `${e.name}: ${e.code}: ${e.message}`),
        )
      : []),
  ];
}

/**
 * `coffer agent --once [--auto-rotate]` scans once; `coffer agent [--interval 60] [--auto-rotate]`
 * scans until SIGINT or SIGTERM, printing each report (with --json, one JSON line per report).
 */
export const agentCommand: CommandHandler = async (ctx, args) => {
  const once = booleanFlag(args, "once");
  const autoRotate = booleanFlag(args, "auto-rotate");
  const interval = integerFlag(args, "interval", "agentIntervalSeconds");
  const coffer = await ctx.coffer();
  if (once) {
    if (interval !== undefined) ctx.warn("--interval is ignored with --once");
    const { lastReport } = await runExpiryAgent(coffer, { once: true, autoRotate });
    const report = lastReport!;
    const failed = report.errors[0];
    return {
      data: report,
      lines: reportLines(ctx, report, new Date().toISOString()),
      exitCode: failed ? exitCodeFor(failed.code) : 0,
    };
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  ctx.note(
    `coffer agent: scanning every ${interval ?? 60}s${autoRotate ? " with auto-rotation" : ""}; stop with Ctrl-C (SIGINT) or SIGTERM`,
  );
  try {
    const result = await runExpiryAgent(coffer, {
      intervalSeconds: interval ?? 60,
      autoRotate,
      signal: stop.signal,
      onReport: (report, run) => {
        const time = new Date().toISOString();
        if (ctx.json) writeStdout(`${JSON.stringify({ ok: true, data: { run, time, report } })}\n`);
        else {
          if (run > 1) ctx.print();
          for (const line of reportLines(ctx, report, time)) ctx.print(line);
        }
      },
      onError: (err: CofferError, run) => {
        if (ctx.json) {
          writeStdout(`${JSON.stringify({ ok: false, error: { code: err.code, message: err.message }, run })}\n`);
        } else ctx.warn(`scan ${run} failed: ${err.code}: ${err.message}; retrying in ${interval ?? 60}s`);
      },
    });
    ctx.note(`coffer agent: stopped after ${result.runs} scan${result.runs === 1 ? "" : "s"}`);
    return { data: { runs: result.runs }, streamed: true };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
};
