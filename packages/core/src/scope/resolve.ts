import { isAbsolute } from "node:path";
import { findProjectRoot } from "../config/load.js";
import { CofferError } from "../errors/index.js";
import { SCOPE_KINDS, type ScopeKind, type ScopeRef } from "../model/scope.js";
import { isValidAgentId, validateAgentId } from "../names/agent-id.js";
import type { ScopeInput } from "../service/types.js";

/** Defaults the service fills scope inputs from. */
export interface ScopeDefaults {
  /** Directory of the caller (project scope when no projectPath). */
  cwd: string;
  /** Default team id. */
  teamId?: string;
  /** Default org id. */
  orgId?: string;
  /** OS user for `user` scope. */
  user: string;
  /** Agent id for `agent` scope (the calling agent). */
  agentId?: string;
  /** Plugin id for `plugin` scope (config `pluginId`, `COFFER_PLUGIN_ID`). */
  pluginId?: string;
}

/** Where each scope kind's id comes from when none is given, for the error that asks for it. */
const ID_SOURCES: Record<string, string> = {
  team: "set teamId in coffer.yaml, or give team:ID",
  org: "set orgId in coffer.yaml, or give org:ID",
  agent: "run as an agent (coffer-mcp --agent-id, COFFER_AGENT_ID), or give agent:ID",
  plugin: "set pluginId in coffer.yaml (or COFFER_PLUGIN_ID), or give plugin:ID",
  user: "give user:ID",
};

function checkId(kind: string, id: string | undefined, field: string): string {
  if (!id) {
    throw new CofferError("INVALID_ARGUMENT", `${kind} scope needs an id (${field}), and none is known here`, {
      field,
      hint: ID_SOURCES[kind] ?? `give ${kind}:ID`,
    });
  }
  return validateAgentId(id, field);
}

const projectRoots = new Map<string, string>();

/** Canonical project root of a directory (memoized: the walk touches the file system). */
export function projectRootOf(path: string): string {
  let root = projectRoots.get(path);
  if (root === undefined) {
    root = findProjectRoot(path).root;
    projectRoots.set(path, root);
  }
  return root;
}

/**
 * Resolve an explicit scope input to a scope reference.
 * @throws CofferError INVALID_ARGUMENT for an unknown kind or a missing/invalid id
 */
export function resolveScope(input: ScopeInput, defaults: ScopeDefaults): ScopeRef {
  const kind = (input.scope ?? "global") as ScopeKind;
  if (!(SCOPE_KINDS as readonly string[]).includes(kind)) {
    throw new CofferError("INVALID_ARGUMENT", `scope must be one of: ${SCOPE_KINDS.join(", ")}`, { field: "scope" });
  }
  switch (kind) {
    case "global":
      return { kind };
    case "project": {
      const p = input.projectPath ?? defaults.cwd;
      // A control character is never part of a real directory name (and would reach providers as a scope id).
      if (typeof p !== "string" || !isAbsolute(p) || /[\u0000-\u001f\u007f]/.test(p)) {
        throw new CofferError("INVALID_ARGUMENT", "projectPath must be an absolute path without control characters", {
          field: "projectPath",
        });
      }
      return { kind, id: projectRootOf(p) };
    }
    case "team":
      return { kind, id: checkId(kind, input.teamId ?? defaults.teamId, "teamId") };
    case "org":
      return { kind, id: checkId(kind, input.orgId ?? defaults.orgId, "orgId") };
    case "user":
      return { kind, id: checkId(kind, input.scopeId ?? defaults.user, "scopeId") };
    case "agent":
      return { kind, id: checkId(kind, input.scopeId ?? defaults.agentId, "scopeId") };
    case "plugin":
      return { kind, id: checkId(kind, input.scopeId ?? defaults.pluginId, "scopeId") };
  }
}

/**
 * Scopes a read consults, most specific first. With an explicit scope, only that one; otherwise
 * the caller's own scopes, agent (when the caller is an agent) -> plugin (when a plugin id is
 * configured) -> user (the OS user), then project -> team (when a team id is known) -> org (when
 * an org id is known) -> global.
 */
export function readCascade(input: ScopeInput, defaults: ScopeDefaults): ScopeRef[] {
  if (input.scope) return [resolveScope(input, defaults)];
  const out: ScopeRef[] = [];
  if (defaults.agentId && isValidAgentId(defaults.agentId)) out.push({ kind: "agent", id: defaults.agentId });
  if (defaults.pluginId) out.push({ kind: "plugin", id: checkId("plugin", defaults.pluginId, "pluginId") });
  if (defaults.user && isValidAgentId(defaults.user)) out.push({ kind: "user", id: defaults.user });
  out.push(resolveScope({ scope: "project", projectPath: input.projectPath }, defaults));
  const teamId = input.teamId ?? defaults.teamId;
  if (teamId) out.push({ kind: "team", id: checkId("team", teamId, "teamId") });
  const orgId = input.orgId ?? defaults.orgId;
  if (orgId) out.push({ kind: "org", id: checkId("org", orgId, "orgId") });
  out.push({ kind: "global" });
  return out;
}
