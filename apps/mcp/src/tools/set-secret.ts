import { SECRET_FORMATS, type SetOptions } from "@coffer/core";
import * as z from "zod";
import { rangedInteger } from "../numeric-arguments.js";
import { toScopeInput } from "../scope-arguments.js";
import { sideEffectLines, withLines } from "../secret-text.js";
import { defineTool } from "../tool-definition.js";

/** `set_secret`: create or overwrite one secret. Field descriptions follow the reference schema. */
export const setSecretTool = defineTool({
  name: "set_secret",
  title: "Set secret",
  description:
    "[secrets] Create or overwrite a single secret value, optionally with TTL/decay, per-env superposition, description, tags, and rotation hints. " +
    "Use to add or update one key at a time; prefer import_dotenv for bulk .env ingest, generate_secret (with saveAs) to generate-and-store in one step, and entangle_secrets instead of duplicating the same value under two keys. " +
    "Mutates the keyring (overwrites any existing value at the same key/scope, keeping the previous value as an older version), writes a 'write' event to the audit log, and triggers any matching hooks. Subject to tool policy. " +
    "The value is never echoed or logged. Returns a short confirmation text like '[scope] KEY saved' (or '[scope] KEY set for env:NAME' when env is provided).",
  annotations: {
    title: "Set secret",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: false,
  },
  input: {
    key: z.string().describe("Secret key name (UPPER_SNAKE_CASE recommended). Example: 'STRIPE_SECRET_KEY'."),
    value: z
      .string()
      .describe(
        "The secret value to store. Stored as-is; never logged or echoed. May be empty only when `env` is provided to register a new env without a default.",
      ),
    env: z
      .string()
      .optional()
      .describe(
        "If set, writes this value to the named per-env state (superposition) instead of the default slot. Existing default value is preserved as state 'default'. Example: 'prod'.",
      ),
    tags: z
      .array(z.string())
      .optional()
      .describe("Tag list for filtering and hook matching. Example: ['production', 'payments']."),
    scope: z
      .enum(["global", "project", "team", "org"])
      .default("global")
      .describe(
        "Where the secret lives. 'global' = user keyring (default if omitted on reads), 'project' = scoped to projectPath, 'team' = team-shared (needs teamId), 'org' = org-shared (needs orgId).",
      ),
    orgId: z
      .string()
      .optional()
      .describe(
        "Organization identifier for org-scoped secrets. Required only when scope='org'. Example: 'acme-corp'.",
      ),
    teamId: z
      .string()
      .optional()
      .describe("Team identifier for team-scoped secrets. Required only when scope='team'. Example: 'acme-platform'."),
    projectPath: z
      .string()
      .optional()
      .describe(
        "Absolute path to the project root for project-scoped secrets and policy resolution. Defaults to the MCP server's current working directory when omitted.",
      ),
    ttlSeconds: rangedInteger("ttlSeconds")
      .optional()
      .describe(
        "Quantum decay window in seconds. After this many seconds the secret is marked expired (still readable, but `has_secret` returns false and `health_check` flags it). Omit for no decay.",
      ),
    description: z
      .string()
      .optional()
      .describe("Free-text human-readable description shown in `inspect_secret` and the dashboard."),
    rotationFormat: z
      .enum(SECRET_FORMATS)
      .optional()
      .describe(
        "Format used by `agent_scan --autoRotate` and `rotate_secret` when this secret expires. Pick the format that matches the upstream service's accepted shape.",
      ),
    rotationPrefix: z
      .string()
      .optional()
      .describe(
        "Literal prefix prepended on auto-rotation (only used with rotationFormat 'api-key' or 'token'). Example: 'sk-'.",
      ),
  },
  async run(args, { coffer }) {
    const options: SetOptions = toScopeInput(args);
    if (args.env !== undefined) options.env = args.env;
    if (args.tags !== undefined) options.tags = args.tags;
    if (args.ttlSeconds !== undefined) options.ttlSeconds = args.ttlSeconds;
    if (args.description !== undefined) options.description = args.description;
    if (args.rotationFormat !== undefined) options.rotationFormat = args.rotationFormat;
    if (args.rotationPrefix !== undefined) options.rotationPrefix = args.rotationPrefix;
    const result = await coffer.set(args.key, args.value, options);
    const first = result.env
      ? `[${result.scopeLabel}] ${result.name} set for env:${result.env}`
      : `[${result.scopeLabel}] ${result.name} saved`;
    const warning = result.alreadyExpired
      ? [
          "Warning: its expiresAt is already past; reads fail with EXPIRED and list_secrets hides it unless expired: true.",
        ]
      : [];
    return withLines(first, [...sideEffectLines(result.entangled, result.hooks), ...warning]);
  },
});
