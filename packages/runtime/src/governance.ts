import { isAbsolute, resolve } from "node:path";
import {
  type Accessor,
  type Approvals,
  type AuditLog,
  applyRetentionDaily,
  approvals as approvalStore,
  type Coffer,
  CofferError,
  createPolicyEngine,
  type DailyRetentionOutcome,
  type DocumentStore,
  type GovernedHookSource,
  type GovernedPolicyEngine,
  governedHookSource,
  type Hook,
  type HookDefinition,
  type HookRegistry,
  hookRegistry,
  isCofferError,
  type LoadedConfig,
  MAX_RETENTION_DAYS,
  mergeApprovalsConfigs,
  type PolicyLayerInput,
  policyLayersOf,
  USER_CONFIG_FILE,
  validateApprovalsConfig,
  validateHookDefinitions,
} from "@coffer/core";

/** The accessor that reads `${secret:NAME}` webhook signing secrets (audited as reveals). */
export const HOOK_SECRET_ACCESSOR: Accessor = Object.freeze({
  id: "coffer-hooks",
  kind: "user",
  frontEnd: "library",
}) as Accessor;

/** Governance settings read from the config layers, validated. */
export interface GovernanceConfig {
  /** Hooks of the user config then the project config, `cwd` anchored to the Coffer home / project root. */
  hooks: HookDefinition[];
  /** Effective `audit.retentionDays` (the user config's; a project may only lengthen it). */
  retentionDays?: number;
}

function retentionOf(value: unknown, file: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_RETENTION_DAYS) {
    throw new CofferError(
      "CONFIG",
      `${file}: audit.retentionDays must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}`,
      { field: "audit.retentionDays" },
    );
  }
  return value;
}

function anchor(defs: HookDefinition[], base: string): HookDefinition[] {
  return defs.map((d) =>
    d.type === "shell"
      ? { ...d, cwd: d.cwd === undefined ? base : isAbsolute(d.cwd) ? d.cwd : resolve(base, d.cwd) }
      : d,
  );
}

/**
 * Read and validate every governance section of the config layers: `accessControl`, `exec`,
 * `mcp.exec`, `approvals`, `hooks` and `audit.retentionDays`. Front ends call it (through
 * `openCoffer`) before opening any store, so a bad config fails fast and changes nothing.
 * @throws CofferError CONFIG naming the file and field
 */
export function readGovernanceConfig(loaded: LoadedConfig): GovernanceConfig {
  const layers = policyLayersOf(loaded);
  createPolicyEngine({ layers }); // validates accessControl, exec, mcp.exec, approvals
  const userFile = layers[0]!.file ?? USER_CONFIG_FILE;
  const projectFile = layers[1]!.file ?? "coffer.yaml";
  const userHooks = anchor(validateHookDefinitions(loaded.userConfig.hooks, userFile), loaded.home);
  const projectHooks = anchor(validateHookDefinitions(loaded.projectConfig.hooks, projectFile), loaded.projectRoot);
  for (const h of projectHooks) {
    if (userHooks.some((u) => u.id === h.id)) {
      throw new CofferError(
        "CONFIG",
        `${projectFile}: hook id "${h.id}" is also used in ${userFile}; hook ids must be unique`,
        { field: "hooks" },
      );
    }
  }
  const userDays = retentionOf(loaded.userConfig.audit?.retentionDays, userFile);
  const projectDays = retentionOf(loaded.projectConfig.audit?.retentionDays, projectFile);
  const retentionDays = userDays === undefined ? undefined : Math.max(userDays, projectDays ?? 0);
  return { hooks: [...userHooks, ...projectHooks], ...(retentionDays !== undefined ? { retentionDays } : {}) };
}

/** Options of {@link buildGovernance}. */
export interface GovernanceOptions {
  /** The loaded configuration. */
  loaded: LoadedConfig;
  /** Its validated governance sections. @default readGovernanceConfig(loaded) */
  governanceConfig?: GovernanceConfig;
  /** Service documents (approvals, hook registry, retention bookkeeping); absent without the local store. */
  documents?: DocumentStore;
  /** Audit log for approvals, hook changes and retention; absent when auditing is off. */
  audit?: AuditLog;
  /** Hooks given in code (library use), run before configured ones. */
  hooks?: Hook[];
  /**
   * Commands allowed by a command-line flag (`coffer-mcp --exec-allow`): one more exec layer,
   * which narrows like the config layers (every layer that sets a list must allow the command).
   */
  execAllow?: string[];
  /** Environment passed to shell hooks (Coffer credentials removed). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Clock. @default real time */
  clock?: () => Date;
}

/** The governance layer of one opened service. */
export interface Governance {
  /** The configured policy engine (token scopes, exec lists, access control, approvals). */
  policy: GovernedPolicyEngine;
  /** Hooks in force: code hooks, config hooks, then the run-time registry. */
  hookSource: GovernedHookSource;
  /** Human approvals (needs the local store's documents). */
  approvals?: Approvals;
  /** Run-time hook registry (needs the local store's documents). */
  hookRegistry?: HookRegistry;
  /** Lets webhooks resolve `${secret:NAME}` signing secrets through the opened service. */
  bind(coffer: Coffer): void;
  /** Apply `audit.retentionDays`, at most once a day across processes. Failures become process warnings. */
  applyRetention(): Promise<DailyRetentionOutcome | undefined>;
}

/**
 * Build the governance layer from the config layers: the policy engine (over the user and the
 * project config, each evaluated on its own), the hook source and registry, approvals, and
 * retention. `openCoffer` passes the policy and hook source to `createCoffer`.
 * @throws CofferError CONFIG for invalid governance settings
 */
export function buildGovernance(options: GovernanceOptions): Governance {
  const { loaded, documents } = options;
  const clock = options.clock ?? (() => new Date());
  const config = options.governanceConfig ?? readGovernanceConfig(loaded);
  const layers: PolicyLayerInput[] = [
    ...policyLayersOf(loaded),
    ...(options.execAllow
      ? [{ source: "flag", file: "--exec-allow", config: { exec: { allow: options.execAllow } } }]
      : []),
  ];
  const approvalsConfig = mergeApprovalsConfigs(
    layers.map((l) => validateApprovalsConfig(l.config.approvals, l.file ?? l.source)),
  );
  let bound: Coffer | undefined;
  const context = {
    baseDir: loaded.projectRoot,
    env: options.env ?? process.env,
    now: () => clock().getTime(),
    resolveSecret: async (name: string) => {
      if (!bound)
        throw new CofferError("UNAVAILABLE", "webhook signing secrets are not available before the service is open");
      const result = await bound
        .withAccessor(HOOK_SECRET_ACCESSOR)
        .get(name, { reveal: true, purpose: "sign webhook deliveries" });
      return result.value ?? "";
    },
  };
  // The store asks the engine whether an approver may approve; the engine asks the store for grants.
  const approverPolicy = { check: (request: Parameters<GovernedPolicyEngine["check"]>[0]) => policy.check(request) };
  const approvals = documents
    ? approvalStore(documents, {
        config: approvalsConfig,
        clock,
        policy: approverPolicy,
        ...(options.audit ? { audit: options.audit } : {}),
      })
    : undefined;
  const policy: GovernedPolicyEngine = createPolicyEngine({ layers, ...(approvals ? { approvals } : {}) });
  const hookSource = governedHookSource({
    hooks: options.hooks ?? [],
    configHooks: config.hooks,
    ...(documents ? { documents } : {}),
    context,
  });
  const registry = documents
    ? hookRegistry(documents, {
        configHooks: config.hooks,
        context,
        policy,
        clock,
        ...(options.audit ? { audit: options.audit } : {}),
      })
    : undefined;
  const wrappedRegistry: HookRegistry | undefined = registry && {
    ...registry,
    add: async (definition, opts) => {
      const out = await registry.add(definition, opts);
      hookSource.invalidate();
      return out;
    },
    remove: async (id, opts) => {
      await registry.remove(id, opts);
      hookSource.invalidate();
    },
  };
  return {
    policy,
    hookSource,
    ...(approvals ? { approvals } : {}),
    ...(wrappedRegistry ? { hookRegistry: wrappedRegistry } : {}),
    bind(coffer: Coffer) {
      bound = coffer;
    },
    async applyRetention() {
      if (config.retentionDays === undefined || !options.audit || !documents) return undefined;
      try {
        return await applyRetentionDaily({
          auditLog: options.audit,
          documents,
          days: config.retentionDays,
          now: clock(),
        });
      } catch (err) {
        process.emitWarning(
          `coffer: audit retention did not run (${isCofferError(err) ? err.code : "error"}); it is retried on the next start`,
        );
        return undefined;
      }
    },
  };
}
