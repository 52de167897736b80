import type { NamingRule } from "../names/secret-name.js";

/** Provider kinds Coffer knows how to build from config. */
export const PROVIDER_KINDS = ["local", "env", "aws-secrets-manager", "azure-keyvault", "postgres"] as const;
/** One provider kind. */
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** Default read priority of each provider kind (higher is read first). */
export const DEFAULT_PRIORITIES: Record<ProviderKind, number> = {
  "azure-keyvault": 100,
  "aws-secrets-manager": 90,
  postgres: 70,
  local: 50,
  env: 10,
};

/** Config of one provider: `priority` plus the provider's own options. */
export interface ProviderConfig {
  /** Read priority, higher first. */
  priority?: number;
  /** Set false to leave a provider out of the chain. @default true */
  enabled?: boolean;
  /** Provider options (validated by the provider factory). */
  [option: string]: unknown;
}

/** The merged configuration (user `config.yaml` + project `coffer.yaml` + env overrides). */
export interface CofferConfig {
  /** Provider writes go to. @default "local" */
  defaultProvider: string;
  /** Providers by kind. `local` and `env` are present unless disabled. */
  providers: Record<string, ProviderConfig>;
  /** Naming rules. */
  naming: { rule: NamingRule };
  /** Default env of this project. */
  env?: string;
  /** Git branch -> env map (globs allowed: `release/*`). */
  branchMap: Record<string, string>;
  /** Default team id for team scope and the read cascade. */
  teamId?: string;
  /** Default org id for org scope and the read cascade. */
  orgId?: string;
  /** Plugin id for plugin scope and the read cascade (`COFFER_PLUGIN_ID` overrides). */
  pluginId?: string;
  /** Versions kept per secret. @default 10 */
  historyLimit: number;
  /** Days a deleted secret stays recoverable. @default 7 */
  recoveryWindowDays: number;
  /** Days a rotated-out version stays readable. @default 30 */
  rotationGraceDays: number;
  /** Chain read policy: `fallthrough` skips failing providers, `strict` fails on any failure. @default "fallthrough" */
  chainPolicy: "fallthrough" | "strict";
  /** Audit settings. */
  audit: { enabled: boolean; retentionDays?: number; readBatching?: boolean };
  /** Access control (see docs/governance.md). */
  accessControl?: Record<string, unknown>;
  /** Hooks (see docs/governance.md). */
  hooks?: unknown[];
  /** MCP server settings (tool selection, exec allowlist). */
  mcp?: Record<string, unknown>;
  /** REST server settings. */
  server?: Record<string, unknown>;
  /** Exec/run settings (command allowlist). */
  exec?: Record<string, unknown>;
  /** Approvals settings. */
  approvals?: Record<string, unknown>;
  /** Credential proxy settings (`proxy.routes`, validated by `parseProxyConfig`). */
  proxy?: Record<string, unknown>;
}

/** Top-level keys accepted in config files. */
export const CONFIG_KEYS = [
  "defaultProvider",
  "providers",
  "naming",
  "env",
  "branchMap",
  "teamId",
  "orgId",
  "pluginId",
  "historyLimit",
  "recoveryWindowDays",
  "rotationGraceDays",
  "chainPolicy",
  "audit",
  "accessControl",
  "hooks",
  "mcp",
  "server",
  "exec",
  "approvals",
  "proxy",
] as const;

/** A loaded configuration and where it came from. */
export interface LoadedConfig {
  /** Merged config. */
  config: CofferConfig;
  /** Coffer home directory (store, key file, user config). */
  home: string;
  /** Project root: directory of the nearest `coffer.yaml`, else the git root, else cwd. */
  projectRoot: string;
  /** Files read, in merge order. */
  files: string[];
  /** Parsed user config (before merging), for policy narrowing rules. */
  userConfig: Partial<CofferConfig>;
  /** Parsed project config (before merging). */
  projectConfig: Partial<CofferConfig>;
}
