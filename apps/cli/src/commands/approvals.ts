import {
  APPROVAL_STATUSES,
  type ApprovalRequest,
  type ApprovalStatus,
  type Approvals,
  CofferError,
  NUMERIC_RANGES,
  parseDuration,
} from "@coffer/core";
import { explainAgentSession, governingAccessor } from "../cli/approver-accessor.js";
import type { CommandContext } from "../cli/command-context.js";
import type { CommandHandler } from "../cli/command-spec.js";
import { stringFlag } from "../cli/flag-values.js";
import { formatSpan } from "../cli/format-span.js";
import { renderTable } from "../cli/table.js";
import { isoSeconds } from "../cli/timestamps.js";

async function approvalStore(ctx: CommandContext): Promise<Approvals> {
  const session = await ctx.session();
  if (!session.approvals) {
    throw new CofferError("UNSUPPORTED", "approvals live in the local store, which is not configured", {
      hint: "enable the local provider in coffer.yaml",
    });
  }
  return session.approvals;
}

function statusFilter(text: string | undefined): ApprovalStatus | undefined {
  if (text === undefined) return "pending";
  if (text === "all") return undefined;
  if (!(APPROVAL_STATUSES as readonly string[]).includes(text)) {
    throw new CofferError("INVALID_ARGUMENT", `--status must be one of ${[...APPROVAL_STATUSES, "all"].join(", ")}`, {
      field: "status",
    });
  }
  return text as ApprovalStatus;
}

/** When the row's window ends: the grant for approvals, the request's expiry otherwise. */
function windowEnd(r: ApprovalRequest): string {
  if (r.status === "denied") return "-";
  return isoSeconds(r.grantedUntil ?? r.expiresAt);
}

/** `coffer approvals [--status S]`: approval requests, pending ones by default. */
export const approvalsCommand: CommandHandler = async (ctx, args) => {
  const status = statusFilter(stringFlag(args, "status"));
  const list = await (await approvalStore(ctx)).list(status ? { status } : {});
  const { style } = ctx;
  const statusText = (s: ApprovalStatus) =>
    s === "approved" ? style.green(s) : s === "denied" ? style.red(s) : s === "pending" ? style.yellow(s) : s;
  const rows = list.map((r) => [
    r.id,
    `${r.requester.kind}:${r.requester.id} (${r.requester.frontEnd})`,
    `${r.name}${r.scope && r.scope !== "global" ? ` [${r.scope}]` : ""}`,
    r.action,
    r.command !== undefined ? `$ ${r.command}` : (r.purpose ?? "-"),
    isoSeconds(r.requestedAt),
    windowEnd(r),
    statusText(r.status),
  ]);
  const what = status ?? "all";
  const lines = [`Approval requests (${what}): ${list.length}`, ""];
  if (rows.length > 0) {
    lines.push(
      ...renderTable(
        ["Id", "Accessor", "Secret", "Action", "Command/Purpose", "Requested", "Expires", "Status"],
        rows,
        ctx.terminal.width,
      ),
    );
    if (status === "pending")
      lines.push("", "Approve with: coffer approve <id> [--for 15m]   Deny with: coffer deny <id>");
  } else lines.push(status === "pending" ? "No pending requests." : "No requests.");
  return { data: { status: what, approvals: list }, lines };
};

/** `coffer approve <id> [--for 15m] [--note TEXT]`: a person allows the request for a while. */
export const approveCommand: CommandHandler = async (ctx, args) => {
  const id = args.positionals[0]!;
  const forText = stringFlag(args, "for");
  const forSeconds =
    forText === undefined ? undefined : parseDuration(forText, "--for", NUMERIC_RANGES.approvalSeconds);
  const note = stringFlag(args, "note");
  const store = await approvalStore(ctx);
  const approver = governingAccessor(ctx.env, (await ctx.coffer()).accessor);
  const approved = await store
    .approve(id, {
      approver,
      ...(forSeconds !== undefined ? { forSeconds } : {}),
      ...(note !== undefined ? { note } : {}),
    })
    .catch((err: unknown) => {
      throw explainAgentSession(err, ctx.env);
    });
  const until = approved.grantedUntil ?? "";
  const span = until ? formatSpan((Date.parse(until) - Date.now()) / 1000) : "";
  return {
    data: approved,
    lines: [
      `${ctx.style.green("✓")} Approved ${approved.id}: ${approved.requester.kind} '${approved.requester.id}' may ${approved.action} '${approved.name}'${approved.command !== undefined ? ` (command: ${approved.command})` : ""}`,
      `  Until: ${until}${span ? ` (${span})` : ""}`,
      `  Approved by: ${approved.decidedBy ?? approver.id}`,
    ],
  };
};

/** `coffer deny <id> [--note TEXT]`: refuse a pending request, or revoke an approval. */
export const denyCommand: CommandHandler = async (ctx, args) => {
  const id = args.positionals[0]!;
  const note = stringFlag(args, "note");
  const store = await approvalStore(ctx);
  const by = (await ctx.coffer()).accessor;
  const denied = await store.deny(id, { by, ...(note !== undefined ? { note } : {}) });
  return {
    data: denied,
    lines: [
      `${ctx.style.green("✓")} Denied ${denied.id}: ${denied.requester.kind} '${denied.requester.id}' may not ${denied.action} '${denied.name}'`,
    ],
  };
};
