import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { CofferError } from "@coffer/core";

/** Options of {@link local}. Every field is optional: `local()` alone gives a working store. */
export interface LocalProviderOptions {
  /**
   * Instance name shown in provenance.
   * @default "local"
   */
  name?: string;
  /**
   * Coffer's data directory, holding the store and the key file.
   * @default env COFFER_HOME, else `$XDG_DATA_HOME/coffer` or `~/.local/share/coffer` (Linux),
   * `~/Library/Application Support/coffer` (macOS), `%APPDATA%/coffer` (Windows)
   */
  home?: string;
  /**
   * Path of the SQLite store file.
   * @default "<home>/store.db"
   */
  path?: string;
  /**
   * Master key: 32 random bytes as hex or base64, or else a passphrase (stretched with scrypt).
   * When set, the key file is never used.
   * @default env COFFER_MASTER_KEY, else the key file
   */
  masterKey?: string;
  /**
   * Key file used when no master key is given: 32 random bytes, created (0600) on first use.
   * @default "<home>/master.key"
   */
  keyFile?: string;
  /**
   * Versions kept per secret state; older ones are deleted on write.
   * @default 10
   */
  historyLimit?: number;
  /**
   * Days a soft-deleted secret stays recoverable when `delete` does not say otherwise.
   * @default 7
   */
  recoveryWindowDays?: number;
  /**
   * Source of the current time for timestamps, grace windows and purge dates (tests inject one).
   * @default () => new Date()
   */
  clock?: () => Date;
}

/** Options with every default applied. */
export interface ResolvedLocalOptions {
  /** Instance name. */
  name: string;
  /** Data directory. */
  home: string;
  /** Store file. */
  path: string;
  /** Master key text and where it came from, when one was given. */
  masterKey?: { text: string; source: "option" | "env" };
  /** Key file path. */
  keyFile: string;
  /** Versions kept per state. */
  historyLimit: number;
  /** Default recovery window in days. */
  recoveryWindowDays: number;
  /** Current time. */
  clock: () => Date;
}

/**
 * Coffer's data directory for this user: `COFFER_HOME` when set, else the platform's user data
 * directory joined with `coffer`.
 */
export function resolveCofferHome(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.COFFER_HOME) return resolve(env.COFFER_HOME);
  if (platform === "win32") return join(env.APPDATA || join(home, "AppData", "Roaming"), "coffer");
  if (platform === "darwin") return join(home, "Library", "Application Support", "coffer");
  const xdg = env.XDG_DATA_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, ".local", "share"), "coffer");
}

function positiveNumber(value: unknown, field: string, integer: boolean): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new CofferError(
      "CONFIG",
      `local provider option ${field} must be a positive ${integer ? "integer" : "number"}`,
      {
        field,
      },
    );
  }
  return value;
}

/** Apply defaults and check option values. @throws CofferError CONFIG on an invalid option */
export function resolveLocalOptions(options: LocalProviderOptions = {}, env = process.env): ResolvedLocalOptions {
  const name = options.name ?? "local";
  if (typeof name !== "string" || name.trim() === "") {
    throw new CofferError("CONFIG", "local provider option name must be a non-empty string", { field: "name" });
  }
  const home = resolve(options.home ?? resolveCofferHome(env));
  const historyLimit = positiveNumber(options.historyLimit ?? 10, "historyLimit", true);
  const recoveryWindowDays = positiveNumber(options.recoveryWindowDays ?? 7, "recoveryWindowDays", false);
  const clock = options.clock ?? (() => new Date());
  if (typeof clock !== "function") {
    throw new CofferError("CONFIG", "local provider option clock must be a function", { field: "clock" });
  }
  let masterKey: ResolvedLocalOptions["masterKey"];
  if (options.masterKey !== undefined) masterKey = { text: options.masterKey, source: "option" };
  else if (env.COFFER_MASTER_KEY !== undefined) masterKey = { text: env.COFFER_MASTER_KEY, source: "env" };
  return {
    name,
    home,
    path: options.path !== undefined ? resolve(options.path) : join(home, "store.db"),
    ...(masterKey ? { masterKey } : {}),
    keyFile: options.keyFile !== undefined ? resolve(options.keyFile) : join(home, "master.key"),
    historyLimit,
    recoveryWindowDays,
    clock,
  };
}
