import type { HookListing } from "@coffer/core";
import * as z from "zod";
import { requireHookRegistry } from "../governance-context.js";
import { defineTool } from "../tool-definition.js";

/** One hook on one line: where it comes from, what it matches, what it runs. Never a signing secret. */
function hookLine(hook: HookListing): string {
  const parts = [`${hook.id} (${hook.source}, ${hook.type}, ${hook.phase})`];
  parts.push(`events ${hook.events?.join(",") ?? "all"}`);
  if (hook.names) parts.push(`names ${hook.names.join(",")}`);
  if (hook.tags) parts.push(`tags ${hook.tags.join(",")}`);
  if (hook.scopes) parts.push(`scopes ${hook.scopes.join(",")}`);
  parts.push(`${hook.type === "shell" ? "runs" : "posts to"} ${hook.target}`);
  if (hook.secret !== undefined) parts.push(`signed with ${hook.secret}`);
  parts.push(`timeout ${hook.timeoutSeconds}s`);
  if (hook.createdBy) parts.push(`registered by ${hook.createdBy} at ${hook.createdAt ?? "?"}`);
  if (hook.description) parts.push(JSON.stringify(hook.description));
  return parts.join(" | ");
}

/** `list_hooks`: the hooks in force (config, then the run-time registry). */
export const listHooksTool = defineTool({
  name: "list_hooks",
  title: "List hooks",
  description:
    "[governance] List the hooks that run before or after operations on secrets: hooks from config (config.yaml, coffer.yaml) and hooks a person registered at run time. " +
    "A 'before' hook can veto a write, delete or rotation (which then fails with PERMISSION_DENIED naming the hook); an 'after' hook observes. Use it to understand why a write was vetoed or what happens when you rotate. " +
    "Read-only. One line per hook: id (source, type, phase) | events | filters | what it runs or the webhook's origin | timeout. Never shows signing secrets.",
  annotations: {
    title: "List hooks",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: {
    id: z.string().min(1).optional().describe("Only the hook with this id. Example: 'notify-security'."),
  },
  async run(args, context) {
    const hooks = (await requireHookRegistry(context).list()).filter((h) => args.id === undefined || h.id === args.id);
    if (hooks.length === 0)
      return args.id === undefined ? "no hooks configured" : `no hook with id ${JSON.stringify(args.id)}`;
    return [`${hooks.length} hook${hooks.length === 1 ? "" : "s"}:`, ...hooks.map(hookLine)].join("\n");
  },
});
