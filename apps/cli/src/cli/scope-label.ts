import type { ScopeInput, ScopeKind } from "@coffer/core";

/**
 * The scope input that addresses a scope label from an export (`global`, `project`,
 * `team:acme`, `agent:bot`) on this machine: `project` means this project.
 */
export function scopeInputOfLabel(label: string, cwd: string): ScopeInput {
  const i = label.indexOf(":");
  const kind = (i === -1 ? label : label.slice(0, i)) as ScopeKind;
  const id = i === -1 ? undefined : label.slice(i + 1);
  switch (kind) {
    case "project":
      return { scope: "project", projectPath: cwd };
    case "team":
      return id ? { scope: "team", teamId: id } : { scope: "team" };
    case "org":
      return id ? { scope: "org", orgId: id } : { scope: "org" };
    case "global":
      return { scope: "global" };
    default:
      return id ? { scope: kind, scopeId: id } : { scope: kind };
  }
}
