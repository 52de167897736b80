import {
  CofferError,
  NUMERIC_RANGES,
  type NumericInput,
  parseNumericInput,
  SCOPE_KINDS,
  type ScopeInput,
  type ScopeKind,
  SECRET_FORMATS,
  type SecretFormat,
} from "@coffer/core";
import type { ParsedArguments } from "./command-spec.js";

/** A string flag's value, if given. */
export function stringFlag(args: ParsedArguments, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === "string" ? v : undefined;
}

/** Every value of a repeatable string flag, in the order given (empty when absent). */
export function repeatedFlag(args: ParsedArguments, name: string): string[] {
  return args.repeated?.[name] ?? [];
}

/** True when a boolean flag was given. */
export function booleanFlag(args: ParsedArguments, name: string): boolean {
  return args.options[name] === true;
}

/**
 * A whole-number flag within core's range for that input (`NUMERIC_RANGES`).
 * @throws CofferError INVALID_ARGUMENT naming the flag
 */
export function integerFlag(args: ParsedArguments, name: string, input: NumericInput): number | undefined {
  const text = stringFlag(args, name);
  if (text === undefined) return undefined;
  return parseNumericInput(NUMERIC_RANGES[input], text, `--${name}`);
}

/** A comma-separated list flag (`a,b`), trimmed, empty items dropped. */
export function listFlag(args: ParsedArguments, name: string): string[] | undefined {
  const text = stringFlag(args, name);
  if (text === undefined) return undefined;
  return text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/**
 * The scope of `--scope`: `global`, `project`, `user`, or `team:ID`, `org:ID`, `agent:ID`,
 * `plugin:ID` (`user:NAME` too). `team` and `org` without an id use the configured ids.
 * @throws CofferError INVALID_ARGUMENT for an unknown scope kind
 */
export function scopeFlag(args: ParsedArguments, cwd: string): ScopeInput {
  const text = stringFlag(args, "scope");
  if (text === undefined) return {};
  const i = text.indexOf(":");
  const kind = (i === -1 ? text : text.slice(0, i)) as ScopeKind;
  const id = i === -1 ? undefined : text.slice(i + 1);
  if (!(SCOPE_KINDS as readonly string[]).includes(kind)) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `--scope must be one of ${SCOPE_KINDS.join(", ")} (team:ID, agent:ID ...)`,
      {
        field: "scope",
      },
    );
  }
  const scope: ScopeInput = { scope: kind };
  if (kind === "project") scope.projectPath = id || cwd;
  else if (kind === "team" && id) scope.teamId = id;
  else if (kind === "org" && id) scope.orgId = id;
  else if (id) scope.scopeId = id;
  return scope;
}

/** The scope kind of a filter `--scope` (list, export). @throws CofferError INVALID_ARGUMENT */
export function scopeKindFlag(args: ParsedArguments): ScopeKind | undefined {
  const text = stringFlag(args, "scope");
  if (text === undefined) return undefined;
  const kind = text.split(":", 1)[0] as ScopeKind;
  if (!(SCOPE_KINDS as readonly string[]).includes(kind)) {
    throw new CofferError("INVALID_ARGUMENT", `--scope must be one of ${SCOPE_KINDS.join(", ")}`, { field: "scope" });
  }
  return kind;
}

/** A generator format flag. @throws CofferError INVALID_ARGUMENT */
export function formatValue(text: string | undefined, flag: string): SecretFormat | undefined {
  if (text === undefined) return undefined;
  if (!(SECRET_FORMATS as readonly string[]).includes(text)) {
    throw new CofferError("INVALID_ARGUMENT", `${flag} must be one of ${SECRET_FORMATS.join(", ")}`, { field: flag });
  }
  return text as SecretFormat;
}

/** Drop keys whose value is undefined (options objects passed to the service). */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
