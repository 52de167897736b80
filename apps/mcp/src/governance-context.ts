import { type Approvals, CofferError, type HookRegistry } from "@coffer/core";
import type { ToolContext } from "./tool-definition.js";

/**
 * The hook registry of a tool context.
 * @throws CofferError UNSUPPORTED when the local store (where registered hooks live) is not configured
 */
export function requireHookRegistry(context: ToolContext): HookRegistry {
  if (!context.hooks) {
    throw new CofferError(
      "UNSUPPORTED",
      "hooks registered at run time live in the local store, which is not configured",
    );
  }
  return context.hooks;
}

/**
 * The approval store of a tool context.
 * @throws CofferError UNSUPPORTED when the local store (where approval requests live) is not configured
 */
export function requireApprovals(context: ToolContext): Approvals {
  if (!context.approvals) {
    throw new CofferError("UNSUPPORTED", "approval requests live in the local store, which is not configured");
  }
  return context.approvals;
}
