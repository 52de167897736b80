import {
  type Accessor,
  type Coffer,
  type DocumentStore,
  type Hook,
  type LoadedConfig,
  type PolicyEngine,
  type Provider,
  CofferError,
  configuredProviders,
  createCoffer,
  loadConfig,
  osAccessor,
} from "@coffer/core";
import { type LocalProvider, local } from "@coffer/provider-local";
import { env as envProvider } from "@coffer/provider-env";

/** Options of {@link openCoffer}. */
export interface OpenCofferOptions {
  /** Who is calling. */
  accessor: Accessor;
  /** Directory the front end runs in (config lookup, project scope). @default process.cwd() */
  cwd?: string;
  /** Environment. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Override the default provider (for example a `--provider` flag). */
  provider?: string;
  /** Hooks to register besides the configured ones (library use). */
  hooks?: Hook[];
  /** Policy engine. @default allow all (the governance layer supplies the configured one) */
  policy?: PolicyEngine;
  /** Clock (tests). */
  clock?: () => Date;
}

/** An opened service with what front ends need around it. */
export interface OpenedCoffer {
  /** The service. */
  coffer: Coffer;
  /** The loaded configuration. */
  loaded: LoadedConfig;
  /** The local store, when configured (tokens, key rotation, doctor). */
  local?: LocalProvider;
  /** Service documents (API tokens, approvals, hooks), when the local store is configured. */
  documents?: DocumentStore;
}

/**
 * Build the one shared chain from config (user `config.yaml`, project `coffer.yaml`, env
 * overrides) and open the service over it. Cloud provider packages are imported only when
 * configured, and their SDKs only on first use.
 * @throws CofferError CONFIG for invalid configuration
 */
export async function openCoffer(options: OpenCofferOptions): Promise<OpenedCoffer> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const loaded = loadConfig({ cwd, env });
  const { config } = loaded;
  const providers: Array<{ provider: Provider; priority: number }> = [];
  let localStore: LocalProvider | undefined;
  for (const entry of configuredProviders(config)) {
    const provider = await buildProvider(entry.kind, entry.name, entry.options, loaded, env, options.clock);
    if (entry.kind === "local" && !localStore) localStore = provider as LocalProvider;
    providers.push({ provider, priority: entry.priority });
  }
  const defaultProvider = options.provider ?? config.defaultProvider;
  if (!providers.some((p) => p.provider.name === defaultProvider)) {
    throw new CofferError("CONFIG", `provider "${defaultProvider}" is not configured; configured providers are: ${providers.map((p) => p.provider.name).join(", ")}`, { field: "provider" });
  }
  const coffer = createCoffer({
    providers,
    defaultProvider,
    accessor: options.accessor,
    cwd,
    projectRoot: loaded.projectRoot,
    env,
    naming: config.naming.rule,
    projectEnv: config.env,
    branchMap: config.branchMap,
    teamId: config.teamId,
    orgId: config.orgId,
    recoveryWindowDays: config.recoveryWindowDays,
    rotationGraceDays: config.rotationGraceDays,
    chainPolicy: config.chainPolicy,
    ...(config.audit.enabled === false ? { audit: false as const } : {}),
    hooks: options.hooks,
    policy: options.policy,
    clock: options.clock,
  });
  return { coffer, loaded, ...(localStore ? { local: localStore, documents: localStore.documents } : {}) };
}

async function buildProvider(
  kind: string,
  name: string,
  opts: Record<string, unknown>,
  loaded: LoadedConfig,
  env: NodeJS.ProcessEnv,
  clock?: () => Date,
): Promise<Provider> {
  switch (kind) {
    case "local":
      return local({
        historyLimit: loaded.config.historyLimit,
        recoveryWindowDays: loaded.config.recoveryWindowDays,
        ...opts,
        name,
        home: loaded.home,
        ...(env.COFFER_MASTER_KEY && opts.masterKey === undefined ? { masterKey: env.COFFER_MASTER_KEY } : {}),
        ...(clock ? { clock } : {}),
      } as Parameters<typeof local>[0]);
    case "env":
      return envProvider({ ...opts, name, source: env } as Parameters<typeof envProvider>[0]);
    case "aws-secrets-manager": {
      const { awsSecretsManager } = await import("@coffer/provider-aws");
      return awsSecretsManager({ ...opts, name } as Parameters<typeof awsSecretsManager>[0]);
    }
    case "azure-keyvault": {
      const { azureKeyVault } = await import("@coffer/provider-azure");
      return azureKeyVault({ ...opts, name } as Parameters<typeof azureKeyVault>[0]);
    }
    default:
      throw new CofferError("CONFIG", `unknown provider kind "${kind}"`);
  }
}

/** The accessor of a front end run by the OS user: the user name plus the front end. */
export function defaultAccessor(frontEnd: "cli" | "mcp" | "rest" | "library"): Accessor {
  return osAccessor(frontEnd);
}
