import { isAbsolute, resolve } from "node:path";
import {
  type Accessor,
  type Approvals,
  type Coffer,
  CofferError,
  configuredProviders,
  createCoffer,
  type DocumentStore,
  type Hook,
  type HookRegistry,
  type LoadedConfig,
  loadConfig,
  osAccessor,
  type PolicyEngine,
  type Provider,
  type ServiceBackedProvider,
} from "@coffer/core";
import { env as envProvider } from "@coffer/provider-env";
import { type LocalProvider, local } from "@coffer/provider-local";
import { buildGovernance, readGovernanceConfig } from "./governance.js";
import { localLastKnownGood, takeMaxStaleSeconds } from "./last-known-good.js";

/** True when a provider also keeps the service's documents and audit log. */
function isServiceBacked(p: Provider | undefined): p is Provider & ServiceBackedProvider {
  const candidate = p as Partial<ServiceBackedProvider> | undefined;
  return typeof candidate?.documents === "object" && typeof candidate.auditLog === "object";
}

/**
 * Open a service store that connects to a database (so the audit fingerprint key is there for
 * the first write). A database that is down is not an error here: the front end starts, its
 * operations answer UNAVAILABLE, and the store opens on the first operation after it returns.
 */
async function warmUp(store: Provider & ServiceBackedProvider): Promise<void> {
  const open = (store as { open?: () => Promise<void> }).open;
  if (typeof open !== "function") return;
  try {
    await open.call(store);
  } catch (err) {
    if (!(err instanceof CofferError) || err.code !== "UNAVAILABLE") throw err;
  }
}

/** Provider kinds that talk to a remote service (their reads feed the last-known-good cache). */
const REMOTE_KINDS: ReadonlySet<string> = new Set(["aws-secrets-manager", "azure-keyvault"]);

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
  /** Commands a command-line flag allows to run with secrets (`coffer-mcp --exec-allow`); narrows like config. */
  execAllow?: string[];
  /** Policy engine. @default the configured one (accessControl, exec, approvals, token scopes) */
  policy?: PolicyEngine;
  /** Clock (tests). */
  clock?: () => Date;
  /**
   * Never call remote providers; answer for them only from the last-known-good cache in the
   * local store (`--offline`). @default false
   */
  offline?: boolean;
}

/** An opened service with what front ends need around it. */
export interface OpenedCoffer {
  /** The service. */
  coffer: Coffer;
  /** The loaded configuration. */
  loaded: LoadedConfig;
  /** The local store, when configured (tokens, key rotation, doctor). */
  local?: LocalProvider;
  /**
   * The provider keeping the service's documents and audit log (the local store, or a PostgreSQL
   * store above it), for readiness checks.
   */
  serviceStore?: Provider & ServiceBackedProvider;
  /** Service documents (API tokens, approvals, hooks), when the local store or a PostgreSQL store is configured. */
  documents?: DocumentStore;
  /** Human approvals (`coffer approvals list/approve/deny`), when the local store is configured. */
  approvals?: Approvals;
  /** Run-time hook registry (`coffer hooks add/list/remove/test`), when the local store is configured. */
  hooks?: HookRegistry;
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
  const governanceConfig = readGovernanceConfig(loaded);
  const providers: Array<{ provider: Provider; priority: number }> = [];
  let localStore: LocalProvider | undefined;
  const maxStaleSeconds: Record<string, number> = {};
  for (const entry of configuredProviders(config)) {
    let providerOptions = entry.options;
    if (REMOTE_KINDS.has(entry.kind)) {
      const taken = takeMaxStaleSeconds(entry.name, entry.options);
      providerOptions = taken.options;
      if (taken.maxStaleSeconds !== undefined) maxStaleSeconds[entry.name] = taken.maxStaleSeconds;
    } else if (entry.options.maxStaleSeconds !== undefined) {
      throw new CofferError(
        "CONFIG",
        `providers.${entry.name}.maxStaleSeconds applies to remote providers only (aws-secrets-manager, azure-keyvault)`,
        { field: `providers.${entry.name}.maxStaleSeconds` },
      );
    }
    const provider = await buildProvider(entry.kind, entry.name, providerOptions, loaded, env, options.clock).catch(
      (err: unknown) => {
        throw inConfigEntry(entry.name, err);
      },
    );
    if (entry.kind === "local" && !localStore) localStore = provider as LocalProvider;
    providers.push({ provider, priority: entry.priority });
  }
  const defaultProvider = options.provider ?? config.defaultProvider;
  if (!providers.some((p) => p.provider.name === defaultProvider)) {
    throw new CofferError(
      "CONFIG",
      `provider "${defaultProvider}" is not configured; configured providers are: ${providers.map((p) => p.provider.name).join(", ")}`,
      { field: "provider" },
    );
  }
  // The service's own state (tokens, approvals, hooks, audit) lives in the first provider by
  // priority that can keep it, as core's chain picks it: the local store, or a team store on
  // PostgreSQL (priority 70 > local's 50), shared by every replica.
  const serviceStore = [...providers]
    .sort((a, b) => b.priority - a.priority)
    .map((p) => p.provider)
    .find(isServiceBacked);
  if (serviceStore !== localStore && serviceStore) await warmUp(serviceStore);
  const documents = serviceStore?.documents;
  const auditLog = config.audit.enabled === false ? undefined : serviceStore?.auditLog;
  const governance = buildGovernance({
    loaded,
    governanceConfig,
    ...(documents ? { documents } : {}),
    ...(auditLog ? { audit: auditLog } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.execAllow ? { execAllow: options.execAllow } : {}),
    env,
    ...(options.clock ? { clock: options.clock } : {}),
  });
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
    ...(config.pluginId ? { pluginId: config.pluginId } : {}),
    recoveryWindowDays: config.recoveryWindowDays,
    rotationGraceDays: config.rotationGraceDays,
    chainPolicy: config.chainPolicy,
    // Remote reads are remembered, encrypted, in the local store and served when the remote is unreachable.
    ...(localStore ? { lastKnownGood: localLastKnownGood({ cache: localStore.cache, maxStaleSeconds }) } : {}),
    ...(options.offline ? { offline: true } : {}),
    ...(config.audit.enabled === false ? { audit: false as const } : {}),
    hooks: governance.hookSource,
    policy: options.policy ?? governance.policy,
    clock: options.clock,
  });
  governance.bind(coffer);
  await governance.applyRetention();
  return {
    coffer,
    loaded,
    ...(localStore ? { local: localStore } : {}),
    ...(serviceStore ? { serviceStore, documents: serviceStore.documents } : {}),
    ...(governance.approvals ? { approvals: governance.approvals } : {}),
    ...(governance.hookRegistry ? { hooks: governance.hookRegistry } : {}),
  };
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
    case "local": {
      // A relative store or key file path is relative to the project root (where coffer.yaml is).
      const paths: Record<string, string> = {};
      for (const field of ["storePath", "path", "keyFile"]) {
        const value = opts[field];
        if (typeof value === "string" && value !== "" && !isAbsolute(value))
          paths[field] = resolve(loaded.projectRoot, value);
      }
      return local({
        historyLimit: loaded.config.historyLimit,
        recoveryWindowDays: loaded.config.recoveryWindowDays,
        ...opts,
        ...paths,
        name,
        home: loaded.home,
        env,
        ...(opts.masterKey !== undefined
          ? { masterKeySource: `providers.${name}.masterKey in ${loaded.files.join(" or ") || "the config"}` }
          : {}),
        ...(clock ? { clock } : {}),
      } as Parameters<typeof local>[0]);
    }
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
    case "postgres": {
      const { postgres } = await import("@coffer/provider-postgres");
      return postgres({
        historyLimit: loaded.config.historyLimit,
        recoveryWindowDays: loaded.config.recoveryWindowDays,
        ...opts,
        name,
        env,
        ...(clock ? { clock } : {}),
      } as Parameters<typeof postgres>[0]);
    }
    default:
      throw new CofferError("CONFIG", `unknown provider kind "${kind}"`);
  }
}

/** A provider's CONFIG error, located in the config: `providers.<name>.<field>`. */
function inConfigEntry(name: string, err: unknown): unknown {
  if (!(err instanceof CofferError) || err.code !== "CONFIG") return err;
  const field = typeof err.details.field === "string" ? `providers.${name}.${err.details.field}` : `providers.${name}`;
  return new CofferError("CONFIG", `${field}: ${err.message}`, { ...err.details, field }, { cause: err });
}

/** The accessor of a front end run by the OS user: the user name plus the front end. */
export function defaultAccessor(frontEnd: "cli" | "mcp" | "rest" | "library"): Accessor {
  return osAccessor(frontEnd);
}
