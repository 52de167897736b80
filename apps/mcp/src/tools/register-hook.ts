import {
  CofferError,
  HOOK_EVENTS,
  HOOK_TYPES,
  type HookDefinition,
  isCofferError,
  validateHookDefinition,
  webhookSecretReference,
} from "@coffer/core";
import * as z from "zod";
import { requireHookRegistry } from "../governance-context.js";
import { rangedInteger } from "../numeric-arguments.js";
import { defineTool } from "../tool-definition.js";

/** Placeholder shown instead of a literal webhook signing secret. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: config syntax shown to the user
const SECRET_PLACEHOLDER = "${env:COFFER_WEBHOOK_SECRET}";

/**
 * The config entry a person can paste under `hooks:` in coffer.yaml (YAML accepts JSON), or why
 * the definition would be refused. A literal signing secret is replaced by a placeholder.
 */
function configSuggestion(definition: Record<string, unknown>): string {
  let def: HookDefinition;
  try {
    def = validateHookDefinition(definition, "hook", "definition");
  } catch (err) {
    return `the definition is also invalid: ${isCofferError(err) ? err.message : "invalid hook definition"}`;
  }
  const shown =
    def.type === "webhook" && webhookSecretReference(def.secret) === undefined
      ? { ...def, secret: SECRET_PLACEHOLDER }
      : def;
  return `ask the user to register it (coffer hook add) or to add it to coffer.yaml or config.yaml, then restart coffer-mcp:\nhooks:\n  - ${JSON.stringify(shown)}`;
}

/** `register_hook`: register a hook at run time (people only; agents get the config entry to hand over). */
export const registerHookTool = defineTool({
  name: "register_hook",
  title: "Register a hook",
  description:
    "[governance] Ask to register a hook that runs before or after writes, deletes, rotations or expiry of matching secrets: a program (type 'shell', command as a list, no shell) or a signed JSON POST (type 'webhook'). " +
    "Only a person may register hooks, because a hook runs programs or contacts servers with the user's privileges: called by an agent this ALWAYS fails with PERMISSION_DENIED and stores nothing. " +
    "The refusal includes the exact config entry for the user to add under hooks: in coffer.yaml (or to register with coffer hook add), so use this tool to propose a hook to the user, not to install one. " +
    // biome-ignore lint/suspicious/noTemplateCurlyInString: config syntax quoted to the model
    "For webhooks, give secret as '${secret:NAME}' (a Coffer secret) or '${env:NAME}', never a literal value. Hook payloads never contain secret values.",
  annotations: {
    title: "Register hook",
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
  input: {
    id: z.string().min(1).max(64).describe("Unique id: letters, digits, '_', '.', '-'. Example: 'notify-security'."),
    type: z.enum(HOOK_TYPES).describe("'shell' runs a program; 'webhook' POSTs signed JSON to a URL."),
    phase: z
      .enum(["before", "after"])
      .optional()
      .describe("'before' may veto the operation; 'after' observes. Default 'after'."),
    events: z
      .array(z.enum(HOOK_EVENTS))
      .min(1)
      .optional()
      .describe("Events to run on. Default: all. Example: ['rotate', 'expire']."),
    names: z.array(z.string().min(1)).min(1).optional().describe("Secret name globs. Example: ['prod/*']."),
    tags: z.array(z.string().min(1)).min(1).optional().describe("Run for secrets with any of these tags."),
    scopes: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe("Scope kinds or labels. Example: ['project', 'team:acme']."),
    command: z
      .array(z.string())
      .min(1)
      .optional()
      .describe("Shell hooks: the program, then its arguments. Example: ['./scripts/check-freeze.sh', '--strict']."),
    cwd: z.string().min(1).optional().describe("Shell hooks: working directory (relative to the project root)."),
    env: z.record(z.string(), z.string()).optional().describe("Shell hooks: extra environment variables."),
    url: z.string().min(1).optional().describe("Webhooks: https URL to POST to."),
    secret: z
      .string()
      .min(1)
      .optional()
      // biome-ignore lint/suspicious/noTemplateCurlyInString: config syntax quoted to the model
      .describe("Webhooks: signing secret reference, '${secret:NAME}' or '${env:NAME}'."),
    allowPrivateNetwork: z.boolean().optional().describe("Webhooks: allow loopback/private addresses. Default false."),
    timeoutSeconds: rangedInteger("hookTimeoutSeconds")
      .optional()
      .describe("Seconds before the hook is stopped and counted as failed. Default 10."),
    description: z.string().min(1).max(1024).optional().describe("What the hook is for."),
    replace: z.boolean().default(false).describe("Replace a registered hook with the same id. Default false."),
  },
  async run(args, context) {
    const { replace, ...definition } = args;
    const registry = requireHookRegistry(context);
    try {
      // The registry decides who may register (people only) and validates the definition.
      const listing = await registry.add(definition, { by: context.coffer.accessor, replace });
      return `registered hook ${listing.id} (${listing.type}, ${listing.phase}): ${listing.target}`;
    } catch (err) {
      if (!isCofferError(err, "PERMISSION_DENIED")) throw err;
      throw new CofferError(err.code, `${err.message}; nothing was registered`, {
        ...err.details,
        hint: configSuggestion(definition),
      });
    }
  },
});
