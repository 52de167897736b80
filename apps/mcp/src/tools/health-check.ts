import { defineTool } from "../tool-definition.js";

/** `health_check`: providers, expired and stale secrets. */
export const healthCheckTool = defineTool({
  name: "health_check",
  title: "Health check",
  description:
    "[secrets] Check the secret store: each provider in the fallback chain (reachable, latency, default write target) and the secrets that are expired or stale (>= 75% of their TTL) and should be rotated. " +
    "Read-only. Returns a short report; names and metadata only.",
  annotations: {
    title: "Health check",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  },
  input: {},
  async run(_args, { coffer }) {
    const report = await coffer.health();
    const lines = [`status: ${report.ok ? "ok" : "degraded"}`, `chain: ${report.chain.join(" -> ")}`, "providers:"];
    for (const p of report.providers) {
      const extra = [
        p.isDefault ? "default" : "",
        p.latencyMs !== undefined ? `${Math.round(p.latencyMs)} ms` : "",
        p.message ?? "",
      ].filter(Boolean);
      lines.push(
        `  ${p.ok ? "ok  " : "FAIL"} ${p.name} (${p.kind}, priority ${p.priority})${extra.length ? `: ${extra.join(", ")}` : ""}`,
      );
    }
    const row = (s: { name: string; scope: string; env?: string; provider: string; state: string }) =>
      `  [${s.scope}] ${s.name}${s.env ? ` (env: ${s.env})` : ""} ${s.state} (${s.provider})`;
    lines.push(report.expired.length === 0 ? "expired: none" : `expired (${report.expired.length}):`);
    for (const s of report.expired) lines.push(row(s));
    lines.push(report.stale.length === 0 ? "stale: none" : `stale (${report.stale.length}), consider rotate_secret:`);
    for (const s of report.stale) lines.push(row(s));
    return lines.join("\n");
  },
});
