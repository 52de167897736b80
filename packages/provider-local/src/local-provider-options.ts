import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { CofferError, checkProviderOptionNames, type OptionNames } from "@coffer/core";

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
   * Path of the SQLite store file; its companions (`-wal`, `-shm`) sit beside it. A missing
   * directory is created 0700, the files 0600.
   * @default "<home>/store.db"
   */
  storePath?: string;
  /** Older name of {@link storePath}; give one or the other. @default "<home>/store.db" */
  path?: string;
  /**
   * Mode of the store's files. Only 0600 is accepted (as the number 0o600 or 384, or the text
   * "0600"/"600"): Coffer never creates a store others can read. Any other mode is a CONFIG error.
   * @default 0o600
   */
  fileMode?: number | string;
  /**
   * Master key: 32 random bytes as hex or base64, or else a passphrase (stretched with scrypt).
   * When set, the key file is never used.
   * @default env COFFER_MASTER_KEY, else the key file
   */
  masterKey?: string;
  /**
   * Where `masterKey` came from, named in the hint of a wrong-key error (for example
   * `providers.local.masterKey in /work/app/coffer.yaml`).
   * @default "the masterKey option"
   */
  masterKeySource?: string;
  /**
   * Environment read for `COFFER_MASTER_KEY` and `COFFER_HOME`.
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
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
  /** Master key text and where it came from, when one was given (`label` names an option's origin). */
  masterKey?: { text: string; source: "option" | "env"; label?: string };
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

/** Every option of {@link local}. */
const LOCAL_OPTION_NAMES: OptionNames<LocalProviderOptions> = {
  name: true,
  home: true,
  storePath: true,
  path: true,
  fileMode: true,
  masterKey: true,
  masterKeySource: true,
  env: true,
  keyFile: true,
  historyLimit: true,
  recoveryWindowDays: true,
  clock: true,
};

/** The one file mode the store accepts, in the forms a config file can spell it. */
function checkFileMode(mode: unknown): void {
  if (mode === undefined) return;
  // YAML 1.2 reads `fileMode: 0600` as the decimal number 600; 0o600 is 384.
  if (mode === 0o600 || mode === 600 || mode === "0600" || mode === "600" || mode === "0o600") return;
  throw new CofferError(
    "CONFIG",
    `local provider option fileMode must be 0600 (got ${JSON.stringify(mode)}): the store and its companion files are always owner-only (0600, directories 0700)`,
    { field: "fileMode", hint: "remove fileMode or set it to 0600" },
  );
}

function optionalPath(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    throw new CofferError("CONFIG", `local provider option ${field} must be a non-empty path`, { field });
  }
  return value;
}

/** Apply defaults and check option values. @throws CofferError CONFIG on an unknown or invalid option */
export function resolveLocalOptions(options: LocalProviderOptions = {}, env = process.env): ResolvedLocalOptions {
  if (options === null || typeof options !== "object") {
    throw new CofferError("CONFIG", "local provider options must be an object", { field: "options" });
  }
  checkProviderOptionNames("local", options, LOCAL_OPTION_NAMES);
  if (options.env !== undefined) {
    if (options.env === null || typeof options.env !== "object") {
      throw new CofferError("CONFIG", "local provider option env must be a record of variables", { field: "env" });
    }
    env = options.env;
  }
  checkFileMode(options.fileMode);
  const storePath = optionalPath(options.storePath, "storePath");
  const legacyPath = optionalPath(options.path, "path");
  if (storePath !== undefined && legacyPath !== undefined && resolve(storePath) !== resolve(legacyPath)) {
    throw new CofferError(
      "CONFIG",
      "local provider options storePath and path name different files; give only storePath",
      {
        field: "path",
      },
    );
  }
  const path = storePath ?? legacyPath;
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
  if (options.masterKeySource !== undefined && typeof options.masterKeySource !== "string") {
    throw new CofferError("CONFIG", "local provider option masterKeySource must be text", { field: "masterKeySource" });
  }
  if (options.masterKey !== undefined) {
    masterKey = {
      text: options.masterKey,
      source: "option",
      ...(options.masterKeySource ? { label: options.masterKeySource } : {}),
    };
  } else if (env.COFFER_MASTER_KEY !== undefined) masterKey = { text: env.COFFER_MASTER_KEY, source: "env" };
  return {
    name,
    home,
    path: path !== undefined ? resolve(path) : join(home, "store.db"),
    ...(masterKey ? { masterKey } : {}),
    keyFile:
      optionalPath(options.keyFile, "keyFile") !== undefined
        ? resolve(options.keyFile as string)
        : join(home, "master.key"),
    historyLimit,
    recoveryWindowDays,
    clock,
  };
}
