import { CofferError, type ListItem, type SetOptions } from "@coffer/core";
import * as z from "zod";
import { secretHeading, viewSummary } from "../secret-text.js";
import { defineTool } from "../tool-definition.js";

/** The vault works in the global scope: one flat, path-like namespace. */
const VAULT_SCOPE = { scope: "global" } as const;

const ACTIONS = ["put", "get", "list", "rotate", "delete"] as const;
type VaultAction = (typeof ACTIONS)[number];

/** Which optional fields each action accepts; anything else is refused as a likely mistake. */
const FIELDS_BY_ACTION: Record<VaultAction, readonly string[]> = {
  put: ["name", "value", "encoding", "mode", "allowedAgentIds", "description", "tags", "expiresAt"],
  get: ["name", "reveal", "purpose"],
  list: [],
  rotate: ["name", "value"],
  delete: ["name"],
};

function refuse(field: string, message: string): never {
  throw new CofferError("INVALID_ARGUMENT", message, { field });
}

/** One line of `list`. */
function listLine(item: ListItem): string {
  const parts = [item.name, viewSummary(item)];
  if (item.description) parts.push(JSON.stringify(item.description));
  if (item.allowedAgentIds && item.allowedAgentIds.length > 0) parts.push(`agents ${item.allowedAgentIds.join(",")}`);
  return parts.join(" | ");
}

/** `vault_secret`: the action-style vault tool (put/get/list/rotate/delete). */
export const vaultSecretTool = defineTool({
  name: "vault_secret",
  title: "Vault secret (put/get/list/rotate/delete)",
  description:
    "[secrets] One tool for storing and using API keys, tokens and PEM files under path-like names (e.g. 'openai/default_api_key'). Actions: " +
    "put = store or update (mode 'create' fails if it exists, 'upsert' default); get = masked value by default, plaintext only with reveal: true and a purpose (recorded in the audit log; the value then enters your context); " +
    "list = metadata of all secrets (no values); rotate = replace the value of an existing secret, incrementing its version; delete = permanently delete (not recoverable). " +
    "No version history: after put over an existing secret or rotate, the old value cannot be read by any front end. " +
    "allowedAgentIds restricts which agents can read and change a secret; expiresAt makes it inaccessible after that time; values are capped at 64 KiB (use encoding 'base64' for binary). " +
    "Every action is audited and subject to the same policy as the other secret tools; values are never echoed by put or rotate.",
  annotations: {
    title: "Vault secret",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: false,
  },
  input: {
    action: z.enum(ACTIONS).describe("Operation to perform: put, get, list, rotate or delete."),
    name: z.string().optional().describe("Logical secret name, e.g. openai/default_api_key. Required except for list."),
    value: z.string().optional().describe("Secret value. Required for put and rotate. Never echoed or logged."),
    encoding: z
      .enum(["utf-8", "base64"])
      .default("utf-8")
      .describe("Encoding of value: 'utf-8' (default) or 'base64' for binary blobs."),
    mode: z
      .enum(["create", "upsert"])
      .default("upsert")
      .describe("For put: 'create' fails if the secret exists; 'upsert' (default) creates or overwrites."),
    allowedAgentIds: z
      .array(z.string())
      .optional()
      .describe("For put: only these agent ids may read or change the secret. If omitted, all agents can access."),
    description: z.string().optional().describe("For put: human-readable note."),
    tags: z.array(z.string()).optional().describe("For put: optional labels."),
    // Checked by core's one timestamp parser (every RFC 3339 form, lowercase t/z included).
    expiresAt: z
      .string()
      .max(64)
      .meta({ format: "date-time" })
      .optional()
      .describe(
        "For put: hard expiry as an RFC 3339 date-time (e.g. 2026-12-31T23:59:59Z); the secret is inaccessible after it.",
      ),
    reveal: z.boolean().default(false).describe("For get: return the plaintext value. Default false (masked)."),
    purpose: z
      .string()
      .optional()
      .describe("For get: why the plaintext is needed; required when reveal is true and recorded in the audit trail."),
  },
  async run(args, { coffer }) {
    const allowed = FIELDS_BY_ACTION[args.action];
    const given = (Object.keys(args) as Array<keyof typeof args>).filter(
      (field) =>
        field !== "action" &&
        args[field] !== undefined &&
        !(field === "encoding" && args.encoding === "utf-8") &&
        !(field === "mode" && args.mode === "upsert") &&
        !(field === "reveal" && args.reveal === false),
    );
    const stray = given.filter((field) => !allowed.includes(field));
    if (stray.length > 0)
      refuse(
        stray[0] as string,
        `${stray.join(", ")} ${stray.length === 1 ? "does" : "do"} not apply to action ${args.action}; nothing was changed`,
      );
    if (args.action === "list") {
      const result = await coffer.list({ ...VAULT_SCOPE });
      const lines = [
        result.items.length === 0
          ? "vault is empty"
          : `${result.items.length} secret${result.items.length === 1 ? "" : "s"}:`,
      ];
      for (const item of result.items) lines.push(listLine(item));
      if (result.nextCursor) lines.push(`(more secrets exist; use list_secrets with a cursor to page)`);
      return lines.join("\n");
    }
    const name = args.name;
    if (name === undefined) refuse("name", `name is required for action ${args.action}`);
    switch (args.action) {
      case "put": {
        if (args.value === undefined) refuse("value", "value is required for action put");
        // The vault keeps no history: a put over an existing secret makes the old value unreadable at once.
        const options: SetOptions = { ...VAULT_SCOPE, encoding: args.encoding, mode: args.mode, expirePrevious: true };
        if (args.allowedAgentIds !== undefined) options.allowedAgentIds = args.allowedAgentIds;
        if (args.description !== undefined) options.description = args.description;
        if (args.tags !== undefined) options.tags = args.tags;
        if (args.expiresAt !== undefined) options.expiresAt = args.expiresAt;
        const result = await coffer.set(name, args.value, options);
        return `stored ${result.name} (version ${result.version})`;
      }
      case "get": {
        const result = await coffer.get(name, {
          ...VAULT_SCOPE,
          reveal: args.reveal,
          ...(args.purpose !== undefined ? { purpose: args.purpose } : {}),
        });
        const lines = [secretHeading(result.name, result.scopeLabel), viewSummary(result)];
        if (result.description) lines.push(`description: ${result.description}`);
        if (result.allowedAgentIds && result.allowedAgentIds.length > 0)
          lines.push(`allowedAgentIds: ${result.allowedAgentIds.join(", ")}`);
        if (args.reveal && result.value !== undefined)
          lines.push(result.encoding === "base64" ? `value (base64): ${result.value}` : `value: ${result.value}`);
        else lines.push(`value (masked): ${result.maskedValue}`);
        return lines.join("\n");
      }
      case "rotate": {
        if (args.value === undefined) refuse("value", "value is required for action rotate");
        // No grace period: the vault keeps no history, the old value is unreadable at once.
        const result = await coffer.rotate(name, { ...VAULT_SCOPE, value: args.value, expireOld: true });
        return `rotated ${result.name}: version ${result.oldVersion} -> ${result.newVersion}`;
      }
      case "delete": {
        const result = await coffer.delete(name, { ...VAULT_SCOPE, purge: true });
        return `deleted ${name} permanently (${result.versionsDeleted} version${result.versionsDeleted === 1 ? "" : "s"} removed)`;
      }
    }
  },
});
