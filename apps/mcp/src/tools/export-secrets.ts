import type { ExportOptions } from "@coffer/core";
import * as z from "zod";
import { TOOL_SCOPES } from "../scope-arguments.js";
import { defineTool } from "../tool-definition.js";

/** `export_secrets`: metadata export as JSON. Never values. */
export const exportSecretsTool = defineTool({
  name: "export_secrets",
  title: "Export secret metadata",
  description:
    "[secrets] Export the metadata of many secrets as JSON (key, scope, env, version, provider, tags, description, TTL, expiry, rotation hints, dates) for documentation, review or migration planning. " +
    "Values are never included through MCP. Read-only (audited). Filters: pattern (glob on key), tags, scope.",
  annotations: {
    title: "Export metadata",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: {
    pattern: z.string().min(1).optional().describe("Glob on the key. Example: 'STRIPE_*'."),
    tags: z.array(z.string().min(1)).optional().describe("Only secrets carrying all these tags."),
    scope: z.enum(TOOL_SCOPES).optional().describe("Only this scope kind. Omit for all."),
  },
  async run(args, { coffer }) {
    const options: ExportOptions = { includeValues: false };
    if (args.pattern !== undefined) options.pattern = args.pattern;
    if (args.tags !== undefined) options.tags = args.tags;
    if (args.scope !== undefined) options.scope = args.scope;
    const exported = await coffer.export(options);
    // Metadata only, whatever the service returned.
    const rows = exported.map(({ value: _value, ...metadata }) => metadata);
    return JSON.stringify(rows, null, 2);
  },
});
