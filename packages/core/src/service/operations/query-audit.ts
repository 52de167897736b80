import type { AuditEntry, AuditLog, AuditQuery, AuditVerification } from "../../audit/types.js";
import { CofferError } from "../../errors/index.js";
import type { OperationContext } from "../context.js";
import type { AuditSummary } from "../types.js";

function requireAudit(ctx: OperationContext): AuditLog {
  const log = ctx.state.recorder.log;
  if (!log) throw new CofferError("UNSUPPORTED", "no audit log is configured (it lives in the local store)");
  return log;
}

/** `audit`: entries of the log, newest first (an `admin` action on the `audit` resource). */
export async function queryAudit(ctx: OperationContext, query: AuditQuery = {}): Promise<AuditEntry[]> {
  await ctx.guard.require({ action: "admin", resource: "audit" });
  await ctx.state.recorder.settle();
  const entries = await requireAudit(ctx).query(query);
  ctx.recordLater({ action: "list", success: true, details: { resource: "audit" } });
  return entries;
}

/** `auditSummary`: counts over the entries a query selects. */
export async function summarizeAudit(ctx: OperationContext, query: AuditQuery = {}): Promise<AuditSummary> {
  const entries = await queryAudit(ctx, { ...query, limit: query.limit ?? 10000 });
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.accessor, (counts.get(e.accessor) ?? 0) + 1);
  let top: AuditSummary["topAccessor"];
  for (const [accessor, count] of counts) if (!top || count > top.count) top = { accessor, count };
  const lastRotation = entries.find((e) => e.action === "rotate" && e.success)?.time;
  return {
    total: entries.length,
    failed: entries.filter((e) => !e.success).length,
    ...(top ? { topAccessor: top } : {}),
    ...(lastRotation ? { lastRotation } : {}),
  };
}

/** `verifyAudit`: check the log's hash chain. */
export async function verifyAudit(ctx: OperationContext): Promise<AuditVerification> {
  await ctx.guard.require({ action: "admin", resource: "audit" });
  await ctx.state.recorder.settle();
  const result = await requireAudit(ctx).verify();
  ctx.recordLater({ action: "list", success: true, details: { resource: "audit", verify: true } });
  return result;
}
