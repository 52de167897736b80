import * as z from "zod";
import { readScopeFields, toScopeInput } from "../scope-arguments.js";
import { defineTool } from "../tool-definition.js";

/** `inspect_secret`: full metadata as JSON. Never the value. */
export const inspectSecretTool = defineTool({
  name: "inspect_secret",
  title: "Inspect secret metadata",
  description:
    "[secrets] Show everything known about one secret except its value: every env state (version, provider, tags, description, TTL/decay, expiry, allowedAgentIds, write-only, masked preview), " +
    "version history, entangled secrets and how often it was accessed. Use to audit a secret or before rotate_secret/delete_secret. Read-only (audited). Returns JSON.",
  annotations: {
    title: "Inspect secret",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: {
    key: z.string().describe("Secret key name. Example: 'STRIPE_SECRET_KEY'."),
    ...readScopeFields,
  },
  async run(args, { coffer }) {
    const inspection = await coffer.inspect(args.key, toScopeInput(args));
    return JSON.stringify(inspection, null, 2);
  },
});
