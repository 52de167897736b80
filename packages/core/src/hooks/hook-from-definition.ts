import type { Hook } from "./hook.js";
import type { HookDefinition } from "./hook-definition.js";
import { type ShellHookContext, shellHook } from "./shell-hook.js";
import { type WebhookHookContext, webhookHook } from "./webhook-hook.js";

/** What hooks built from definitions need from their surroundings. */
export interface HookBuildContext extends ShellHookContext, WebhookHookContext {}

/** Build the runnable hook of a validated definition. */
export function hookFromDefinition(def: HookDefinition, context: HookBuildContext = {}): Hook {
  return def.type === "shell" ? shellHook(def, context) : webhookHook(def, context);
}
