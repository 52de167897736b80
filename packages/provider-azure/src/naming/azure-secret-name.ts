import { createHash } from "node:crypto";
import {
  CofferError,
  DEFAULT_NAME_PATTERN,
  quoteName,
  SCOPE_KINDS,
  type ScopeKind,
  type ScopeRef,
  type SecretAddress,
  scopeKey,
} from "@coffer/core";

/**
 * Mapping between Coffer addresses (name + scope + env) and Azure Key Vault secret names.
 *
 * Azure names allow only `[0-9A-Za-z-]`, 1-127 characters, compared case-insensitively. Coffer
 * names are case-sensitive and also use `_ . /`. The encoding writes only lower-case letters,
 * digits and `-`, so two different Coffer addresses never meet in one Azure name, whatever the
 * service's case rules:
 *
 * - `a-z`, `0-9` stand for themselves; a lone `-` stands for itself.
 * - `--` starts an escape whose next character says what it is:
 *   `--u` `_`, `--p` `.`, `--s` `/`, `--d` a `-` that touches another escape,
 *   `--k` the next letter is upper case, `--c` toggles upper case for the following letters,
 *   `--e` starts the env part, `--x` (only at the start) a non-global scope:
 *   `--x` + kind letter + 12 hex digits of SHA-256 of the scope key.
 *
 * Examples: `db-password` -> `db-password`, `API_KEY` -> `--capi--ukey`,
 * `api_key` -> `api--ukey`, `MySecret` + env `prod` -> `--kmy--ksecret--eprod`.
 */

/** Longest Azure Key Vault secret name. */
export const AZURE_NAME_MAX_LENGTH = 127;
/** Hex digits of the scope digest embedded in names of non-global secrets. */
export const SCOPE_DIGEST_LENGTH = 12;

const ENV_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const AZURE_NAME_PATTERN = /^[0-9A-Za-z-]{1,127}$/;
const PREFIX_PATTERN = /^[0-9a-z-]{0,48}$/;

const KIND_LETTERS: Record<Exclude<ScopeKind, "global">, string> = {
  project: "p",
  team: "t",
  org: "o",
  user: "u",
  agent: "a",
  plugin: "l",
};
const KIND_BY_LETTER = new Map(Object.entries(KIND_LETTERS).map(([kind, letter]) => [letter, kind as ScopeKind]));

const SYMBOL_CODES: Record<string, string> = { _: "u", ".": "p", "/": "s" };
const SYMBOL_BY_CODE: Record<string, string> = { u: "_", p: ".", s: "/", d: "-" };

/** What an encoded Azure name says by itself (the full scope id lives only in the tags). */
export interface DecodedAzureName {
  /** Coffer secret name. */
  name: string;
  /** Scope kind. */
  scopeKind: ScopeKind;
  /** First hex digits of SHA-256 of the scope key, for non-global scopes. */
  scopeDigest?: string;
  /** Env state; absent for the default state. */
  env?: string;
}

/** SHA-256 of the scope key, first {@link SCOPE_DIGEST_LENGTH} hex digits. */
export function scopeDigest(scope: ScopeRef): string {
  return createHash("sha256").update(scopeKey(scope), "utf8").digest("hex").slice(0, SCOPE_DIGEST_LENGTH);
}

const isUpper = (ch: string) => ch >= "A" && ch <= "Z";
const isLower = (ch: string) => ch >= "a" && ch <= "z";

/** Encode one segment (name or env) into tokens; each token is rendered text, "-" marks a literal dash. */
function segmentTokens(text: string): string[] {
  const tokens: string[] = [];
  let caps = false;
  const chars = [...text];
  chars.forEach((ch, i) => {
    if (isUpper(ch)) {
      if (!caps) {
        const nextLetter = chars.slice(i + 1).find((c) => isUpper(c) || isLower(c));
        if (nextLetter !== undefined && isUpper(nextLetter)) {
          tokens.push("--c");
          caps = true;
        } else {
          tokens.push("--k");
        }
      }
      tokens.push(ch.toLowerCase());
    } else if (isLower(ch)) {
      if (caps) {
        tokens.push("--c");
        caps = false;
      }
      tokens.push(ch);
    } else if (ch >= "0" && ch <= "9") {
      tokens.push(ch);
    } else if (ch === "-") {
      tokens.push("-");
    } else {
      tokens.push(`--${SYMBOL_CODES[ch]}`);
    }
  });
  return tokens;
}

/** Render tokens: a literal dash touching an escape is written `--d` so it cannot merge with it. */
function renderTokens(tokens: readonly string[]): string {
  return tokens
    .map((token, i) => {
      if (token !== "-") return token;
      const next = tokens[i + 1];
      return next?.startsWith("-") ? "--d" : "-";
    })
    .join("");
}

/**
 * Check an Azure-name prefix option.
 * @throws CofferError CONFIG when it has characters other than lower-case letters, digits and `-`
 */
export function validateNamePrefix(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new CofferError(
      "CONFIG",
      `azure-keyvault prefix ${quoteName(prefix)} must be at most 48 lower-case letters, digits or "-"`,
      { field: "prefix" },
    );
  }
  return prefix;
}

/**
 * Azure secret name of an address. Pure and deterministic; the same address always gives the
 * same name and different addresses never give names that are equal ignoring case.
 * @throws CofferError INVALID_ARGUMENT when the name, env or scope is malformed or the encoded
 * name is longer than 127 characters
 */
export function toAzureSecretName(address: SecretAddress, prefix = ""): string {
  const { name, scope, env } = address;
  if (typeof name !== "string" || !DEFAULT_NAME_PATTERN.test(name)) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `secret name ${typeof name === "string" ? quoteName(name) : "value"} cannot be stored in Azure Key Vault: it must match [A-Za-z_][A-Za-z0-9_./-]* (1-128 characters)`,
      { field: "name" },
    );
  }
  if (env !== undefined && (typeof env !== "string" || !ENV_PATTERN.test(env))) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `env ${typeof env === "string" ? quoteName(env) : "value"} must match [A-Za-z0-9][A-Za-z0-9_.-]* (1-64 characters)`,
      { field: "env", name },
    );
  }
  if (scope === null || typeof scope !== "object" || !(SCOPE_KINDS as readonly string[]).includes(scope.kind)) {
    throw new CofferError("INVALID_ARGUMENT", `secret ${quoteName(name)} has an unknown scope`, {
      field: "scope",
      name,
    });
  }
  const tokens: string[] = [];
  if (scope.kind !== "global") {
    if (typeof scope.id !== "string" || scope.id.length === 0) {
      throw new CofferError("INVALID_ARGUMENT", `the ${scope.kind} scope of ${quoteName(name)} has no id`, {
        field: "scope",
        name,
      });
    }
    tokens.push(`--x${KIND_LETTERS[scope.kind]}${scopeDigest(scope)}`);
  }
  tokens.push(...segmentTokens(name));
  if (env !== undefined) tokens.push("--e", ...segmentTokens(env));
  const azureName = prefix + renderTokens(tokens);
  if (azureName.length > AZURE_NAME_MAX_LENGTH) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `secret name ${quoteName(name)} is too long for Azure Key Vault: its encoded name has ${azureName.length} characters (at most ${AZURE_NAME_MAX_LENGTH}; upper-case letters and "_ . /" take 3 characters each)`,
      { field: "name", name, azureName },
    );
  }
  return azureName;
}

/** Decode one segment; undefined when it is not a valid encoding. */
function decodeSegment(text: string): string | undefined {
  let out = "";
  let caps = false;
  let shift = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "-" && text[i + 1] === "-") {
      const code = text[i + 2];
      i += 3;
      if (code === "c") {
        if (shift) return undefined;
        caps = !caps;
      } else if (code === "k") {
        if (shift || caps) return undefined;
        shift = true;
      } else if (code !== undefined && code in SYMBOL_BY_CODE) {
        if (shift) return undefined;
        out += SYMBOL_BY_CODE[code];
      } else {
        return undefined;
      }
      continue;
    }
    if (isLower(ch)) {
      out += caps || shift ? ch.toUpperCase() : ch;
      shift = false;
    } else if ((ch >= "0" && ch <= "9") || ch === "-") {
      if (shift) return undefined;
      out += ch;
    } else {
      return undefined;
    }
    i += 1;
  }
  return shift ? undefined : out;
}

/**
 * Read an Azure secret name written by {@link toAzureSecretName}. Returns undefined for names
 * that are not such an encoding (including any name with upper-case letters), so a foreign
 * name is never mistaken for a different Coffer name.
 */
export function fromAzureSecretName(azureName: string, prefix = ""): DecodedAzureName | undefined {
  if (!AZURE_NAME_PATTERN.test(azureName) || !azureName.startsWith(prefix)) return undefined;
  let rest = azureName.slice(prefix.length);
  let scopeKind: ScopeKind = "global";
  let digest: string | undefined;
  const kindLetter = rest[3] ?? "";
  if (rest.startsWith("--x")) {
    const kind = KIND_BY_LETTER.get(kindLetter);
    digest = rest.slice(4, 4 + SCOPE_DIGEST_LENGTH);
    if (kind === undefined || !/^[0-9a-f]+$/.test(digest) || digest.length !== SCOPE_DIGEST_LENGTH) return undefined;
    scopeKind = kind;
    rest = rest.slice(4 + SCOPE_DIGEST_LENGTH);
  }
  // The env marker is the first "--e" that is an escape (escapes are read left to right).
  let envStart = -1;
  for (let i = 0; i < rest.length; ) {
    if (rest[i] === "-" && rest[i + 1] === "-") {
      if (rest[i + 2] === "e") {
        envStart = i;
        break;
      }
      i += 3;
    } else {
      i += 1;
    }
  }
  const name = decodeSegment(envStart < 0 ? rest : rest.slice(0, envStart));
  const env = envStart < 0 ? undefined : decodeSegment(rest.slice(envStart + 3));
  if (name === undefined || (envStart >= 0 && env === undefined)) return undefined;
  if (!DEFAULT_NAME_PATTERN.test(name) || (env !== undefined && !ENV_PATTERN.test(env))) return undefined;
  const decoded: DecodedAzureName =
    digest === undefined ? { name, scopeKind } : { name, scopeKind, scopeDigest: digest };
  if (env !== undefined) decoded.env = env;
  // Only the canonical spelling counts, so two Azure names never decode to one address.
  const reencoded =
    prefix +
    renderTokens([
      ...(digest === undefined ? [] : [`--x${kindLetter}${digest}`]),
      ...segmentTokens(name),
      ...(env === undefined ? [] : ["--e", ...segmentTokens(env)]),
    ]);
  return reencoded === azureName ? decoded : undefined;
}

/**
 * The Azure name to try when the encoded name of a global, default-state secret is missing: the
 * Coffer name itself, when it is a valid Azure name that differs from the encoding (for example
 * `MySecret`, created by another tool). Undefined when there is nothing else to try.
 */
export function foreignAzureNameOf(address: SecretAddress, prefix = ""): string | undefined {
  if (address.scope.kind !== "global" || address.env !== undefined) return undefined;
  const raw = prefix + address.name;
  if (!AZURE_NAME_PATTERN.test(raw)) return undefined;
  return raw === toAzureSecretName(address, prefix) ? undefined : raw;
}

/**
 * The Coffer name a secret created outside Coffer (no Coffer tags) is listed under: its decoded
 * name when it is a canonical encoding, else its own name when that is a valid Coffer name.
 */
export function foreignSecretIdentity(azureName: string, prefix = ""): { name: string; env?: string } | undefined {
  if (!azureName.toLowerCase().startsWith(prefix)) return undefined;
  const decoded = fromAzureSecretName(azureName, prefix);
  if (decoded !== undefined && decoded.scopeKind === "global") {
    return decoded.env === undefined ? { name: decoded.name } : { name: decoded.name, env: decoded.env };
  }
  const raw = azureName.slice(prefix.length);
  return DEFAULT_NAME_PATTERN.test(raw) ? { name: raw } : undefined;
}
