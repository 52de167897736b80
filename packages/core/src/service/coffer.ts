import type { Accessor, AuditQuery } from "../audit/types.js";
import { FallbackChain } from "../chain/fallback-chain.js";
import { findProjectRoot } from "../config/load.js";
import { CofferError } from "../errors/index.js";
import { ALLOW_ALL_POLICY } from "../policy/policy.js";
import type { Provider } from "../provider/provider.js";
import type { ServiceBackedProvider } from "../store/document-store.js";
import { AuditRecorder } from "./audit-recorder.js";
import { currentOsUser, OperationContext, osAccessor, type ServiceState } from "./context.js";
import { EntanglementRegistry } from "./entanglement.js";
import { staticHooks } from "./hook-runner.js";
import { deleteSecret, purgeSecret, restoreSecret } from "./operations/delete-secret.js";
import { disentangleSecrets, entangleSecrets } from "./operations/entangle-secrets.js";
import { healthReport, scanSecrets } from "./operations/health-scan.js";
import { exportSecrets, importSecrets } from "./operations/import-export.js";
import { resolveForInjection } from "./operations/inject-secrets.js";
import { listSecrets } from "./operations/list-secrets.js";
import { queryAudit, summarizeAudit, verifyAudit } from "./operations/query-audit.js";
import { getSecret, hasSecret, inspectSecret, secretHistory } from "./operations/read-secret.js";
import { generateValue, rollbackSecret, rotateSecret, setSecret } from "./operations/write-secret.js";
import type { CofferOptions } from "./options.js";
import type {
  Coffer,
  DeleteOptions,
  ExportOptions,
  GenerateOptions,
  GetOptions,
  ImportOptions,
  InjectionOptions,
  ListOptions,
  RotateOptions,
  ScanOptions,
  ScopeInput,
  SetOptions,
} from "./types.js";

export { osAccessor };

function isServiceBacked(p: Provider): p is Provider & ServiceBackedProvider {
  return (
    typeof (p as Partial<ServiceBackedProvider>).auditLog === "object" &&
    (p as Partial<ServiceBackedProvider>).auditLog !== null
  );
}

/**
 * Build the service every front end uses, over a chain of providers.
 *
 * @example
 * const coffer = createCoffer({ providers: [local(), env()] });
 * await coffer.set("STRIPE_SECRET_KEY", "sk_live_...");
 * const { value } = await coffer.get("STRIPE_SECRET_KEY", { reveal: true });
 * @throws CofferError CONFIG when the options or their providers are missing, or names clash
 */
export function createCoffer(options: CofferOptions): Coffer {
  if (options === null || typeof options !== "object" || !Array.isArray(options.providers)) {
    throw new CofferError(
      "CONFIG",
      "createCoffer needs options with a list of providers, for example createCoffer({ providers: [local(), env()] })",
      { field: "providers" },
    );
  }
  if (options.providers.length === 0) {
    throw new CofferError("CONFIG", "createCoffer needs at least one provider", { field: "providers" });
  }
  const entries = options.providers.map((p, i) =>
    "provider" in p ? p : { provider: p, priority: (options.providers.length - i) * 10 },
  );
  const chain = new FallbackChain(entries, {
    policy: options.chainPolicy ?? "fallthrough",
    lastKnownGood: options.lastKnownGood,
    offline: options.offline,
    clock: options.clock,
  });
  const defaultProvider = options.defaultProvider
    ? chain.provider(options.defaultProvider)
    : (chain.entries.find((e) => e.provider.capabilities.write)?.provider ?? chain.entries[0]!.provider);
  const backed = chain.entries.map((e) => e.provider).find(isServiceBacked);
  const cwd = options.cwd ?? process.cwd();
  const documents = options.documents ?? backed?.documents;
  const clock = options.clock ?? (() => new Date());
  const state: ServiceState = {
    chain,
    defaultProvider,
    naming: options.naming ?? "default",
    scopeDefaults: {
      cwd,
      teamId: options.teamId,
      orgId: options.orgId,
      user: currentOsUser(),
      ...(options.pluginId ? { pluginId: options.pluginId } : {}),
    },
    projectRoot: options.projectRoot ?? findProjectRoot(cwd).root,
    env: options.env ?? process.env,
    projectEnv: options.projectEnv,
    branchMap: options.branchMap ?? {},
    recoveryWindowDays: options.recoveryWindowDays ?? 7,
    rotationGraceDays: options.rotationGraceDays ?? 30,
    recorder: new AuditRecorder(
      options.audit === false ? undefined : (options.audit ?? backed?.auditLog),
      options.audit === false || options.audit ? undefined : backed,
      clock,
    ),
    documents,
    hooks:
      Array.isArray(options.hooks) || options.hooks === undefined ? staticHooks(options.hooks ?? []) : options.hooks,
    policy: options.policy ?? ALLOW_ALL_POLICY,
    clock,
    links: new EntanglementRegistry(documents),
  };
  return new CofferService(new OperationContext(state, options.accessor ?? osAccessor()));
}

/**
 * One accessor's view of the service: a façade over the operation modules in `operations/`,
 * which share one {@link OperationContext} (state, accessor, access guard, audit, hooks).
 */
class CofferService implements Coffer {
  constructor(private readonly ctx: OperationContext) {}

  get accessor(): Accessor {
    return this.ctx.accessor;
  }

  withAccessor(accessor: Accessor): Coffer {
    return new CofferService(new OperationContext(this.ctx.state, accessor));
  }

  providers() {
    const { chain, defaultProvider } = this.ctx.state;
    return chain.entries.map((e) => ({
      name: e.provider.name,
      kind: e.provider.kind,
      priority: e.priority,
      isDefault: e.provider === defaultProvider,
    }));
  }

  get(name: string, options?: GetOptions) {
    return getSecret(this.ctx, name, options);
  }

  has(name: string, options?: GetOptions) {
    return hasSecret(this.ctx, name, options);
  }

  inspect(name: string, options?: ScopeInput & { provider?: string; env?: string }) {
    return inspectSecret(this.ctx, name, options);
  }

  list(options?: ListOptions) {
    return listSecrets(this.ctx, options);
  }

  history(name: string, options?: ScopeInput & { env?: string; provider?: string }) {
    return secretHistory(this.ctx, name, options);
  }

  detectEnvironment(explicit?: string) {
    return this.ctx.resolveEnv(explicit);
  }

  set(name: string, value: string, options?: SetOptions) {
    return setSecret(this.ctx, name, value, options);
  }

  rotate(name: string, options?: RotateOptions) {
    return rotateSecret(this.ctx, name, options);
  }

  rollback(name: string, to: number, options?: ScopeInput & { env?: string; provider?: string }) {
    return rollbackSecret(this.ctx, name, to, options);
  }

  generate(options?: GenerateOptions) {
    return generateValue(this.ctx, options);
  }

  delete(name: string, options?: DeleteOptions) {
    return deleteSecret(this.ctx, name, options);
  }

  restore(name: string, options?: ScopeInput & { provider?: string }) {
    return restoreSecret(this.ctx, name, options);
  }

  purge(name: string, options?: ScopeInput & { provider?: string }) {
    return purgeSecret(this.ctx, name, options);
  }

  import(text: string, options?: ImportOptions) {
    return importSecrets(this.ctx, text, options);
  }

  export(options?: ExportOptions) {
    return exportSecrets(this.ctx, options);
  }

  resolveForInjection(options?: InjectionOptions) {
    return resolveForInjection(this.ctx, options);
  }

  entangle(a: string, b: string, options?: { a?: ScopeInput; b?: ScopeInput }) {
    return entangleSecrets(this.ctx, a, b, options);
  }

  disentangle(a: string, b: string, options?: { a?: ScopeInput; b?: ScopeInput }) {
    return disentangleSecrets(this.ctx, a, b, options);
  }

  health() {
    return healthReport(this.ctx);
  }

  scan(options?: ScanOptions) {
    return scanSecrets(this.ctx, options);
  }

  audit(query?: AuditQuery) {
    return queryAudit(this.ctx, query);
  }

  auditSummary(query?: AuditQuery) {
    return summarizeAudit(this.ctx, query);
  }

  verifyAudit() {
    return verifyAudit(this.ctx);
  }

  async dispose(): Promise<void> {
    await this.ctx.state.recorder.settle();
    await this.ctx.state.chain.dispose();
  }
}
