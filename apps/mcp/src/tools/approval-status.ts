import { APPROVAL_STATUSES, type ApprovalRequest, CofferError, isCofferError } from "@coffer/core";
import * as z from "zod";
import { requireApprovals } from "../governance-context.js";
import { rangedInteger, rangeText } from "../numeric-arguments.js";
import { defineTool } from "../tool-definition.js";

/** One request on one line: id, status, what was asked, and until when. */
function requestLine(r: ApprovalRequest): string {
  const what = `${r.action} of ${r.scope ? `[${r.scope}] ` : ""}${r.name}${r.command !== undefined ? ` with command ${JSON.stringify(r.command)}` : ""}`;
  const parts = [`${r.id} ${r.status}: ${what}`, `asked ${r.requestedAt}`];
  switch (r.status) {
    case "pending":
      parts.push(`waiting for a human until ${r.expiresAt}`);
      break;
    case "approved":
      parts.push(`approved by ${r.decidedBy ?? "?"} until ${r.grantedUntil ?? "?"}: call the tool again now`);
      break;
    case "denied":
      parts.push(`denied${r.decidedBy ? ` by ${r.decidedBy}` : ""} at ${r.decidedAt ?? "?"}`);
      break;
    case "expired":
      parts.push(r.grantedUntil ? `approval ended ${r.grantedUntil}` : `nobody answered by ${r.expiresAt}`);
      break;
  }
  parts.push(`rule ${r.rule}`);
  if (r.purpose) parts.push(`purpose ${JSON.stringify(r.purpose)}`);
  if (r.note) parts.push(`note ${JSON.stringify(r.note)}`);
  return parts.join(" | ");
}

/** `approval_status`: the calling agent's own approval requests (it can never approve them). */
export const approvalStatusTool = defineTool({
  name: "approval_status",
  title: "Status of my approval requests",
  description:
    "[governance] Show the status of YOUR approval requests: when a reveal or exec of a protected secret failed with APPROVAL_REQUIRED and a request id, a human must approve that request (coffer approve <id>). " +
    "This tool only shows whether it is pending, approved (then call the original tool again, same secret and command), denied or expired. You cannot approve requests, and you see only your own. " +
    "Read-only. Returns one line per request, newest first.",
  annotations: {
    title: "Approval status",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: {
    id: z
      .string()
      .min(1)
      .optional()
      .describe("One request id from an APPROVAL_REQUIRED result. Example: 'apr_3kq9x1Lm0QzT'."),
    status: z.enum(APPROVAL_STATUSES).optional().describe("Only requests with this status."),
    limit: rangedInteger("approvalLimit")
      .default(20)
      .describe(`At most this many requests${rangeText("approvalLimit")}. Default 20.`),
  },
  async run(args, context) {
    const approvals = requireApprovals(context);
    const own = (r: ApprovalRequest) => r.requester.kind === "agent" && r.requester.id === context.agentId;
    if (args.id !== undefined) {
      let request: ApprovalRequest | undefined;
      try {
        request = await approvals.get(args.id);
      } catch (err) {
        if (!isCofferError(err, "NOT_FOUND")) throw err;
      }
      // Another agent's request is reported exactly like a missing one.
      if (!request || !own(request)) {
        throw new CofferError("NOT_FOUND", `approval request ${args.id} not found among your requests`, {
          id: args.id,
        });
      }
      return requestLine(request);
    }
    const mine = (
      await approvals.list({ requester: context.agentId, ...(args.status ? { status: args.status } : {}) })
    ).filter(own);
    if (mine.length === 0)
      return `no${args.status ? ` ${args.status}` : ""} approval requests of agent ${context.agentId}`;
    const shown = mine.slice(0, args.limit);
    return [
      `${mine.length} approval request${mine.length === 1 ? "" : "s"} of agent ${context.agentId}, newest first${shown.length < mine.length ? ` (showing ${shown.length})` : ""}:`,
      ...shown.map(requestLine),
    ].join("\n");
  },
});
