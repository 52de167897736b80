import {
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditQuery,
  CofferError,
  NUMERIC_RANGES,
  parseDuration,
} from "@coffer/core";
import type { CommandHandler } from "../cli/command-spec.js";
import { exitCodeFor } from "../cli/exit-codes.js";
import { booleanFlag, defined, integerFlag, stringFlag } from "../cli/flag-values.js";
import { renderTable } from "../cli/table.js";
import { isoSeconds } from "../cli/timestamps.js";

function sinceOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (/^\d+\s*[smhdwy]?$/i.test(text.trim())) {
    return new Date(Date.now() - parseDuration(text, "--since", NUMERIC_RANGES.lookbackSeconds) * 1000).toISOString();
  }
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new CofferError("INVALID_ARGUMENT", "--since must be an ISO 8601 time or a duration like 7d", {
      field: "since",
    });
  }
  return new Date(ms).toISOString();
}

/**
 * `coffer audit [name]`: the access log with a summary; `--verify` checks its hash chain,
 * `--export jsonl` writes it as JSON Lines, `--anomalies` flags unusual access.
 */
export const auditCommand: CommandHandler = async (ctx, args) => {
  const modes = ["verify", "export", "anomalies"].filter((m) => args.options[m] !== undefined);
  if (modes.length > 1) {
    throw new CofferError("INVALID_ARGUMENT", `--${modes[0]} and --${modes[1]} cannot be combined`, {
      field: modes[1]!,
    });
  }
  if (booleanFlag(args, "verify")) {
    const coffer = await ctx.coffer();
    const result = await coffer.verifyAudit();
    if (result.ok) {
      return {
        data: result,
        lines: [`${ctx.style.green("✓")} Audit chain verified: ${result.checked} entries`],
      };
    }
    const broken = result.brokenAt;
    return {
      data: result,
      lines: [
        `${ctx.style.red("✗")} Audit chain broken${broken ? ` at entry #${broken.seq}: ${broken.reason}` : ""} (${result.checked} entries checked)`,
        ...(result.detail ? result.detail.split("\n").map((l) => `  ${l}`) : []),
      ],
      exitCode: exitCodeFor("INTEGRITY"),
    };
  }
  const name = args.positionals[0];
  const action = stringFlag(args, "action");
  if (action !== undefined && !(AUDIT_ACTIONS as readonly string[]).includes(action)) {
    throw new CofferError("INVALID_ARGUMENT", `--action must be one of ${AUDIT_ACTIONS.join(", ")}`, {
      field: "action",
    });
  }
  const since = sinceOf(stringFlag(args, "since"));
  const filter: AuditQuery = defined({
    name,
    accessor: stringFlag(args, "accessor"),
    action: action as AuditAction | undefined,
    failedOnly: booleanFlag(args, "failed-only") || undefined,
    since,
  });
  const exportFormat = stringFlag(args, "export");
  if (exportFormat !== undefined) {
    const { exportAudit } = await import("./audit-export.js");
    return exportAudit(
      ctx,
      exportFormat,
      filter,
      integerFlag(args, "limit", "auditExportLimit"),
      stringFlag(args, "output"),
    );
  }
  if (stringFlag(args, "output") !== undefined) {
    throw new CofferError("INVALID_ARGUMENT", "--output goes with --export jsonl", { field: "output" });
  }
  if (booleanFlag(args, "anomalies")) {
    const { auditAnomalies } = await import("./audit-anomalies.js");
    return auditAnomalies(ctx, filter, since);
  }
  const coffer = await ctx.coffer();
  const limit = integerFlag(args, "limit", "auditLimit") ?? 50;
  const entries = await coffer.audit({ ...filter, limit });
  const summary = await coffer.auditSummary({ ...filter, failedOnly: undefined });
  const headers = ["Timestamp", "Accessor", ...(name ? [] : ["Secret"]), "Action", "Success", "Provider"];
  const rows = entries.map((e) => [
    isoSeconds(e.time),
    `${e.accessor}${e.frontEnd && e.frontEnd !== "library" ? ` (${e.frontEnd})` : ""}`,
    ...(name ? [] : [e.name ?? "-"]),
    e.action,
    e.success ? ctx.style.green("✓") : ctx.style.red(`✗${e.errorCode ? ` ${e.errorCode}` : ""}`),
    e.provider ?? "-",
  ]);
  const lines = [`Access Log: ${name ?? "all secrets"} (last ${limit} entries)`, ""];
  if (rows.length > 0) lines.push(...renderTable(headers, rows, ctx.terminal.width));
  else lines.push("No entries.");
  lines.push("");
  lines.push(`Failed attempts: ${summary.failed}`);
  lines.push(
    `Most frequent accessor: ${summary.topAccessor ? `${summary.topAccessor.accessor} (${summary.topAccessor.count} accesses)` : "-"}`,
  );
  lines.push(`Last rotation: ${summary.lastRotation ? isoSeconds(summary.lastRotation) : "never"}`);
  return { data: { entries, summary }, lines };
};
