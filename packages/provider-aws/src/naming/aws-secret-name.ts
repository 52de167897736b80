import { createHash } from "node:crypto";
import {
  CofferError,
  quoteName,
  SCOPE_KINDS,
  type ScopeKind,
  type ScopeRef,
  type SecretAddress,
  validateEnvName,
} from "@coffer/core";

/**
 * Mapping between Coffer addresses and AWS secret names. The scheme (documented in
 * docs/providers/aws.md) is:
 *
 *     <prefix><scope segment>/<name>[@<env>]
 *
 * - scope segment: `global`; `project/<16 hex of sha256(project root)>`; for the other kinds
 *   `<kind>/<id>` when the id only holds AWS-safe characters, else `<kind>/=<16 hex of sha256(id)>`.
 * - `@` never occurs in a Coffer name or env, so the default state (`NAME`) and an env state
 *   (`NAME@prod`) can never collide, and the split is unambiguous.
 */

/** Longest AWS secret name. */
export const AWS_SECRET_NAME_MAX = 512;
/** Separates a name from its env state in an AWS secret name. */
export const ENV_SEPARATOR = "@";
/** Hex characters kept of a hashed scope id. */
export const SCOPE_HASH_LENGTH = 16;

/** Coffer names AWS can hold: letters, digits, `_ - .` and `/` between non-empty segments. */
export const COFFER_NAME_FOR_AWS = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const VERBATIM_SCOPE_ID = /^[A-Za-z0-9_.+@-][A-Za-z0-9_.+=@-]{0,63}$/;
const HASH_SEGMENT = new RegExp(`^[0-9a-f]{${SCOPE_HASH_LENGTH}}$`);

/** Short stable hash of a scope id (a project root, or an id AWS cannot hold verbatim). */
export function hashScopeId(id: string): string {
  return createHash("sha256").update(id, "utf8").digest("hex").slice(0, SCOPE_HASH_LENGTH);
}

/**
 * The AWS path segment(s) of a scope: `global`, `project/<hash>`, `team/acme`, `user/=<hash>`.
 * @throws CofferError INVALID_ARGUMENT for an unknown kind or a missing id.
 */
export function scopeSegment(scope: ScopeRef): string {
  if (!SCOPE_KINDS.includes(scope.kind)) {
    throw new CofferError("INVALID_ARGUMENT", `unknown scope kind ${quoteName(String(scope.kind))}`, {
      field: "scope",
    });
  }
  if (scope.kind === "global") return "global";
  if (typeof scope.id !== "string" || scope.id === "") {
    throw new CofferError("INVALID_ARGUMENT", `scope ${scope.kind} needs an id`, { field: "scope" });
  }
  if (scope.kind === "project") return `project/${hashScopeId(scope.id)}`;
  const id = scope.id;
  const verbatim = VERBATIM_SCOPE_ID.test(id) && id !== "." && id !== "..";
  return `${scope.kind}/${verbatim ? id : `=${hashScopeId(id)}`}`;
}

/** AWS name prefix of every secret of a scope, ending with `/`. */
export function scopeNamePrefix(prefix: string, scope: ScopeRef): string {
  return `${prefix}${scopeSegment(scope)}/`;
}

function checkName(name: unknown): string {
  if (typeof name !== "string" || !COFFER_NAME_FOR_AWS.test(name)) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `secret name ${typeof name === "string" ? quoteName(name) : "value"} cannot be stored in AWS Secrets Manager: ` +
        "use letters, digits, _ - . and / between non-empty segments",
      { field: "name", rule: "[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*" },
    );
  }
  return name;
}

function checkLength(awsName: string, name: string): string {
  if (awsName.length > AWS_SECRET_NAME_MAX) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `secret name ${quoteName(name)} is too long for AWS Secrets Manager: it maps to ${awsName.length} characters (at most ${AWS_SECRET_NAME_MAX})`,
      { field: "name", rule: `AWS secret names hold at most ${AWS_SECRET_NAME_MAX} characters` },
    );
  }
  return awsName;
}

/**
 * AWS name of the default state of a secret (no env suffix).
 * @throws CofferError INVALID_ARGUMENT when the name cannot be held by AWS.
 */
export function awsBaseName(prefix: string, ref: { name: string; scope: ScopeRef }): string {
  const name = checkName(ref.name);
  return checkLength(`${scopeNamePrefix(prefix, ref.scope)}${name}`, name);
}

/**
 * AWS name of one state: `<prefix><scope>/<name>` or `<prefix><scope>/<name>@<env>`.
 * @throws CofferError INVALID_ARGUMENT when the name or env cannot be held by AWS.
 */
export function awsSecretName(prefix: string, address: SecretAddress): string {
  const base = awsBaseName(prefix, address);
  if (address.env === undefined) return base;
  const env = validateEnvName(address.env);
  return checkLength(`${base}${ENV_SEPARATOR}${env}`, address.name);
}

/** True when `awsName` is the default state or an env state of the secret whose base AWS name is `base`. */
export function isStateOf(awsName: string, base: string): boolean {
  return (
    awsName === base || (awsName.startsWith(`${base}${ENV_SEPARATOR}`) && !awsName.slice(base.length + 1).includes("/"))
  );
}

/** An AWS secret name split back into its Coffer parts. */
export interface ParsedAwsSecretName {
  /** Coffer name. */
  name: string;
  /** Env state, absent for the default state. */
  env?: string;
  /** Scope kind. */
  kind: ScopeKind;
  /** Verbatim scope id, when the name holds it. */
  id?: string;
  /** Hash of the scope id, when the name holds a hash instead (project roots, unsafe ids). */
  idHash?: string;
}

/**
 * Split an AWS secret name under `prefix` into name, env and scope; undefined when it does not
 * follow the scheme (such secrets are ignored by `list`).
 */
export function parseAwsSecretName(prefix: string, awsName: string): ParsedAwsSecretName | undefined {
  if (!awsName.startsWith(prefix)) return undefined;
  const rest = awsName.slice(prefix.length);
  const slash = rest.indexOf("/");
  if (slash < 0) return undefined;
  const kind = rest.slice(0, slash) as ScopeKind;
  if (!SCOPE_KINDS.includes(kind)) return undefined;
  let tail = rest.slice(slash + 1);
  const parsed: ParsedAwsSecretName = { name: "", kind };
  if (kind !== "global") {
    const next = tail.indexOf("/");
    if (next <= 0) return undefined;
    const segment = tail.slice(0, next);
    tail = tail.slice(next + 1);
    if (kind === "project") {
      if (!HASH_SEGMENT.test(segment)) return undefined;
      parsed.idHash = segment;
    } else if (segment.startsWith("=")) {
      if (!HASH_SEGMENT.test(segment.slice(1))) return undefined;
      parsed.idHash = segment.slice(1);
    } else {
      parsed.id = segment;
    }
  }
  const at = tail.lastIndexOf(ENV_SEPARATOR);
  const name = at < 0 ? tail : tail.slice(0, at);
  if (!COFFER_NAME_FOR_AWS.test(name)) return undefined;
  parsed.name = name;
  if (at >= 0) {
    const env = tail.slice(at + 1);
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(env) || env === "default") return undefined;
    parsed.env = env;
  }
  return parsed;
}

/**
 * The scope a parsed name denotes. A hashed id is resolved only through `hint` (the scope the
 * caller asked about); otherwise the scope is unknown and undefined is returned.
 */
export function scopeOfParsedName(parsed: ParsedAwsSecretName, hint?: ScopeRef): ScopeRef | undefined {
  if (parsed.kind === "global") return { kind: "global" };
  if (parsed.id !== undefined) return { kind: parsed.kind, id: parsed.id };
  if (hint && hint.kind === parsed.kind && typeof hint.id === "string" && hashScopeId(hint.id) === parsed.idHash) {
    return { kind: hint.kind, id: hint.id };
  }
  return undefined;
}
