import type { Accessor } from "../audit/types.js";
import {
  configError,
  expectKnownKeys,
  expectMapping,
  expectText,
  isMapping,
  optionalBoolean,
  optionalChoiceList,
  optionalTextList,
} from "../config/config-checks.js";
import { CofferError } from "../errors/index.js";
import { SCOPE_KINDS } from "../model/scope.js";
import { validateAccessorPattern } from "./accessor-pattern.js";
import { POLICY_ACTIONS, type PolicyAction } from "./policy.js";

/** Keys of the `accessControl` section. */
export const ACCESS_CONTROL_KEYS = ["enforce", "defaultPermissions", "rules"] as const;
/** Keys of one access rule. */
export const ACCESS_RULE_KEYS = [
  "id",
  "description",
  "accessors",
  "kinds",
  "names",
  "tags",
  "scopes",
  "allow",
  "deny",
  "requireApproval",
] as const;
/** Accessor kinds a rule can name. */
export const ACCESSOR_KINDS = ["user", "agent", "token"] as const;
/** Actions that can require a human approval. */
export const APPROVABLE_ACTIONS = ["reveal", "exec"] as const;
/** One action that can require approval. */
export type ApprovableAction = (typeof APPROVABLE_ACTIONS)[number];

const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** One access rule: who (accessors, kinds), on what (names, tags, scopes), and the actions it decides. */
export interface AccessRule {
  /** Id quoted in denials and the audit log. @default its position, `rules[2]` */
  id?: string;
  /** Free text for people. */
  description?: string;
  /**
   * Accessor patterns: `agent:<glob>`, `token:<glob>`, `user:<glob>`, a front end (`cli`, `mcp`,
   * `rest`, `library`), `*`, or a bare glob over the accessor id of any kind. @default everyone
   */
  accessors?: string[];
  /** Accessor kinds. @default every kind */
  kinds?: Array<Accessor["kind"]>;
  /** Secret name globs. @default every name */
  names?: string[];
  /** The secret has any of these tags. @default any secret */
  tags?: string[];
  /** Scope filters: a kind (`project`) or a label (`team:acme`). @default any scope */
  scopes?: string[];
  /** Actions granted (`*`: all). Only matter when `enforce` is true. */
  allow?: PolicyAction[];
  /** Actions refused; a deny wins over every allow. */
  deny?: PolicyAction[];
  /** Actions that additionally need a human approval (reveal, exec). */
  requireApproval?: ApprovableAction[];
}

/** The validated `accessControl` section of one config file. */
export interface AccessControlConfig {
  /** Deny every action no rule (or `defaultPermissions`) allows. @default false */
  enforce: boolean;
  /** Actions granted to every accessor when enforcing. @default [] */
  defaultPermissions: PolicyAction[];
  /** Rules, in order. @default [] */
  rules: AccessRule[];
}

function actionList(value: unknown, source: string, path: string): PolicyAction[] | undefined {
  if (Array.isArray(value) && value.includes("*")) {
    if (value.length !== 1) throw configError(source, path, 'uses "*" (every action): list it alone');
    return [...POLICY_ACTIONS];
  }
  return optionalChoiceList(value, POLICY_ACTIONS, source, path, "action");
}

function validateScopeFilter(filter: string, source: string, path: string): string {
  const kind = filter.includes(":") ? filter.slice(0, filter.indexOf(":")) : filter;
  if (!(SCOPE_KINDS as readonly string[]).includes(kind)) {
    throw new CofferError(
      "CONFIG",
      `${source}: ${path} names an unknown scope kind "${kind.slice(0, 32)}"; valid kinds are: ${SCOPE_KINDS.join(", ")}`,
      {
        field: path,
        valid: [...SCOPE_KINDS],
      },
    );
  }
  return filter;
}

function validateRule(raw: unknown, source: string, path: string, seen: Set<string>): AccessRule {
  const rule = expectMapping(raw, source, path);
  expectKnownKeys(rule, ACCESS_RULE_KEYS, source, path);
  const out: AccessRule = {};
  if (rule.id !== undefined) {
    if (typeof rule.id !== "string" || !RULE_ID.test(rule.id)) {
      throw configError(source, `${path}.id`, "must match [A-Za-z0-9][A-Za-z0-9_.:-]* (1-64 characters)");
    }
    if (seen.has(rule.id))
      throw configError(source, `${path}.id`, `repeats the rule id "${rule.id}"; ids must be unique`);
    seen.add(rule.id);
    out.id = rule.id;
  }
  if (rule.description !== undefined)
    out.description = expectText(rule.description, source, `${path}.description`, 1024);
  const accessors = optionalTextList(rule.accessors, source, `${path}.accessors`);
  if (accessors) out.accessors = accessors.map((p, i) => validateAccessorPattern(p, source, `${path}.accessors[${i}]`));
  const kinds = optionalChoiceList(rule.kinds, ACCESSOR_KINDS, source, `${path}.kinds`, "kind");
  if (kinds) out.kinds = kinds;
  const names = optionalTextList(rule.names, source, `${path}.names`);
  if (names) out.names = names;
  const tags = optionalTextList(rule.tags, source, `${path}.tags`, 64);
  if (tags) out.tags = tags;
  const scopes = optionalTextList(rule.scopes, source, `${path}.scopes`);
  if (scopes) out.scopes = scopes.map((s, i) => validateScopeFilter(s, source, `${path}.scopes[${i}]`));
  const allow = actionList(rule.allow, source, `${path}.allow`);
  if (allow) out.allow = allow;
  const deny = actionList(rule.deny, source, `${path}.deny`);
  if (deny) out.deny = deny;
  const approval = optionalChoiceList(
    rule.requireApproval,
    APPROVABLE_ACTIONS,
    source,
    `${path}.requireApproval`,
    "approvable action",
  );
  if (approval) out.requireApproval = approval;
  if (!out.allow?.length && !out.deny?.length && !out.requireApproval?.length) {
    throw configError(source, path, "decides nothing: give it allow, deny or requireApproval");
  }
  for (const list of [out.accessors, out.kinds, out.names, out.tags, out.scopes]) {
    if (list && list.length === 0)
      throw configError(source, path, "has an empty filter list (omit the key to match everything)");
  }
  return out;
}

/**
 * Validate the `accessControl` section of one config file, strictly: unknown keys, unknown
 * actions, kinds and scope kinds, malformed accessor patterns and rules that decide nothing are
 * refused. `source` names the file in messages.
 * @throws CofferError CONFIG naming the field and listing the valid keys or actions
 */
export function validateAccessControl(raw: unknown, source: string): AccessControlConfig {
  if (raw === undefined || raw === null) return { enforce: false, defaultPermissions: [], rules: [] };
  if (!isMapping(raw)) throw configError(source, "accessControl", "must be a mapping");
  expectKnownKeys(raw, ACCESS_CONTROL_KEYS, source, "accessControl");
  const enforce = optionalBoolean(raw.enforce, source, "accessControl.enforce", false);
  const defaultPermissions = actionList(raw.defaultPermissions, source, "accessControl.defaultPermissions") ?? [];
  if (raw.rules !== undefined && !Array.isArray(raw.rules))
    throw configError(source, "accessControl.rules", "must be a list of rules");
  const seen = new Set<string>();
  const rules = ((raw.rules as unknown[] | undefined) ?? []).map((r, i) =>
    validateRule(r, source, `accessControl.rules[${i}]`, seen),
  );
  return { enforce, defaultPermissions, rules };
}
