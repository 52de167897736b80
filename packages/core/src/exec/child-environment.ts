/**
 * Coffer variables that carry credentials and are never passed to a child process:
 * the master key and its file, the export passphrase, and the REST/MCP tokens.
 */
export const COFFER_CREDENTIAL_VARS = [
  "COFFER_MASTER_KEY",
  "COFFER_MASTER_KEY_FILE",
  "COFFER_KEY_FILE",
  "COFFER_EXPORT_PASSPHRASE",
  "COFFER_TOKEN",
  "COFFER_API_TOKEN",
  "COFFER_SERVER_TOKEN",
] as const;

/**
 * Words that mark any other `COFFER_*` variable as a credential: a variable whose name starts
 * with `COFFER_` and contains one of them (`COFFER_ADMIN_TOKEN`, `COFFER_AUDIT_KEY`) is stripped.
 */
export const COFFER_CREDENTIAL_WORDS = [
  "KEY",
  "TOKEN",
  "SECRET",
  "PASSWORD",
  "PASSPHRASE",
  "CREDENTIAL",
  "AUTH",
] as const;

/**
 * True when `name` is one of Coffer's own credentials and must not reach a child process:
 * a name listed in {@link COFFER_CREDENTIAL_VARS}, or a `COFFER_*` name containing one of
 * {@link COFFER_CREDENTIAL_WORDS} (case-insensitive).
 */
export function isCofferCredentialVar(name: string): boolean {
  const upper = name.toUpperCase();
  if (!upper.startsWith("COFFER_")) return false;
  if ((COFFER_CREDENTIAL_VARS as readonly string[]).includes(upper)) return true;
  const rest = upper.slice("COFFER_".length);
  return COFFER_CREDENTIAL_WORDS.some((word) => rest.includes(word));
}

/**
 * The environment of a child process: `base` without Coffer's credentials, with `vars` laid
 * over it. Injected variables win over inherited ones of the same name.
 */
export function buildChildEnvironment(base: NodeJS.ProcessEnv, vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || isCofferCredentialVar(name)) continue;
    env[name] = value;
  }
  for (const [name, value] of Object.entries(vars)) {
    if (isCofferCredentialVar(name)) continue;
    env[name] = value;
  }
  return env;
}
