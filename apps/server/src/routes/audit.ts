import { AUDIT_ACTIONS, type AuditAction, type AuditQuery } from "@coffer/core";
import type { FastifyInstance } from "fastify";
import { authorizeToken, tokenCoversName } from "../auth/token-policy.js";
import { defined, flag, wholeNumber } from "../http/query-values.js";
import { authenticated } from "../http/request-context.js";
import {
  bearerSecurity,
  flagParam,
  problemResponses,
  queryObject,
  textParam,
  wholeNumberParam,
} from "../schemas/parameters.js";

interface AuditListQuery {
  name?: string;
  accessor?: string;
  action?: AuditAction;
  failed?: string;
  since?: string;
  until?: string;
  limit?: string;
  cursor?: string;
}

/** `GET /v1/audit` and `GET /v1/audit/verify`. */
export async function auditRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: AuditListQuery }>(
    "/v1/audit",
    {
      schema: {
        tags: ["audit"],
        operationId: "queryAudit",
        summary: "Query the audit log",
        description:
          "Entries newest first. Page with `cursor` (the `nextCursor` of the previous page). Needs `audit:read`. A token with a name pattern sees entries about matching names and entries about no secret.",
        security: bearerSecurity,
        querystring: queryObject({
          name: textParam("Only this secret."),
          accessor: textParam("Only this accessor (OS user, agent id or token name)."),
          action: { type: "string", enum: [...AUDIT_ACTIONS], description: "Only this action." },
          failed: flagParam("Only failed attempts."),
          since: { type: "string", format: "date-time", description: "From this time (inclusive)." },
          until: { type: "string", format: "date-time", description: "Up to this time (exclusive)." },
          limit: wholeNumberParam("At most this many entries, 1-1000 (default 50)."),
          cursor: { type: "string", pattern: "^[0-9]{1,15}$", description: "Cursor from `nextCursor`." },
        }),
        response: {
          200: {
            description: "A page of entries",
            type: "object",
            properties: { items: { type: "array", items: { $ref: "AuditEntry#" } }, nextCursor: { type: "string" } },
          },
          ...problemResponses(503),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      authorizeToken(token, "audit");
      const q = req.query;
      const limit = wholeNumber(q.limit, "limit", 1, 1000) ?? 50;
      const query: AuditQuery = defined({
        name: q.name,
        accessor: q.accessor,
        action: q.action,
        failedOnly: flag(q.failed),
        since: q.since,
        until: q.until,
        limit,
        beforeSeq: q.cursor === undefined ? undefined : Number(q.cursor),
      });
      const entries = await coffer.audit(query);
      const last = entries.at(-1);
      return {
        items: entries.filter((entry) => entry.name === undefined || tokenCoversName(token, entry.name)),
        ...(entries.length === limit && last && last.seq > 1 ? { nextCursor: String(last.seq) } : {}),
      };
    },
  );

  app.get(
    "/v1/audit/verify",
    {
      schema: {
        tags: ["audit"],
        operationId: "verifyAudit",
        summary: "Verify the audit hash chain",
        description: "Checks that every entry links to the previous one and hashes correctly. Needs `audit:read`.",
        security: bearerSecurity,
        response: {
          200: {
            description: "Verification result",
            type: "object",
            properties: {
              ok: { type: "boolean" },
              checked: { type: "integer" },
              brokenAt: {
                type: "object",
                properties: {
                  seq: { type: "integer" },
                  reason: { type: "string", enum: ["edited", "deleted", "inserted", "reordered", "hash-mismatch"] },
                },
              },
            },
          },
          ...problemResponses(503),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      authorizeToken(token, "audit");
      return coffer.verifyAudit();
    },
  );
}
