import type { ScopeInput } from "@coffer/core";
import * as z from "zod";
import { scopeIdFields, TOOL_SCOPES, toScopeInput } from "../scope-arguments.js";

/** Fields naming the two linked secrets (shared by entangle and disentangle). */
export const entangleFields = {
  keyA: z.string().describe("First secret key. Example: 'STRIPE_SECRET_KEY'."),
  keyB: z.string().describe("Second secret key. Example: 'PAYMENTS_STRIPE_KEY'."),
  scopeA: z.enum(TOOL_SCOPES).default("global").describe("Scope of keyA. Default 'global'."),
  scopeB: z.enum(TOOL_SCOPES).default("global").describe("Scope of keyB. Default 'global'."),
  ...scopeIdFields,
};

/** The two scope inputs of an entangle/disentangle call. */
export function entangleScopes(args: {
  scopeA: (typeof TOOL_SCOPES)[number];
  scopeB: (typeof TOOL_SCOPES)[number];
  teamId?: string;
  orgId?: string;
  projectPath?: string;
}): { a: ScopeInput; b: ScopeInput } {
  const ids = { teamId: args.teamId, orgId: args.orgId, projectPath: args.projectPath };
  return { a: toScopeInput({ ...ids, scope: args.scopeA }), b: toScopeInput({ ...ids, scope: args.scopeB }) };
}
