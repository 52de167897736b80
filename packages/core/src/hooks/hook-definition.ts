import {
  configError,
  expectKnownKeys,
  expectText,
  isMapping,
  optionalBoolean,
  optionalChoiceList,
  optionalTextList,
  optionalWholeNumber,
} from "../config/config-checks.js";
import { CofferError } from "../errors/index.js";
import { isCofferCredentialVar } from "../exec/child-environment.js";
import { NUMERIC_RANGES } from "../inputs/numeric-ranges.js";
import { SCOPE_KINDS } from "../model/scope.js";
import { DEFAULT_NAME_PATTERN } from "../names/secret-name.js";
import { HOOK_EVENTS, type HookEvent } from "./hook.js";
import { isIpLiteral, isPrivateAddress } from "./network-address-policy.js";

/** Kinds of hook that can be defined in config or registered at run time. */
export const HOOK_TYPES = ["shell", "webhook"] as const;
/** One hook kind. */
export type HookType = (typeof HOOK_TYPES)[number];
/** Keys every hook definition accepts. */
export const HOOK_COMMON_KEYS = [
  "id",
  "type",
  "phase",
  "events",
  "names",
  "tags",
  "scopes",
  "timeoutSeconds",
  "description",
] as const;
/** Extra keys of a shell hook. */
export const SHELL_HOOK_KEYS = ["command", "cwd", "env"] as const;
/** Extra keys of a webhook. */
export const WEBHOOK_KEYS = ["url", "secret", "allowPrivateNetwork"] as const;
/** Longest hook timeout, seconds. */
export const MAX_HOOK_TIMEOUT_SECONDS = NUMERIC_RANGES.hookTimeoutSeconds.max;

const HOOK_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SECRET_REF = /^\$\{secret:([^}]+)\}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What every hook definition has. */
export interface HookDefinitionBase {
  /** Unique id (`[A-Za-z0-9][A-Za-z0-9_.-]*`, up to 64 characters). */
  id: string;
  /** Kind. */
  type: HookType;
  /** `before` hooks may veto; `after` hooks observe. @default "after" */
  phase: "before" | "after";
  /** Events (write, delete, rotate, expire, read). @default every event */
  events?: HookEvent[];
  /** Secret name globs. @default every name */
  names?: string[];
  /** The secret has any of these tags. @default any */
  tags?: string[];
  /** Scope filters: a kind (`project`) or label (`team:acme`). @default any */
  scopes?: string[];
  /** Seconds before the hook is stopped and counted as failed. @default 10 */
  timeoutSeconds: number;
  /** Free text. */
  description?: string;
}

/** A program run without a shell; the payload arrives as JSON on stdin. */
export interface ShellHookDefinition extends HookDefinitionBase {
  /** Kind. */
  type: "shell";
  /** Program and arguments, as a list (no shell parsing). */
  command: string[];
  /** Working directory; relative paths are resolved against the project root. @default the project root */
  cwd?: string;
  /** Extra environment variables (Coffer's own credentials are never passed). */
  env?: Record<string, string>;
}

/** A signed JSON POST to a URL. */
export interface WebhookHookDefinition extends HookDefinitionBase {
  /** Kind. */
  type: "webhook";
  /** `https://` (or `http://`) URL without credentials. */
  url: string;
  /** Signing secret (at least 16 characters, usually `${env:NAME}`), or `${secret:NAME}`: a Coffer secret. */
  secret: string;
  /** Allow loopback, private and link-local addresses (tests, intranet receivers). @default false */
  allowPrivateNetwork: boolean;
}

/** A hook definition from config or the run-time registry. */
export type HookDefinition = ShellHookDefinition | WebhookHookDefinition;

/** The Coffer secret a webhook secret refers to (`${secret:NAME}`), if it is a reference. */
export function webhookSecretReference(secret: string): string | undefined {
  return SECRET_REF.exec(secret)?.[1];
}

function validateScope(filter: string, source: string, path: string): string {
  const kind = filter.includes(":") ? filter.slice(0, filter.indexOf(":")) : filter;
  if (!(SCOPE_KINDS as readonly string[]).includes(kind)) {
    throw configError(source, path, `names an unknown scope kind; valid kinds are: ${SCOPE_KINDS.join(", ")}`, {
      valid: [...SCOPE_KINDS],
    });
  }
  return filter;
}

function validateUrl(raw: unknown, allowPrivate: boolean, source: string, path: string): string {
  const text = expectText(raw, source, path, 2048);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw configError(source, path, "must be an absolute http(s) URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw configError(source, path, "must use https:// (or http://)");
  if (url.username || url.password)
    throw configError(source, path, "must not carry credentials; sign deliveries with secret instead");
  const host = url.hostname;
  if (
    !allowPrivate &&
    ((isIpLiteral(host) && isPrivateAddress(host)) || host === "localhost" || host.endsWith(".localhost"))
  ) {
    throw configError(
      source,
      path,
      `points at a loopback, private or link-local address (${host}); set allowPrivateNetwork: true to allow it`,
    );
  }
  return url.toString();
}

function validateSecret(raw: unknown, source: string, path: string): string {
  if (typeof raw !== "string")
    throw configError(
      source,
      path,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: config syntax quoted to the user
      "is required: a signing secret of at least 16 characters (e.g. ${env:HOOK_SECRET}) or ${secret:NAME}",
    );
  const ref = webhookSecretReference(raw);
  if (ref !== undefined) {
    if (!DEFAULT_NAME_PATTERN.test(ref)) throw configError(source, path, "refers to an invalid secret name");
    return raw;
  }
  if (raw.length < 16 || raw.length > 1024)
    // biome-ignore lint/suspicious/noTemplateCurlyInString: config syntax quoted to the user
    throw configError(source, path, "must be 16 to 1024 characters long (or ${secret:NAME})");
  return raw;
}

/**
 * Validate one hook definition, strictly. `source` names the file (or `hook registry`) in
 * messages. Webhook URLs that are literal private addresses or `localhost` are refused unless
 * `allowPrivateNetwork` is true (names are checked again at connect time).
 * @throws CofferError CONFIG naming the field and listing the valid keys, types or events
 */
export function validateHookDefinition(raw: unknown, source: string, path: string): HookDefinition {
  if (!isMapping(raw)) throw configError(source, path, "must be a mapping with at least id and type");
  const type = raw.type;
  if (typeof type !== "string" || !(HOOK_TYPES as readonly string[]).includes(type)) {
    throw configError(source, `${path}.type`, `must be one of: ${HOOK_TYPES.join(", ")}`, { valid: [...HOOK_TYPES] });
  }
  expectKnownKeys(raw, [...HOOK_COMMON_KEYS, ...(type === "shell" ? SHELL_HOOK_KEYS : WEBHOOK_KEYS)], source, path);
  if (typeof raw.id !== "string" || !HOOK_ID.test(raw.id)) {
    throw configError(source, `${path}.id`, "is required and must match [A-Za-z0-9][A-Za-z0-9_.-]* (1-64 characters)");
  }
  if (raw.phase !== undefined && raw.phase !== "before" && raw.phase !== "after") {
    throw configError(source, `${path}.phase`, "must be one of: before, after");
  }
  const base: HookDefinitionBase = {
    id: raw.id,
    type: type as HookType,
    phase: (raw.phase as "before" | "after" | undefined) ?? "after",
    timeoutSeconds: optionalWholeNumber(
      raw.timeoutSeconds,
      source,
      `${path}.timeoutSeconds`,
      10,
      1,
      MAX_HOOK_TIMEOUT_SECONDS,
    ),
  };
  const events = optionalChoiceList(raw.events, HOOK_EVENTS, source, `${path}.events`, "event");
  if (events) base.events = events;
  const names = optionalTextList(raw.names, source, `${path}.names`);
  if (names) base.names = names;
  const tags = optionalTextList(raw.tags, source, `${path}.tags`, 64);
  if (tags) base.tags = tags;
  const scopes = optionalTextList(raw.scopes, source, `${path}.scopes`);
  if (scopes) base.scopes = scopes.map((s, i) => validateScope(s, source, `${path}.scopes[${i}]`));
  if (raw.description !== undefined)
    base.description = expectText(raw.description, source, `${path}.description`, 1024);
  for (const [key, list] of Object.entries({ events, names, tags, scopes })) {
    if (list && list.length === 0)
      throw configError(source, `${path}.${key}`, "is empty (omit it to match everything)");
  }
  if (type === "shell") {
    if (!Array.isArray(raw.command) || raw.command.length === 0 || raw.command.length > 64) {
      throw configError(
        source,
        `${path}.command`,
        'must be a list: the program, then its arguments (no shell is used), e.g. ["./scripts/check.sh", "--strict"]',
      );
    }
    const command = raw.command.map((part, i) => {
      if (typeof part !== "string" || part.length > 4096 || part.includes("\0"))
        throw configError(source, `${path}.command[${i}]`, "must be a string without NUL");
      return part;
    });
    if (command[0]!.trim() === "") throw configError(source, `${path}.command[0]`, "must name a program");
    const def: ShellHookDefinition = { ...base, type: "shell", command };
    if (raw.cwd !== undefined) def.cwd = expectText(raw.cwd, source, `${path}.cwd`, 4096);
    if (raw.env !== undefined) {
      if (!isMapping(raw.env)) throw configError(source, `${path}.env`, "must map variable names to strings");
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(raw.env)) {
        if (!ENV_NAME.test(k) || typeof v !== "string")
          throw configError(source, `${path}.env.${k.slice(0, 64)}`, "must be a variable name mapped to a string");
        if (isCofferCredentialVar(k))
          throw configError(source, `${path}.env.${k}`, "is a Coffer credential and is never passed to hooks");
        env[k] = v;
      }
      def.env = env;
    }
    return def;
  }
  const allowPrivateNetwork = optionalBoolean(raw.allowPrivateNetwork, source, `${path}.allowPrivateNetwork`, false);
  return {
    ...base,
    type: "webhook",
    url: validateUrl(raw.url, allowPrivateNetwork, source, `${path}.url`),
    secret: validateSecret(raw.secret, source, `${path}.secret`),
    allowPrivateNetwork,
  };
}

/**
 * Validate the `hooks` list of a config file; ids must be unique.
 * @throws CofferError CONFIG
 */
export function validateHookDefinitions(raw: unknown, source: string): HookDefinition[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw configError(source, "hooks", "must be a list of hook definitions");
  const seen = new Set<string>();
  return raw.map((item, i) => {
    const def = validateHookDefinition(item, source, `hooks[${i}]`);
    if (seen.has(def.id)) throw configError(source, `hooks[${i}].id`, `repeats the hook id "${def.id}"`);
    seen.add(def.id);
    return def;
  });
}

/** Turn a definition's validation failure into the error a run-time caller gets (INVALID_ARGUMENT). */
export function asArgumentError(err: unknown): unknown {
  if (err instanceof CofferError && err.code === "CONFIG")
    return new CofferError("INVALID_ARGUMENT", err.message, err.details);
  return err;
}
