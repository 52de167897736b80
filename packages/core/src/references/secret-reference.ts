import { CofferError } from "../errors/index.js";
import { quoteName, validateSecretName } from "../names/secret-name.js";
import type { ScopeInput } from "../service/types.js";

/** Every reference starts with this. */
export const REFERENCE_PREFIX = "coffer://";

/** Scope a reference may pin: `project`, `global`, `team:ID` or `org:ID`. */
export type ReferenceScope =
  | { kind: "project" }
  | { kind: "global" }
  | { kind: "team"; id: string }
  | { kind: "org"; id: string };

/**
 * A pointer to a stored secret, written in place of its value:
 * `coffer://NAME[?scope=project|global|team:ID|org:ID][&env=ENV]`.
 */
export interface SecretReference {
  /** Secret name (decoded). */
  name: string;
  /** Pinned scope; absent: the read cascade (project -> team -> org -> global). */
  scope?: ReferenceScope;
  /** Pinned env state; absent: the detected environment. */
  env?: string;
}

const SCOPE_ID = /^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,127}$/;
const ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Characters a reference may hold unencoded (RFC 3986 unreserved, `/`, `%` escapes, `?&=:@`). */
const REFERENCE_TEXT = /^coffer:\/\/[A-Za-z0-9._~/%-]+(?:\?[A-Za-z0-9._~%:@=&-]*)?$/;

function invalid(text: string, problem: string): CofferError {
  return new CofferError("INVALID_ARGUMENT", `reference ${quoteName(text)} is not valid: ${problem}`, {
    field: "reference",
    hint: "write coffer://NAME, optionally ?scope=project|global|team:ID|org:ID and &env=ENV",
  });
}

function decode(part: string, whole: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(whole, "it has a malformed %-escape");
  }
}

/** True when a value is written as a reference (starts with `coffer://`). */
export function isReference(value: string): boolean {
  return value.startsWith(REFERENCE_PREFIX);
}

/**
 * Parse a reference.
 * @throws CofferError INVALID_ARGUMENT naming what is wrong (an unknown parameter, a bad scope,
 *   a name that breaks the naming rule); the message quotes the reference, which holds no value.
 */
export function parseReference(text: string): SecretReference {
  if (typeof text !== "string" || !text.startsWith(REFERENCE_PREFIX)) {
    throw invalid(String(text), `it must start with ${REFERENCE_PREFIX}`);
  }
  if (text.length > 1024) throw invalid(text, "it is longer than 1024 characters");
  if (text.length === REFERENCE_PREFIX.length || text[REFERENCE_PREFIX.length] === "?")
    throw invalid(text, "it has no secret name");
  if (!REFERENCE_TEXT.test(text)) throw invalid(text, "it holds a character that must be %-encoded");
  const rest = text.slice(REFERENCE_PREFIX.length);
  const q = rest.indexOf("?");
  const rawName = q < 0 ? rest : rest.slice(0, q);
  const name = decode(rawName, text);
  try {
    validateSecretName(name);
  } catch (err) {
    throw invalid(text, err instanceof CofferError ? err.message : "bad name");
  }
  const ref: SecretReference = { name };
  if (q < 0) return ref;
  const query = rest.slice(q + 1);
  if (query === "") return ref;
  const seen = new Set<string>();
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    if (eq < 0) throw invalid(text, `parameter ${quoteName(pair)} has no value`);
    const key = pair.slice(0, eq);
    const value = decode(pair.slice(eq + 1), text);
    if (seen.has(key)) throw invalid(text, `parameter ${quoteName(key)} is given twice`);
    seen.add(key);
    if (key === "scope") ref.scope = parseReferenceScope(value, text);
    else if (key === "env") {
      if (!ENV_NAME.test(value)) throw invalid(text, "env must match [A-Za-z0-9][A-Za-z0-9_.-]* (1-64 characters)");
      ref.env = value;
    } else throw invalid(text, `unknown parameter ${quoteName(key)} (only scope and env)`);
  }
  return ref;
}

function parseReferenceScope(value: string, whole: string): ReferenceScope {
  if (value === "project" || value === "global") return { kind: value };
  const i = value.indexOf(":");
  const kind = i < 0 ? value : value.slice(0, i);
  if (kind === "team" || kind === "org") {
    const id = value.slice(i + 1);
    if (i < 0 || !SCOPE_ID.test(id)) throw invalid(whole, `scope ${kind} needs an id: ${kind}:ID`);
    return { kind, id };
  }
  throw invalid(whole, "scope must be project, global, team:ID or org:ID");
}

/** Write a reference in its canonical form (name %-encoded where needed, `scope` before `env`). */
export function formatReference(ref: SecretReference): string {
  const name = encodeURIComponent(ref.name).replace(/%2F/g, "/");
  const params: string[] = [];
  if (ref.scope)
    params.push(
      `scope=${ref.scope.kind === "team" || ref.scope.kind === "org" ? `${ref.scope.kind}:${encodeURIComponent(ref.scope.id).replace(/%3A/g, ":").replace(/%40/g, "@")}` : ref.scope.kind}`,
    );
  if (ref.env !== undefined) params.push(`env=${encodeURIComponent(ref.env)}`);
  return `${REFERENCE_PREFIX}${name}${params.length > 0 ? `?${params.join("&")}` : ""}`;
}

/** The service's scope input for a reference's pinned scope (none: the read cascade). */
export function referenceScopeInput(ref: SecretReference): ScopeInput {
  switch (ref.scope?.kind) {
    case undefined:
      return {};
    case "project":
      return { scope: "project" };
    case "global":
      return { scope: "global" };
    case "team":
      return { scope: "team", teamId: ref.scope.id };
    case "org":
      return { scope: "org", orgId: ref.scope.id };
  }
}
