import type { ListItem, ListOptions } from "@coffer/core";
import * as z from "zod";
import { rangedInteger, rangeText } from "../numeric-arguments.js";
import { TOOL_SCOPES } from "../scope-arguments.js";
import { viewSummary } from "../secret-text.js";
import { defineTool } from "../tool-definition.js";

/** One listing row: `[scope] KEY  v2 | provider local | ... | envs default,prod`. */
function listLine(item: ListItem): string {
  const parts = [`[${item.scopeLabel}] ${item.name}`, viewSummary(item)];
  if (item.envs.length > 0) parts.push(`envs ${item.envs.join(",")}`);
  if (item.description) parts.push(`"${item.description}"`);
  if (item.shadowed) parts.push(`shadowed by a higher-priority provider`);
  return parts.join(" | ");
}

/** True for TTL-expired and hard-expired rows. */
function isExpired(item: ListItem): boolean {
  return item.decay.state === "expired" || item.decay.state === "hard-expired";
}

/** `list_secrets`: metadata of the secrets the agent can see. Never values or previews. */
export const listSecretsTool = defineTool({
  name: "list_secrets",
  title: "List secrets",
  description:
    "[secrets] List secrets (metadata only: scope, key, version, provider, tags, env states, freshness; never values or previews). " +
    "Use to discover which keys exist before get_secret, exec_with_secrets or set_secret. Filters: pattern (glob on the key, e.g. 'STRIPE_*'), tag, scope, env, expired, stale. " +
    "Read-only. Returns one line per secret and a cursor when more pages exist.",
  annotations: {
    title: "List secrets",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: {
    pattern: z
      .string()
      .min(1)
      .optional()
      .describe("Glob on the key: '*' any run, '?' one character. Example: 'STRIPE_*'."),
    tag: z.string().min(1).optional().describe("Only secrets carrying this tag. Example: 'payments'."),
    scope: z.enum(TOOL_SCOPES).optional().describe("Only secrets in this scope kind. Omit for all scopes."),
    env: z.string().min(1).optional().describe("Only secrets that have this env state. Example: 'prod'."),
    expired: z
      .boolean()
      .optional()
      .describe(
        "true: only expired secrets (TTL passed or hard expiry). false: leave expired secrets out. Omit: include TTL-expired, leave hard-expired out.",
      ),
    stale: z
      .boolean()
      .optional()
      .describe("true: only secrets at >= 75% of their TTL or past it (candidates for rotate_secret)."),
    includeDeleted: z
      .boolean()
      .optional()
      .describe("Also list soft-deleted secrets (that restore_secret can bring back). Default false."),
    limit: rangedInteger("listLimit")
      .optional()
      .describe(`Page size${rangeText("listLimit")}. Default 100.`),
    cursor: z.string().min(1).optional().describe("Cursor from a previous page."),
  },
  async run(args, { coffer }) {
    const options: ListOptions = {};
    if (args.pattern !== undefined) options.pattern = args.pattern;
    if (args.tag !== undefined) options.tags = [args.tag];
    if (args.scope !== undefined) options.scope = args.scope;
    if (args.env !== undefined) options.env = args.env;
    if (args.expired !== undefined) options.includeExpired = args.expired;
    if (args.stale) options.staleOnly = true;
    if (args.includeDeleted) options.includeDeleted = true;
    if (args.limit !== undefined) options.limit = args.limit;
    if (args.cursor !== undefined) options.cursor = args.cursor;
    const result = await coffer.list(options);
    const items =
      args.expired === undefined ? result.items : result.items.filter((item) => isExpired(item) === args.expired);
    const lines = [
      items.length === 0
        ? "no secrets match"
        : `${items.length} secret${items.length === 1 ? "" : "s"}${result.total !== undefined && result.total > items.length ? ` (of ${result.total})` : ""}:`,
    ];
    for (const item of items) lines.push(listLine(item));
    if (result.nextCursor) lines.push(`more: call again with cursor "${result.nextCursor}"`);
    for (const failure of result.errors)
      lines.push(
        `provider ${failure.provider} could not list: ${failure.code ?? failure.outcome}${failure.message ? ` ${failure.message}` : ""}`,
      );
    return lines.join("\n");
  },
});
