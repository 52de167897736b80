import { AUDIT_ACTIONS, type AuditEntry, type AuditQuery } from "@coffer/core";
import * as z from "zod";
import { rangedInteger, rangeText } from "../numeric-arguments.js";
import { defineTool } from "../tool-definition.js";

const DATE_TIME = z.iso.datetime({ offset: true });

/** One audit entry on one line; no hashes or fingerprints. */
function entryLine(entry: AuditEntry): string {
  const parts = [`#${entry.seq}`, entry.time, `${entry.accessor} (${entry.frontEnd})`, entry.action];
  if (entry.name)
    parts.push(`${entry.scope ? `[${entry.scope}] ` : ""}${entry.name}${entry.env ? ` (env: ${entry.env})` : ""}`);
  if (entry.version !== undefined) parts.push(`v${entry.version}`);
  parts.push(entry.success ? "ok" : `FAILED${entry.errorCode ? ` ${entry.errorCode}` : ""}`);
  if (entry.purpose) parts.push(`purpose=${JSON.stringify(entry.purpose)}`);
  if (entry.details && Object.keys(entry.details).length > 0) parts.push(JSON.stringify(entry.details));
  return parts.join(" ");
}

/** `audit_log`: query (and optionally verify) the tamper-evident audit log. */
export const auditLogTool = defineTool({
  name: "audit_log",
  title: "Query audit log",
  description:
    "[secrets] Read the audit log, newest first: who (accessor and front end) did what (read, reveal, write, rotate, exec, policy-deny...) to which secret, when, whether it succeeded, and the stated purpose. " +
    "Filter by key, accessor, action, failures and time. verify: true also checks the log's hash chain for tampering. Read-only. Never contains values.",
  annotations: {
    title: "Audit log",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: {
    key: z.string().min(1).optional().describe("Only entries about this secret key."),
    accessor: z
      .string()
      .min(1)
      .optional()
      .describe("Only entries by this accessor (agent id, user or token). Example: 'claude'."),
    action: z.enum(AUDIT_ACTIONS).optional().describe("Only this action. Example: 'reveal'."),
    failedOnly: z.boolean().optional().describe("Only failed or denied attempts."),
    since: DATE_TIME.optional().describe("From this time (inclusive), RFC 3339."),
    until: DATE_TIME.optional().describe("Up to this time (exclusive), RFC 3339."),
    limit: rangedInteger("auditLimit")
      .default(20)
      .describe(`At most this many entries${rangeText("auditLimit")}. Default 20.`),
    beforeSeq: rangedInteger("auditSequence")
      .optional()
      .describe("Page backwards: only entries with a sequence number below this."),
    verify: z.boolean().default(false).describe("Also verify the hash chain of the whole log. Default false."),
  },
  async run(args, { coffer }) {
    const query: AuditQuery = { limit: args.limit };
    if (args.key !== undefined) query.name = args.key;
    if (args.accessor !== undefined) query.accessor = args.accessor;
    if (args.action !== undefined) query.action = args.action;
    if (args.failedOnly) query.failedOnly = true;
    if (args.since !== undefined) query.since = args.since;
    if (args.until !== undefined) query.until = args.until;
    if (args.beforeSeq !== undefined) query.beforeSeq = args.beforeSeq;
    const lines: string[] = [];
    if (args.verify) {
      const verification = await coffer.verifyAudit();
      lines.push(
        verification.ok
          ? `chain verified: ${verification.checked} entries intact`
          : `CHAIN BROKEN at #${verification.brokenAt?.seq ?? "?"} (${verification.brokenAt?.reason ?? "unknown"}); ${verification.checked} entries checked${verification.detail ? `\n${verification.detail}` : ""}`,
      );
    }
    const entries = await coffer.audit(query);
    lines.push(
      entries.length === 0
        ? "no matching entries"
        : `${entries.length} entr${entries.length === 1 ? "y" : "ies"}, newest first:`,
    );
    for (const entry of entries) lines.push(entryLine(entry));
    return lines.join("\n");
  },
});
