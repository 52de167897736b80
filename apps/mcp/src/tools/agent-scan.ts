import { runExpiryAgent, type ScanReport } from "@coffer/core";
import * as z from "zod";
import { defineTool } from "../tool-definition.js";

type Row = ScanReport["stale"][number];

function rowLine(row: Row): string {
  return `  [${row.scope}] ${row.name} ${row.state} (${row.provider})`;
}

/** The report in words: counts first, then one line per secret. Names and versions only. */
function reportText(report: ScanReport, autoRotate: boolean): string {
  const lines = [
    `scanned ${report.checked} secret${report.checked === 1 ? "" : "s"}: ${report.expired.length} expired, ${report.stale.length} stale, ${report.rotationDue.length} due for rotation, ${report.rotated.length} rotated`,
  ];
  if (report.expired.length > 0) {
    lines.push("expired (expire hooks fired, recorded in the audit log):");
    for (const row of report.expired) lines.push(rowLine(row));
  }
  if (report.stale.length > 0) {
    lines.push("stale (75% of the TTL used):");
    for (const row of report.stale) lines.push(rowLine(row));
  }
  if (report.rotationDue.length > 0) {
    lines.push("due for rotation (have a rotation format; rotate_secret rotates one):");
    for (const row of report.rotationDue) lines.push(rowLine(row));
  }
  if (report.rotated.length > 0) {
    lines.push("rotated:");
    for (const r of report.rotated) lines.push(`  [${r.scope}] ${r.name} v${r.oldVersion} -> v${r.newVersion}`);
  } else if (!autoRotate && report.expired.length > 0) {
    lines.push("nothing rotated (pass autoRotate: true to regenerate expired secrets that have a rotation format)");
  }
  for (const hook of report.hooks)
    if (!hook.ok) lines.push(`hook ${hook.hook} failed${hook.message ? `: ${hook.message}` : ""}`);
  for (const e of report.errors) lines.push(`error: ${e.name}: ${e.code}: ${e.message}`);
  return lines.join("\n");
}

/** `agent_scan`: one run of the expiry agent. */
export const agentScanTool = defineTool({
  name: "agent_scan",
  title: "Scan for expiring secrets",
  description:
    "[governance] Run the expiry agent once: find secrets that are stale (75% of their TTL used) or expired, fire the 'expire' hooks and record an 'expire' audit entry for each expired secret. " +
    "With autoRotate: true it also regenerates expired secrets that have a rotation format (a normal, audited rotation the policy must allow; the old version stays readable for the grace period). " +
    "Side effects: hooks may run programs or call webhooks; autoRotate replaces values. Only secrets you may read are scanned. Returns counts and names, never values.",
  annotations: {
    title: "Expiry scan",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: true,
  },
  input: {
    autoRotate: z
      .boolean()
      .default(false)
      .describe("Regenerate expired secrets that have a rotation format. Default false (report only)."),
  },
  async run(args, { coffer }) {
    const { lastReport } = await runExpiryAgent(coffer, { once: true, autoRotate: args.autoRotate });
    if (!lastReport) return "the scan did not run";
    return reportText(lastReport, args.autoRotate);
  },
});
