import type { Accessor } from "../audit/types.js";
import { compileGlob, type NameGlob } from "../names/name-glob.js";
import { quoteName } from "../names/secret-name.js";
import { scopeMatches } from "../scope/scope-filter.js";
import type { AccessControlConfig, AccessRule } from "./access-control-config.js";
import { compileAccessorPattern } from "./accessor-pattern.js";
import { type GovernedPolicyRequest, PER_SECRET_FOLLOW_UP_ACTIONS } from "./governed-policy-request.js";

/** What one config layer's `accessControl` says about a request. */
export interface AccessLayerVerdict {
  /** Allowed by this layer. */
  allowed: boolean;
  /** The rule that decided. */
  rule: string;
  /** Why it was denied. */
  reason?: string;
  /** Rules of this layer that require a human approval for the request. */
  approvalRules: string[];
}

/** A compiled layer. */
export type AccessLayer = (request: GovernedPolicyRequest) => AccessLayerVerdict;

type FilterState = "match" | "no" | "unknown";

interface CompiledRule {
  ref: string;
  rule: AccessRule;
  accessor: (a: Accessor) => boolean;
  names?: NameGlob[];
}

/** How an accessor is named in reasons: `agent "claude-1"`. */
export function describeAccessor(accessor: Pick<Accessor, "kind" | "id">): string {
  return `${accessor.kind} ${quoteName(accessor.id)}`;
}

/** Reference of a rule in denials and the audit log: `project:rule:ci-agents` or `user:accessControl.rules[2]`. */
export function ruleRef(source: string, rule: AccessRule, index: number): string {
  return rule.id ? `${source}:rule:${rule.id}` : `${source}:accessControl.rules[${index}]`;
}

function compileRule(source: string, rule: AccessRule, index: number): CompiledRule {
  const patterns = rule.accessors?.map(compileAccessorPattern);
  const kinds = rule.kinds;
  return {
    ref: ruleRef(source, rule, index),
    rule,
    accessor: (a) => (!kinds || kinds.includes(a.kind)) && (!patterns || patterns.some((p) => p(a))),
    ...(rule.names ? { names: rule.names.map(compileGlob) } : {}),
  };
}

/** Whether the secret filters of a rule match; `unknown` when the request lacks what they test. */
function secretFilters(c: CompiledRule, request: GovernedPolicyRequest): FilterState {
  let state: FilterState = "match";
  if (c.names) {
    if (request.name === undefined) state = "unknown";
    else if (!c.names.some((glob) => glob.test(request.name!))) return "no";
  }
  if (c.rule.tags) {
    const tags = request.tags ?? request.secret?.tags ?? (request.secret ? [] : undefined);
    if (tags === undefined) state = "unknown";
    else if (!c.rule.tags.some((t) => tags.includes(t))) return "no";
  }
  if (c.rule.scopes) {
    if (request.scope === undefined) state = "unknown";
    else if (!c.rule.scopes.some((s) => scopeMatches(request.scope!, s))) return "no";
  }
  return state;
}

/**
 * Compile one layer's `accessControl`. Rules whose accessor filters match the request decide:
 * a matching `deny` refuses (first one wins, over any allow); with `enforce`, the action must
 * be in `defaultPermissions` or in a matching rule's `allow`; without `enforce`, everything not
 * denied is allowed. When a request lacks what a filter tests (no name for a bulk request, no
 * tags for a secret not yet read), the rule is read optimistically for actions the service
 * checks again per secret (read, reveal, export, exec), conservatively otherwise (a deny may
 * apply, an allow does not).
 */
export function compileAccessLayer(source: string, config: AccessControlConfig): AccessLayer {
  const rules = config.rules.map((r, i) => compileRule(source, r, i));
  const defaults = new Set(config.defaultPermissions);
  return (request) => {
    const { action, accessor } = request;
    const optimistic = request.name === undefined && PER_SECRET_FOLLOW_UP_ACTIONS.has(action);
    let allowedBy: string | undefined;
    const approvalRules: string[] = [];
    for (const c of rules) {
      if (!c.accessor(accessor)) continue;
      const state = secretFilters(c, request);
      if (state === "no") continue;
      if (c.rule.deny?.includes(action) && (state === "match" || !optimistic)) {
        return {
          allowed: false,
          rule: c.ref,
          reason: `rule ${c.ref} denies ${action} to ${describeAccessor(accessor)}`,
          approvalRules: [],
        };
      }
      if (allowedBy === undefined && c.rule.allow?.includes(action) && (state === "match" || optimistic))
        allowedBy = c.ref;
      if (request.name !== undefined && c.rule.requireApproval?.includes(action as "reveal" | "exec"))
        approvalRules.push(c.ref);
    }
    if (!config.enforce) return { allowed: true, rule: allowedBy ?? `${source}:accessControl`, approvalRules };
    if (defaults.has(action))
      return { allowed: true, rule: `${source}:accessControl.defaultPermissions`, approvalRules };
    if (allowedBy) return { allowed: true, rule: allowedBy, approvalRules };
    return {
      allowed: false,
      rule: `${source}:accessControl.enforce`,
      reason: `no rule in the ${source} config allows ${action}${request.name !== undefined ? ` of ${quoteName(request.name)}` : ""} to ${describeAccessor(accessor)} (access control is enforced: add a rule to accessControl.rules)`,
      approvalRules: [],
    };
  };
}
