import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { CofferError } from "../errors/index.js";
import { NUMERIC_RANGES } from "../inputs/numeric-ranges.js";
import { MAX_GLOB_LENGTH } from "../names/name-glob.js";
import { parseProxyConfig } from "./proxy-routes.js";
import {
  CONFIG_KEYS,
  type CofferConfig,
  DEFAULT_PRIORITIES,
  type LoadedConfig,
  PROVIDER_KINDS,
  type ProviderKind,
} from "./types.js";

/** File name of the project config. */
export const PROJECT_CONFIG_FILE = "coffer.yaml";
/** File name of the user config inside the Coffer home. */
export const USER_CONFIG_FILE = "config.yaml";

/** The platform's user data directory for Coffer, unless `COFFER_HOME` is set. */
export function defaultCofferHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COFFER_HOME) return resolve(env.COFFER_HOME);
  const home = env.HOME || homedir();
  if (process.platform === "darwin") return join(home, "Library", "Application Support", "coffer");
  if (process.platform === "win32") return join(env.APPDATA || join(home, "AppData", "Roaming"), "coffer");
  return join(env.XDG_DATA_HOME || join(home, ".local", "share"), "coffer");
}

/** Canonical absolute path (symlinks resolved when the path exists). */
export function canonicalPath(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync.native(abs);
  } catch {
    return abs;
  }
}

/**
 * The project root for `start`: the nearest directory upward holding `coffer.yaml`, else the
 * nearest holding `.git`, else `start` itself. Always canonical.
 */
export function findProjectRoot(start: string): { root: string; configFile?: string } {
  const origin = canonicalPath(start);
  let gitRoot: string | undefined;
  for (let dir = origin; ; dir = dirname(dir)) {
    const candidate = join(dir, PROJECT_CONFIG_FILE);
    if (existsSync(candidate)) return { root: dir, configFile: candidate };
    if (gitRoot === undefined && existsSync(join(dir, ".git"))) gitRoot = dir;
    if (dirname(dir) === dir) break;
  }
  return { root: gitRoot ?? origin };
}

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

function interpolate(value: unknown, env: NodeJS.ProcessEnv, file: string, path: string): unknown {
  if (typeof value === "string") {
    return value.replace(ENV_REF, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        throw new CofferError("CONFIG", `${file}: ${path} refers to \${env:${name}}, which is not set`, {
          field: path,
          hint: `set ${name} in the environment or remove the reference`,
        });
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, file, `${path}[${i}]`));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, env, file, path ? `${path}.${k}` : k);
    return out;
  }
  return value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The kind of a provider entry: its `kind` field, else its key. */
export function providerKindOf(key: string, entry: Record<string, unknown>): string {
  return typeof entry.kind === "string" ? entry.kind : key;
}

/** Validate a parsed config file. @throws CofferError CONFIG listing the valid keys/kinds */
export function validateConfigFile(raw: unknown, file: string): Partial<CofferConfig> {
  if (raw === null || raw === undefined) return {};
  if (!isPlainObject(raw)) throw new CofferError("CONFIG", `${file}: the config must be a mapping of keys to values`);
  for (const key of Object.keys(raw)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new CofferError("CONFIG", `${file}: unknown key "${key}"; valid keys are: ${CONFIG_KEYS.join(", ")}`, {
        field: key,
      });
    }
  }
  const cfg = raw as Record<string, unknown>;
  const expect = (key: string, type: "string" | "number" | "object" | "array", ok: boolean) => {
    if (cfg[key] !== undefined && !ok)
      throw new CofferError(
        "CONFIG",
        `${file}: "${key}" must be ${type === "array" ? "a list" : type === "object" ? "a mapping" : `a ${type}`}`,
        { field: key },
      );
  };
  expect("defaultProvider", "string", typeof cfg.defaultProvider === "string");
  expect("env", "string", typeof cfg.env === "string");
  expect("teamId", "string", typeof cfg.teamId === "string");
  expect("orgId", "string", typeof cfg.orgId === "string");
  expect("pluginId", "string", typeof cfg.pluginId === "string");
  for (const k of ["historyLimit", "recoveryWindowDays", "rotationGraceDays"] as const) {
    expect(k, "number", typeof cfg[k] === "number" && Number.isFinite(cfg[k]) && (cfg[k] as number) >= 0);
    const range = NUMERIC_RANGES[k];
    if (typeof cfg[k] === "number" && (cfg[k] as number) > range.max)
      throw new CofferError("CONFIG", `${file}: "${k}" must be at most ${range.max} (${range.unit})`, { field: k });
  }
  for (const k of [
    "providers",
    "naming",
    "branchMap",
    "audit",
    "accessControl",
    "mcp",
    "server",
    "exec",
    "approvals",
    "proxy",
  ]) {
    expect(k, "object", isPlainObject(cfg[k]));
  }
  expect("hooks", "array", Array.isArray(cfg.hooks));
  if (cfg.chainPolicy !== undefined && cfg.chainPolicy !== "fallthrough" && cfg.chainPolicy !== "strict") {
    throw new CofferError("CONFIG", `${file}: "chainPolicy" must be one of: fallthrough, strict`, {
      field: "chainPolicy",
    });
  }
  if (isPlainObject(cfg.naming)) {
    for (const k of Object.keys(cfg.naming)) {
      if (k !== "rule") throw new CofferError("CONFIG", `${file}: unknown key "naming.${k}"; valid keys are: rule`);
    }
    const rule = cfg.naming.rule;
    if (rule !== undefined && rule !== "default" && rule !== "env") {
      throw new CofferError("CONFIG", `${file}: "naming.rule" must be one of: default, env`, { field: "naming.rule" });
    }
  }
  if (isPlainObject(cfg.branchMap)) {
    for (const [k, v] of Object.entries(cfg.branchMap)) {
      if (typeof v !== "string") throw new CofferError("CONFIG", `${file}: "branchMap.${k}" must be an env name`);
      if (k.length > MAX_GLOB_LENGTH)
        throw new CofferError("CONFIG", `${file}: a branchMap key may have at most ${MAX_GLOB_LENGTH} characters`);
    }
  }
  if (isPlainObject(cfg.audit)) {
    for (const k of Object.keys(cfg.audit)) {
      if (!["enabled", "retentionDays", "readBatching"].includes(k)) {
        throw new CofferError(
          "CONFIG",
          `${file}: unknown key "audit.${k}"; valid keys are: enabled, retentionDays, readBatching`,
        );
      }
    }
  }
  parseProxyConfig(cfg.proxy, file);
  if (isPlainObject(cfg.providers)) {
    for (const [key, entry] of Object.entries(cfg.providers)) {
      if (entry === null) continue;
      if (!isPlainObject(entry)) throw new CofferError("CONFIG", `${file}: "providers.${key}" must be a mapping`);
      const kind = providerKindOf(key, entry);
      if (!(PROVIDER_KINDS as readonly string[]).includes(kind)) {
        throw new CofferError(
          "CONFIG",
          `${file}: unknown provider kind "${kind}"; valid kinds are: ${PROVIDER_KINDS.join(", ")}`,
          { field: `providers.${key}` },
        );
      }
      if (entry.priority !== undefined && (typeof entry.priority !== "number" || !Number.isFinite(entry.priority))) {
        throw new CofferError("CONFIG", `${file}: "providers.${key}.priority" must be a number`);
      }
    }
  }
  return cfg as Partial<CofferConfig>;
}

function readConfigFile(file: string, env: NodeJS.ProcessEnv): Partial<CofferConfig> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new CofferError("CONFIG", `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    const line = (err as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new CofferError("CONFIG", `${file}${line ? `:${line}` : ""}: invalid YAML`);
  }
  return validateConfigFile(interpolate(raw, env, file, ""), file);
}

function mergeProviders(
  base: Record<string, Record<string, unknown>>,
  over: Record<string, unknown> | undefined,
): Record<string, Record<string, unknown>> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over ?? {})) {
    if (v === null) {
      out[k] = { ...(out[k] ?? {}), enabled: false };
      continue;
    }
    out[k] = { ...(out[k] ?? {}), ...(v as Record<string, unknown>) };
  }
  return out;
}

/** Defaults applied before any file. */
export function defaultConfig(): CofferConfig {
  return {
    defaultProvider: "local",
    providers: { local: {}, env: {} },
    naming: { rule: "default" },
    branchMap: {},
    historyLimit: 10,
    recoveryWindowDays: 7,
    rotationGraceDays: 30,
    chainPolicy: "fallthrough",
    audit: { enabled: true },
  };
}

/** Merge partial configs over a base (later wins; providers and maps merge per key). */
export function mergeConfig(base: CofferConfig, ...layers: Array<Partial<CofferConfig>>): CofferConfig {
  let out: CofferConfig = { ...base };
  for (const layer of layers) {
    out = {
      ...out,
      ...layer,
      providers: mergeProviders(out.providers as Record<string, Record<string, unknown>>, layer.providers),
      naming: { ...out.naming, ...(layer.naming ?? {}) },
      branchMap: { ...out.branchMap, ...(layer.branchMap ?? {}) },
      audit: { ...out.audit, ...(layer.audit ?? {}) },
    };
  }
  return out;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Directory the front end runs in. @default process.cwd() */
  cwd?: string;
  /** Environment. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Coffer home. @default COFFER_HOME or the platform data dir */
  home?: string;
  /** Overrides applied last (tests, flags). */
  overrides?: Partial<CofferConfig>;
}

/**
 * Load `config.yaml` from the Coffer home and `coffer.yaml` from the project (found by walking
 * up from cwd), merge them (project over user), apply env overrides (`COFFER_PROVIDER`).
 * @throws CofferError CONFIG on unreadable files, invalid YAML, unknown keys or provider kinds
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = options.home ? resolve(options.home) : defaultCofferHome(env);
  const files: string[] = [];
  const userFile = join(home, USER_CONFIG_FILE);
  let userConfig: Partial<CofferConfig> = {};
  if (existsSync(userFile) && statSync(userFile).isFile()) {
    userConfig = readConfigFile(userFile, env);
    files.push(userFile);
  }
  const { root, configFile } = findProjectRoot(cwd);
  let projectConfig: Partial<CofferConfig> = {};
  if (configFile) {
    projectConfig = readConfigFile(configFile, env);
    files.push(configFile);
  }
  const envLayer: Partial<CofferConfig> = {};
  if (env.COFFER_PROVIDER) envLayer.defaultProvider = env.COFFER_PROVIDER;
  if (env.COFFER_PLUGIN_ID) envLayer.pluginId = env.COFFER_PLUGIN_ID;
  const config = mergeConfig(defaultConfig(), userConfig, projectConfig, envLayer, options.overrides ?? {});
  const enabled = Object.entries(config.providers).filter(([, p]) => p.enabled !== false);
  if (!enabled.some(([name]) => name === config.defaultProvider)) {
    throw new CofferError(
      "CONFIG",
      `default provider "${config.defaultProvider}" is not configured; configured providers are: ${enabled.map(([n]) => n).join(", ") || "(none)"}`,
      { field: "defaultProvider" },
    );
  }
  return { config, home, projectRoot: root, files, userConfig, projectConfig };
}

/** Provider kinds present in a config, with their instance names, priorities and options. */
export function configuredProviders(
  config: CofferConfig,
): Array<{ name: string; kind: ProviderKind; priority: number; options: Record<string, unknown> }> {
  const out: Array<{ name: string; kind: ProviderKind; priority: number; options: Record<string, unknown> }> = [];
  for (const [name, entry] of Object.entries(config.providers)) {
    if (!entry || entry.enabled === false) continue;
    const { priority, enabled: _e, kind: _k, ...options } = entry as Record<string, unknown>;
    const kind = providerKindOf(name, entry as Record<string, unknown>) as ProviderKind;
    out.push({ name, kind, priority: typeof priority === "number" ? priority : defaultPriority(kind), options });
  }
  return out;
}

function defaultPriority(kind: ProviderKind): number {
  return DEFAULT_PRIORITIES[kind];
}
