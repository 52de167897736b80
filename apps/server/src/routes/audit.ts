import {
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditEntry,
  type AuditQuery,
  CofferError,
  detectAnomalies,
  exportAuditJsonl,
} from "@coffer/core";
import type { FastifyInstance } from "fastify";
import { tokenCoversName } from "../auth/token-policy.js";
import { defined, flag, wholeNumber } from "../http/query-values.js";
import { authenticated } from "../http/request-context.js";
import { RANGES, wholeRangeParam } from "../schemas/input-rules.js";
import { bearerSecurity, flagParam, problemResponses, queryObject, textParam } from "../schemas/parameters.js";

/** Most entries one audit query returns (the local store's limit). */
const MAX_AUDIT_ENTRIES = RANGES.auditExportLimit.max;
/** Media type of the JSON Lines export. */
export const JSONL_MEDIA_TYPE = "application/jsonl";

interface AuditFilterQuery {
  name?: string;
  accessor?: string;
  action?: AuditAction;
  failed?: string;
  since?: string;
  until?: string;
}

interface AuditListQuery extends AuditFilterQuery {
  limit?: string;
  cursor?: string;
}

interface AnomalyQuery {
  since?: string;
  timeZone?: string;
  burstReads?: string;
  burstWindowSeconds?: string;
  denials?: string;
  denialWindowSeconds?: string;
  minHistory?: string;
}

const filterParams = {
  name: textParam("Only this secret."),
  accessor: textParam("Only this accessor (OS user, agent id or token name)."),
  action: { type: "string", enum: [...AUDIT_ACTIONS], description: "Only this action." },
  failed: flagParam("Only failed attempts."),
  since: { type: "string", format: "date-time", description: "From this time (inclusive)." },
  until: { type: "string", format: "date-time", description: "Up to this time (exclusive)." },
} as const;

/** The time zones this runtime knows (the `timeZone` parameter's values). */
const TIME_ZONES = [...new Set(["UTC", ...Intl.supportedValuesOf("timeZone")])];

const cursorParam = { type: "string", pattern: "^[0-9]{1,15}$", description: "Cursor from `nextCursor`." } as const;

/** The service query of the shared filter parameters. */
function auditQuery(q: AuditListQuery, limit: number): AuditQuery {
  return defined({
    name: q.name,
    accessor: q.accessor,
    action: q.action,
    failedOnly: flag(q.failed),
    since: q.since,
    until: q.until,
    limit,
    beforeSeq: q.cursor === undefined ? undefined : Number(q.cursor),
  });
}

/** The cursor of the next page, when this page was full. */
function nextCursor(entries: AuditEntry[], limit: number): string | undefined {
  const last = entries.at(-1);
  return entries.length === limit && last && last.seq > 1 ? String(last.seq) : undefined;
}

/** A time zone the runtime knows. @throws CofferError INVALID_ARGUMENT */
function timeZoneOf(zone: string | undefined): string | undefined {
  if (zone === undefined) return undefined;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    throw new CofferError("INVALID_ARGUMENT", "timeZone must be an IANA time zone such as Europe/Berlin or UTC", {
      field: "timeZone",
    });
  }
  return zone;
}

const anomalySchema = {
  type: "object",
  description:
    "Something worth a look: many reads in a short time (`read-burst`), reads at an hour the accessor rarely reads at (`unusual-hour`), or repeated denials (`repeated-denials`).",
  required: ["kind", "accessor", "count", "from", "to", "names"],
  properties: {
    kind: { type: "string", enum: ["read-burst", "unusual-hour", "repeated-denials"] },
    accessor: { type: "string", description: "Who." },
    count: { type: "integer", description: "Reads or denials in the run." },
    from: { type: "string", format: "date-time", description: "First entry of the run." },
    to: { type: "string", format: "date-time", description: "Last entry of the run." },
    names: { type: "array", items: { type: "string" }, description: "Secrets concerned (at most 20)." },
    hour: { type: "integer", minimum: 0, maximum: 23, description: "`unusual-hour`: hour of day in `timeZone`." },
    historyReads: { type: "integer", description: "`unusual-hour`: reads of that accessor in its history." },
  },
} as const;

/**
 * `GET /v1/audit`, `GET /v1/audit/verify`, `GET /v1/audit/export` (JSON Lines) and
 * `GET /v1/audit/anomalies`. The service authorizes every audit read (`audit:read` for tokens)
 * and records refusals; entries about secrets outside a token's name pattern are left out.
 */
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
          ...filterParams,
          limit: wholeRangeParam(RANGES.auditLimit, "At most this many entries (default 50)."),
          cursor: cursorParam,
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
      const limit = wholeNumber(req.query.limit, "limit", RANGES.auditLimit) ?? 50;
      const entries = await coffer.audit(auditQuery(req.query, limit));
      const cursor = nextCursor(entries, limit);
      return {
        items: entries.filter((entry) => entry.name === undefined || tokenCoversName(token, entry.name)),
        ...(cursor ? { nextCursor: cursor } : {}),
      };
    },
  );

  app.get<{ Querystring: AuditListQuery }>(
    "/v1/audit/export",
    {
      schema: {
        tags: ["audit"],
        operationId: "exportAudit",
        summary: "Export the audit log as JSON Lines",
        description:
          "The matching entries, newest first, one JSON object per line (`application/jsonl`), hashes included so the chain can be checked elsewhere. Never a value. At most 10000 entries per request: when a page is full, the `X-Next-Cursor` header holds the `cursor` of the next one. Needs `audit:read`. A token with a name pattern gets entries about matching names and entries about no secret.",
        security: bearerSecurity,
        querystring: queryObject({
          ...filterParams,
          limit: wholeRangeParam(RANGES.auditExportLimit, "At most this many entries (default 10000)."),
          cursor: cursorParam,
        }),
        response: {
          200: {
            description: "Entries as JSON Lines",
            headers: {
              "X-Next-Cursor": { type: "string", description: "Cursor of the next page, when this one was full." },
            },
            content: {
              [JSONL_MEDIA_TYPE]: {
                schema: {
                  type: "string",
                  description: "One `AuditEntry` object per line, each line ending in a line feed.",
                },
              },
            },
          },
          ...problemResponses(503),
        },
      },
    },
    async (req, reply) => {
      const { token, coffer } = authenticated(req);
      const limit = wholeNumber(req.query.limit, "limit", RANGES.auditExportLimit) ?? MAX_AUDIT_ENTRIES;
      const entries = await coffer.audit(auditQuery(req.query, limit));
      const cursor = nextCursor(entries, limit);
      const visible = entries.filter((entry) => entry.name === undefined || tokenCoversName(token, entry.name));
      reply
        .type(`${JSONL_MEDIA_TYPE}; charset=utf-8`)
        .header("content-disposition", 'attachment; filename="coffer-audit.jsonl"');
      if (cursor) reply.header("x-next-cursor", cursor);
      // A Buffer is sent as is (Fastify would JSON-encode a string under a *json* media type).
      return reply.send(Buffer.from(exportAuditJsonl(visible), "utf8"));
    },
  );

  app.get<{ Querystring: AnomalyQuery }>(
    "/v1/audit/anomalies",
    {
      schema: {
        tags: ["audit"],
        operationId: "auditAnomalies",
        summary: "Flag unusual activity in the audit log",
        description:
          "Looks at the latest 10000 entries for read bursts (many reads by one accessor in a short time), reads at hours an accessor rarely reads at, and repeated denials. With `since`, entries before it are history only and anomalies are reported from it on. Needs `audit:read`. A token with a name pattern sees only entries about matching names or no secret.",
        security: bearerSecurity,
        querystring: queryObject({
          since: { type: "string", format: "date-time", description: "Report anomalies from this time on." },
          timeZone: {
            type: "string",
            enum: TIME_ZONES,
            description: "IANA time zone of the hours (default: the server's).",
          },
          burstReads: wholeRangeParam(RANGES.anomalyCount, "Reads that make a burst (default 30)."),
          burstWindowSeconds: wholeRangeParam(RANGES.anomalyWindowSeconds, "Window of a burst, seconds (default 60)."),
          denials: wholeRangeParam(RANGES.anomalyCount, "Denials that are flagged (default 5)."),
          denialWindowSeconds: wholeRangeParam(
            RANGES.anomalyWindowSeconds,
            "Window of repeated denials, seconds (default 600).",
          ),
          minHistory: wholeRangeParam(
            RANGES.anomalyMinHistory,
            "Reads an accessor needs before its hours are judged (default 20).",
          ),
        }),
        response: {
          200: {
            description: "Anomalies, and how many entries were examined",
            type: "object",
            properties: {
              items: { type: "array", items: anomalySchema },
              examined: { type: "integer", description: "Entries examined." },
            },
          },
          ...problemResponses(503),
        },
      },
    },
    async (req) => {
      const { token, coffer } = authenticated(req);
      const q = req.query;
      const options = defined({
        since: q.since,
        timeZone: timeZoneOf(q.timeZone),
        burstReads: wholeNumber(q.burstReads, "burstReads", RANGES.anomalyCount),
        burstWindowSeconds: wholeNumber(q.burstWindowSeconds, "burstWindowSeconds", RANGES.anomalyWindowSeconds),
        denials: wholeNumber(q.denials, "denials", RANGES.anomalyCount),
        denialWindowSeconds: wholeNumber(q.denialWindowSeconds, "denialWindowSeconds", RANGES.anomalyWindowSeconds),
        minHistory: wholeNumber(q.minHistory, "minHistory", RANGES.anomalyMinHistory),
      });
      const entries = (await coffer.audit({ limit: MAX_AUDIT_ENTRIES })).filter(
        (entry) => entry.name === undefined || tokenCoversName(token, entry.name),
      );
      return { items: detectAnomalies(entries, options), examined: entries.length };
    },
  );

  app.get(
    "/v1/audit/verify",
    {
      schema: {
        tags: ["audit"],
        operationId: "verifyAudit",
        summary: "Verify the audit hash chain",
        description:
          "Checks the store commitment (audit head, prune anchor and secret records; not older than its anchor file), then that every entry links to the previous one and hashes correctly. Needs `audit:read`.",
        security: bearerSecurity,
        querystring: queryObject({}),
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
                  reason: {
                    type: "string",
                    enum: ["edited", "deleted", "inserted", "reordered", "hash-mismatch", "commitment", "rolled-back"],
                  },
                },
              },
              detail: { type: "string" },
            },
          },
          ...problemResponses(503),
        },
      },
    },
    async (req) => {
      const { coffer } = authenticated(req);
      return coffer.verifyAudit();
    },
  );
}
