import { RESERVED_PREFIX, toEnvVarName } from "@coffer/core";

/** Prefix of the variables that hold secrets by default; it is not internal. */
export const DEFAULT_SECRET_PREFIX = "COFFER_SECRET_";

/**
 * True for Coffer's own variables (`COFFER_MASTER_KEY`, `COFFER_HOME`, ...), which the env
 * provider never reads or lists. `COFFER_SECRET_*` variables hold secrets and are not internal.
 * Compared case-insensitively, as Windows environments are.
 */
export function isInternalVariable(variable: string): boolean {
  const upper = variable.toUpperCase();
  return upper.startsWith(RESERVED_PREFIX) && !upper.startsWith(DEFAULT_SECRET_PREFIX);
}

/** The part of a variable name that stands for a secret name: `API_KEY_STRIPE` or the verbatim name. */
export function variableStem(secretName: string, uppercaseNames: boolean): string {
  return uppercaseNames ? toEnvVarName(secretName) : secretName;
}

/**
 * The variables a secret name is looked up in, in order: the prefixed one, then (when
 * `allowUnprefixed`) the bare one. Internal `COFFER_*` variables are left out.
 */
export function candidateVariables(
  secretName: string,
  options: { prefix: string; uppercaseNames: boolean; allowUnprefixed: boolean },
): string[] {
  const stem = variableStem(secretName, options.uppercaseNames);
  const candidates = [`${options.prefix}${stem}`];
  if (options.allowUnprefixed) candidates.push(stem);
  return candidates.filter((variable) => !isInternalVariable(variable));
}
