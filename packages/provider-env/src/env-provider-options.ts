import { CofferError, checkProviderOptionNames, type OptionNames } from "@coffer/core";
import { isInternalVariable } from "./env-variable-names.js";

/** Options of the env provider. */
export interface EnvProviderOptions {
  /** Instance name shown in provenance (`Provider: env`). @default "env" */
  name?: string;
  /** Prefix of the variables that hold secrets. @default "COFFER_SECRET_" */
  prefix?: string;
  /**
   * Map a secret name to its variable the way `coffer run` injects it (`api-key-stripe` is
   * read from `COFFER_SECRET_API_KEY_STRIPE`); when false the name is appended verbatim.
   * @default true
   */
  uppercaseNames?: boolean;
  /**
   * Also look a name up as the bare variable (`API_KEY_STRIPE`) when the prefixed one is not
   * set. Coffer's own `COFFER_*` variables are never read this way.
   * @default false
   */
  allowUnprefixed?: boolean;
  /** Variables to read, consulted at every call (so later changes are seen). @default process.env */
  source?: Readonly<Record<string, string | undefined>>;
}

/** Env provider options with defaults applied and checked. */
export interface ResolvedEnvProviderOptions {
  /** Instance name. */
  name: string;
  /** Variable prefix. */
  prefix: string;
  /** Whether names are mapped with `toEnvVarName`. */
  uppercaseNames: boolean;
  /** Whether bare variable names are read too. */
  allowUnprefixed: boolean;
  /** Current variables. */
  readSource: () => Readonly<Record<string, string | undefined>>;
}

const VARIABLE_PREFIX_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OPTION_NAMES: OptionNames<EnvProviderOptions> = {
  name: true,
  prefix: true,
  uppercaseNames: true,
  allowUnprefixed: true,
  source: true,
};

function booleanOption(value: unknown, field: string, fallback: boolean, provider: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new CofferError("CONFIG", `env provider option ${field} must be true or false`, { field, provider });
  }
  return value;
}

/**
 * Apply defaults and check the options.
 * @throws CofferError CONFIG for an unknown option, an empty name, a non-boolean flag, a prefix
 *   that is not a variable-name prefix, or a prefix that would expose Coffer's internal `COFFER_*` variables
 */
export function resolveEnvProviderOptions(options: EnvProviderOptions = {}): ResolvedEnvProviderOptions {
  checkProviderOptionNames("env", options, OPTION_NAMES);
  const name = options.name ?? "env";
  if (typeof name !== "string" || name.trim().length === 0) {
    throw new CofferError("CONFIG", "env provider name must be a non-empty string", { field: "name" });
  }
  const prefix = options.prefix ?? "COFFER_SECRET_";
  if (typeof prefix !== "string" || !VARIABLE_PREFIX_PATTERN.test(prefix)) {
    throw new CofferError(
      "CONFIG",
      `env provider prefix ${JSON.stringify(String(prefix))} must match [A-Za-z_][A-Za-z0-9_]* (set allowUnprefixed to also read bare variable names)`,
      { field: "prefix", provider: name },
    );
  }
  if (isInternalVariable(`${prefix}X`)) {
    throw new CofferError(
      "CONFIG",
      `env provider prefix ${JSON.stringify(prefix)} would expose Coffer's internal COFFER_* variables (such as COFFER_MASTER_KEY); use COFFER_SECRET_ or a prefix of your own`,
      { field: "prefix", provider: name },
    );
  }
  const source = options.source;
  if (source !== undefined && (source === null || typeof source !== "object")) {
    throw new CofferError("CONFIG", "env provider source must be a record of variables", {
      field: "source",
      provider: name,
    });
  }
  return {
    name,
    prefix,
    uppercaseNames: booleanOption(options.uppercaseNames, "uppercaseNames", true, name),
    allowUnprefixed: booleanOption(options.allowUnprefixed, "allowUnprefixed", false, name),
    readSource: () => source ?? process.env,
  };
}
