import { APPROVAL_STATUSES, type ApprovalStatus, type Approvals, CofferError } from "@coffer/core";
import type { FastifyInstance } from "fastify";
import { authorizeToken, tokenCoversName } from "../auth/token-policy.js";
import { defined } from "../http/query-values.js";
import { authenticated } from "../http/request-context.js";
import { bearerSecurity, problemResponses, queryObject, textParam } from "../schemas/parameters.js";

/** Options of {@link approvalRoutes}. */
export interface ApprovalRoutesOptions {
  /** The approval store of the opened service; absent without the local store. */
  approvals?: Approvals;
}

interface ApprovalListQuery {
  status?: ApprovalStatus;
  requester?: string;
  name?: string;
}

const str = { type: "string" } as const;
const dateTime = { type: "string", format: "date-time" } as const;

/** `ApprovalRequest`, inline: a request for a human to allow one action on one secret. Never a value. */
const approvalRequestSchema = {
  type: "object",
  description: "A request for a human to allow one accessor one action on one secret. Never a value.",
  required: ["id", "requester", "action", "name", "rule", "requestedAt", "expiresAt", "status"],
  properties: {
    id: { type: "string", description: "Request id (`apr_...`)." },
    requester: {
      type: "object",
      description: "Who asked.",
      properties: {
        id: str,
        kind: { type: "string", enum: ["user", "agent", "token"] },
        frontEnd: { type: "string", enum: ["cli", "mcp", "rest", "library"] },
      },
    },
    action: { type: "string", description: "Action asked for (`reveal`, `exec`)." },
    name: { type: "string", description: "Secret name." },
    scope: { type: "string", description: "Scope label of the secret." },
    command: { type: "string", description: "Command to run (exec); an approval covers only this command." },
    purpose: { type: "string", description: "Stated purpose." },
    rule: { type: "string", description: "Rule that required the approval." },
    requestedAt: dateTime,
    expiresAt: { ...dateTime, description: "When the request expires unanswered." },
    status: { type: "string", enum: [...APPROVAL_STATUSES] },
    decidedAt: dateTime,
    decidedBy: { type: "string", description: "Who answered." },
    grantedUntil: { ...dateTime, description: "Until when an approval holds." },
    note: { type: "string", description: "Note given with the answer." },
  },
} as const;

/**
 * `GET /v1/approvals`: approval requests, newest first. Needs the `admin` scope. Approving and
 * denying are for people at the CLI (`coffer approvals approve|deny`), never for tokens.
 */
export async function approvalRoutes(app: FastifyInstance, options: ApprovalRoutesOptions): Promise<void> {
  app.get<{ Querystring: ApprovalListQuery }>(
    "/v1/approvals",
    {
      schema: {
        tags: ["approvals"],
        operationId: "listApprovals",
        summary: "List approval requests",
        description:
          "Requests filed when a reveal or exec needed a human's approval (`APPROVAL_REQUIRED`), newest first, with their status: `pending`, `approved` (until `grantedUntil`), `denied` or `expired`. Needs the `admin` scope. A token with a name pattern sees requests about matching names only. Requests are answered by a person at the CLI (`coffer approvals approve <id>`), never through this API.",
        security: bearerSecurity,
        querystring: queryObject({
          status: { type: "string", enum: [...APPROVAL_STATUSES], description: "Only this status." },
          requester: textParam("Only requests of this accessor id (agent id, token name or user)."),
          name: textParam("Only requests about this secret."),
        }),
        response: {
          200: {
            description: "Approval requests, newest first",
            type: "object",
            properties: { items: { type: "array", items: approvalRequestSchema } },
          },
          ...problemResponses(503),
        },
      },
    },
    async (req) => {
      const { token } = authenticated(req);
      // The approval store does not authorize listings; reading requests is an admin action.
      authorizeToken(token, "approvals");
      if (!options.approvals) {
        throw new CofferError("UNAVAILABLE", "approval requests live in the local store, which is not configured");
      }
      const q = req.query;
      const items = await options.approvals.list(defined({ status: q.status, requester: q.requester, name: q.name }));
      return { items: items.filter((item) => tokenCoversName(token, item.name)) };
    },
  );
}
