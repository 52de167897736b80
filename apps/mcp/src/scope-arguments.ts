import { isAbsolute } from "node:path";
import { CofferError, type ScopeInput } from "@coffer/core";
import * as z from "zod";

/** Scope kinds the MCP tools address. */
export const TOOL_SCOPES = ["global", "project", "team", "org"] as const;

/** Description of `scope` on tools that read (omitting it cascades). */
const READ_SCOPE_TEXT =
  "Where to look. Omit to search project -> team -> org -> global and use the first hit. 'global' = user keyring, 'project' = scoped to projectPath, 'team' = team-shared (needs teamId), 'org' = org-shared (needs orgId).";
/** Description of `scope` on tools that write. */
const WRITE_SCOPE_TEXT =
  "Where the secret lives. 'global' = user keyring (default), 'project' = scoped to projectPath, 'team' = team-shared (needs teamId), 'org' = org-shared (needs orgId).";

/** `teamId`, `orgId`, `projectPath`: the identifiers that go with a scope. */
export const scopeIdFields = {
  teamId: z
    .string()
    .min(1)
    .optional()
    .describe("Team identifier for team-scoped secrets. Required only when scope='team'. Example: 'acme-platform'."),
  orgId: z
    .string()
    .min(1)
    .optional()
    .describe("Organization identifier for org-scoped secrets. Required only when scope='org'. Example: 'acme-corp'."),
  projectPath: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Absolute path to the project root for project-scoped secrets. Defaults to the MCP server's current working directory when omitted.",
    ),
};

/** Scope fields of tools that read: `scope` optional (cascade). */
export const readScopeFields = {
  scope: z.enum(TOOL_SCOPES).optional().describe(READ_SCOPE_TEXT),
  ...scopeIdFields,
};

/** Scope fields of tools that change a secret: `scope` defaults to `global`. */
export const writeScopeFields = {
  scope: z.enum(TOOL_SCOPES).default("global").describe(WRITE_SCOPE_TEXT),
  ...scopeIdFields,
};

/** The scope arguments of a call. */
export interface ScopeArguments {
  /** Scope kind. */
  scope?: (typeof TOOL_SCOPES)[number];
  /** Team id. */
  teamId?: string;
  /** Org id. */
  orgId?: string;
  /** Project path. */
  projectPath?: string;
}

/**
 * Turn scope arguments into the service's `ScopeInput`. `projectPath` only addresses project
 * secrets; policy always comes from the directory the server was launched in.
 * @throws CofferError INVALID_ARGUMENT for a relative projectPath
 */
export function toScopeInput(args: ScopeArguments): ScopeInput {
  const input: ScopeInput = {};
  if (args.scope !== undefined) input.scope = args.scope;
  if (args.teamId !== undefined) input.teamId = args.teamId;
  if (args.orgId !== undefined) input.orgId = args.orgId;
  if (args.projectPath !== undefined) {
    if (!isAbsolute(args.projectPath)) {
      throw new CofferError("INVALID_ARGUMENT", "projectPath must be an absolute path", { field: "projectPath" });
    }
    input.projectPath = args.projectPath;
  }
  return input;
}

/** Label of the scope a write addresses, before the service answers: `global`, `project`, `team:x`. */
export function requestedScopeLabel(args: ScopeArguments): string {
  const scope = args.scope ?? "global";
  if (scope === "team") return args.teamId ? `team:${args.teamId}` : "team";
  if (scope === "org") return args.orgId ? `org:${args.orgId}` : "org";
  return scope;
}
