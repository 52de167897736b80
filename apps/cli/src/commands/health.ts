import type { CommandHandler } from "../cli/command-spec.js";
import { exitCodeFor } from "../cli/exit-codes.js";
import { renderTable } from "../cli/table.js";

/** `coffer health`: status of every provider, the fallback chain, expired and stale secrets. */
export const healthCommand: CommandHandler = async (ctx, args) => {
  void args;
  const coffer = await ctx.coffer();
  const report = await coffer.health();
  const { style } = ctx;
  const rows = report.providers.map((p) => [
    `${p.name}${p.isDefault ? " (default)" : ""}`,
    p.ok ? style.green("✓ OK") : style.red("✗ DOWN"),
    String(p.priority),
    p.lastCheck,
  ]);
  const lines = [
    "Secret Provider Health:",
    "",
    ...renderTable(["Provider", "Status", "Priority", "Last Check"], rows, ctx.terminal.width),
    "",
  ];
  if (report.ok) lines.push("All providers operational");
  else {
    for (const p of report.providers.filter((x) => !x.ok)) {
      lines.push(`${style.red("✗")} ${p.name}: ${p.message ?? "not healthy"}`);
    }
  }
  lines.push(`Fallback chain: ${report.chain.join(" → ")}`);
  if (report.expired.length > 0) {
    lines.push("", `${style.red("Expired")} (${report.expired.length}):`);
    for (const e of report.expired)
      lines.push(`  ${e.name} [${e.scope}${e.env ? `, ${e.env}` : ""}] at ${e.provider}: ${e.state}`);
  }
  if (report.stale.length > 0) {
    lines.push("", `${style.yellow("Stale")} (${report.stale.length}, rotate soon):`);
    for (const e of report.stale) lines.push(`  ${e.name} [${e.scope}${e.env ? `, ${e.env}` : ""}] at ${e.provider}`);
  }
  return { data: report, lines, exitCode: report.ok ? 0 : exitCodeFor("UNAVAILABLE") };
};
