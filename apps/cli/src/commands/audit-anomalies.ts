import { type Anomaly, type AuditQuery, detectAnomalies } from "@coffer/core";
import type { CommandContext } from "../cli/command-context.js";
import type { CommandOutcome } from "../cli/command-spec.js";
import { isoSeconds } from "../cli/timestamps.js";

/** Entries the anomaly check reads (newest first; the store's largest page). */
const HISTORY = 10_000;

function anomalyLine(a: Anomaly): string {
  const span = `${isoSeconds(a.from)} → ${isoSeconds(a.to)}`;
  const names = a.names.length > 0 ? `; secrets: ${a.names.join(", ")}` : "";
  switch (a.kind) {
    case "read-burst":
      return `read burst: '${a.accessor}' made ${a.count} reads within a short time (${span})${names}`;
    case "unusual-hour":
      return `unusual hour: '${a.accessor}' made ${a.count} reads at ${String(a.hour).padStart(2, "0")}:00, an hour it rarely reads at (history: ${a.historyReads} reads; ${span})${names}`;
    case "repeated-denials":
      return `repeated denials: '${a.accessor}' was refused ${a.count} times (${span})${names}`;
  }
}

/**
 * `coffer audit --anomalies [--since WHEN]`: read bursts, reads at unusual hours and repeated
 * denials in the last 10,000 entries (matching the filters). With `since`, only what happened
 * from then on is flagged, judged against the history before it.
 */
export async function auditAnomalies(
  ctx: CommandContext,
  filter: AuditQuery,
  since: string | undefined,
): Promise<CommandOutcome> {
  const coffer = await ctx.coffer();
  const { since: _ignored, ...query } = filter;
  const entries = await coffer.audit({ ...query, limit: HISTORY });
  const anomalies = detectAnomalies(entries, since !== undefined ? { since } : {});
  const { style } = ctx;
  const lines =
    anomalies.length === 0
      ? [`${style.green("✓")} No anomalies in the last ${entries.length} audit entries`]
      : [
          `${style.yellow("⚠")} ${anomalies.length} anomal${anomalies.length === 1 ? "y" : "ies"} in the last ${entries.length} audit entries:`,
          ...anomalies.map((a) => `  ${style.yellow("⚠")} ${anomalyLine(a)}`),
        ];
  return { data: { checked: entries.length, anomalies }, lines };
}
