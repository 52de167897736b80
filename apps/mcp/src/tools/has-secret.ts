import type { GetOptions } from "@coffer/core";
import * as z from "zod";
import { readScopeFields, toScopeInput } from "../scope-arguments.js";
import { defineTool } from "../tool-definition.js";

/** `has_secret`: existence check; false for missing and for expired secrets. */
export const hasSecretTool = defineTool({
  name: "has_secret",
  title: "Check a secret exists",
  description:
    "[secrets] Check whether a secret exists and is usable, without reading it. Returns 'true' or 'false' followed by the key; false when the secret is missing, deleted, " +
    "past its TTL (ttlSeconds) or past its hard expiry. Use before exec_with_secrets or to decide whether to ask the user for a value. Read-only.",
  annotations: {
    title: "Check a secret exists",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: {
    key: z.string().describe("Secret key name. Example: 'STRIPE_SECRET_KEY'."),
    ...readScopeFields,
    env: z.string().optional().describe("Env state to check (e.g. 'prod'). Defaults to the detected environment."),
  },
  async run(args, { coffer }) {
    const options: GetOptions = toScopeInput(args);
    if (args.env !== undefined) options.env = args.env;
    const present = await coffer.has(args.key, options);
    return present ? `true: ${args.key} exists` : `false: ${args.key} is missing or expired`;
  },
});
