import type { GetOptions } from "@coffer/core";
import * as z from "zod";
import { rangedInteger } from "../numeric-arguments.js";
import { readScopeFields, toScopeInput } from "../scope-arguments.js";
import { secretHeading, viewSummary } from "../secret-text.js";
import { defineTool } from "../tool-definition.js";

/** `get_secret`: masked preview by default; the value only with `reveal` and a purpose. */
export const getSecretTool = defineTool({
  name: "get_secret",
  title: "Get secret (masked unless revealed)",
  description:
    "[secrets] Read one secret. By default returns only metadata and a masked preview (e.g. 'sk_l****4242'), which is enough to confirm which secret it is. " +
    "Set reveal: true with a non-empty purpose ONLY when you truly need the plaintext in this conversation; the purpose is recorded in the audit log, and the value then enters your context. " +
    "To use a secret in a command without seeing it, prefer exec_with_secrets. Reveal is refused for write-only secrets, for agents not in the secret's allowedAgentIds, and where policy forbids it. " +
    "Read-only (every read is audited). Returns '[scope] KEY', a metadata line, and 'value (masked): ...' or 'value: ...'.",
  annotations: {
    title: "Get secret",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: {
    key: z.string().describe("Secret key name. Example: 'STRIPE_SECRET_KEY'."),
    ...readScopeFields,
    env: z
      .string()
      .optional()
      .describe("Env state to read (e.g. 'prod'). Defaults to the detected environment (see detect_environment)."),
    version: rangedInteger("version").optional().describe("Read this older version instead of the current one."),
    reveal: z
      .boolean()
      .default(false)
      .describe("Return the plaintext value. Requires purpose. Default false (masked preview only)."),
    purpose: z
      .string()
      .optional()
      .describe(
        "Why the plaintext is needed, recorded in the audit log. Required when reveal is true. Example: 'configure the Stripe webhook for local testing'.",
      ),
  },
  async run(args, { coffer }) {
    const options: GetOptions = toScopeInput(args);
    if (args.env !== undefined) options.env = args.env;
    if (args.version !== undefined) options.version = args.version;
    if (args.reveal) options.reveal = true;
    if (args.purpose !== undefined) options.purpose = args.purpose;
    const result = await coffer.get(args.key, options);
    const lines = [secretHeading(result.name, result.scopeLabel, result.env), viewSummary(result)];
    if (result.provenance.staleWarning) lines.push(`warning: ${result.provenance.staleWarning}`);
    if (args.reveal && result.value !== undefined) {
      lines.push(result.encoding === "base64" ? `value (base64): ${result.value}` : `value: ${result.value}`);
    } else {
      lines.push(`value (masked): ${result.maskedValue}`);
    }
    return lines.join("\n");
  },
});
