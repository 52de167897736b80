import { CofferError } from "../errors/index.js";

/** Naming rule in force: `default` or the stricter env-style `env`. */
export type NamingRule = "default" | "env";

/** The default rule: letters, digits, `_ - . /`, 1-128 characters, starting with a letter or `_`. */
export const DEFAULT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_./-]{0,127}$/;
/** The strict env-style rule. */
export const ENV_NAME_PATTERN = /^[A-Z][A-Z0-9_]*$/;
/** Text of each rule, quoted in error messages. */
export const NAME_RULE_TEXT: Record<NamingRule, string> = {
  default: "[A-Za-z_][A-Za-z0-9_./-]* (1-128 characters)",
  env: "[A-Z][A-Z0-9_]*",
};
/** Prefix reserved for Coffer's own variables. */
export const RESERVED_PREFIX = "COFFER_";

/** Quote a user-supplied name for an error message: printable, bounded, JSON-escaped. */
export function quoteName(name: string): string {
  const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
  return JSON.stringify(shown);
}

/**
 * Check a secret name against the naming rule and the reserved prefix.
 * @throws CofferError INVALID_ARGUMENT quoting the rule, like `secret name "foo bar" must match ...`
 */
export function validateSecretName(name: unknown, rule: NamingRule = "default"): string {
  if (typeof name !== "string" || name.length === 0) {
    throw new CofferError("INVALID_ARGUMENT", "secret name is required", { field: "name" });
  }
  const pattern = rule === "env" ? ENV_NAME_PATTERN : DEFAULT_NAME_PATTERN;
  if (!pattern.test(name) || name.length > 128) {
    throw new CofferError("INVALID_ARGUMENT", `secret name ${quoteName(name)} must match ${NAME_RULE_TEXT[rule]}`, {
      field: "name",
      rule: NAME_RULE_TEXT[rule],
    });
  }
  if (name.includes("//") || name.endsWith("/") || name.split("/").some((part) => part === "." || part === "..")) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `secret name ${quoteName(name)} must not contain empty, "." or ".." path segments`,
      { field: "name", rule: NAME_RULE_TEXT[rule] },
    );
  }
  if (name.toUpperCase().startsWith(RESERVED_PREFIX)) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `secret name ${quoteName(name)} is reserved (${RESERVED_PREFIX}* is internal)`,
      { field: "name", rule: `${RESERVED_PREFIX}*` },
    );
  }
  return name;
}

/**
 * Map a secret name to the environment variable it is injected as:
 * `api-key-stripe` -> `API_KEY_STRIPE`, `openai/default_api_key` -> `OPENAI_DEFAULT_API_KEY`.
 */
export function toEnvVarName(name: string): string {
  let out = name.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return out;
}

/** A set of names that map to the same env var. */
export interface EnvVarCollision {
  /** The env var name. */
  envVar: string;
  /** Every secret name that maps to it. */
  names: string[];
}

/**
 * Map many names to env var names, reporting collisions instead of merging them silently.
 * Colliding names are left out of `mapping`.
 */
export function mapToEnvVars(names: readonly string[]): {
  mapping: Map<string, string>;
  collisions: EnvVarCollision[];
} {
  const byVar = new Map<string, string[]>();
  for (const name of names) {
    const v = toEnvVarName(name);
    const list = byVar.get(v);
    if (list) {
      if (!list.includes(name)) list.push(name);
    } else byVar.set(v, [name]);
  }
  const mapping = new Map<string, string>();
  const collisions: EnvVarCollision[] = [];
  for (const [envVar, list] of byVar) {
    if (list.length === 1) mapping.set(list[0]!, envVar);
    else collisions.push({ envVar, names: list.sort() });
  }
  return { mapping, collisions };
}

/** Validate an env state name (`dev`, `staging`, `prod`, ...). @throws CofferError INVALID_ARGUMENT */
export function validateEnvName(env: unknown): string {
  if (typeof env !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(env) || env === "default") {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `env ${typeof env === "string" ? quoteName(env) : "value"} must match [A-Za-z0-9][A-Za-z0-9_.-]* (1-64 characters) and not be "default"`,
      { field: "env" },
    );
  }
  return env;
}
