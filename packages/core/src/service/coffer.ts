import { userInfo } from "node:os";
import type { Accessor, AuditAction, AuditEntryInput, AuditLog, AuditQuery } from "../audit/types.js";
import { asProviderError, FallbackChain } from "../chain/fallback-chain.js";
import { findProjectRoot } from "../config/load.js";
import { detectEnvironment } from "../environment/detect.js";
import { CofferError, isCofferError } from "../errors/index.js";
import { decayOf } from "../expiry/decay.js";
import { generateSecret } from "../generate/index.js";
import type { Hook, HookEvent, HookPayload, HookReport, HookSource } from "../hooks/hook.js";
import { parseImport } from "../import-formats/index.js";
import { type ScopeRef, scopeKey, scopeLabel } from "../model/scope.js";
import type { SecretAddress, SecretMetadata, SecretWrite, StoredSecret } from "../model/secret.js";
import { cachedGlob, matchesGlob } from "../names/name-glob.js";
import { mapToEnvVars, validateEnvName, validateSecretName } from "../names/secret-name.js";
import { ALLOW_ALL_POLICY, type PolicyAction, type PolicyEngine, type PolicyRequest } from "../policy/policy.js";
import type { Provider, SecretRef } from "../provider/provider.js";
import { maskValue } from "../redact/index.js";
import { readCascade, resolveScope, type ScopeDefaults } from "../scope/resolve.js";
import { scopeMatches } from "../scope/scope-filter.js";
import type { DocumentStore, ServiceBackedProvider } from "../store/document-store.js";
import { EntanglementRegistry } from "./entanglement.js";
import type { CofferOptions } from "./options.js";
import type {
  AuditSummary,
  Coffer,
  DeleteOptions,
  DeleteResult,
  DetectedEnvironment,
  ExportedSecret,
  ExportOptions,
  GenerateOptions,
  GenerateResult,
  GetOptions,
  HealthReport,
  ImportOptions,
  ImportReport,
  InjectionOptions,
  InjectionSet,
  Inspection,
  ListItem,
  ListOptions,
  ListResult,
  RotateOptions,
  RotateResult,
  ScanOptions,
  ScanReport,
  ScopeInput,
  SecretResult,
  SecretView,
  SetOptions,
  WriteResult,
} from "./types.js";
import { attributesOf, validateAttributes, validateValue } from "./validate.js";

const DAY = 86400;
/** Background (read) audit entries are committed at most this often... */
const AUDIT_FLUSH_MS = 20;
/** ...or as soon as this many are waiting. */
const AUDIT_BATCH_MAX = 512;
const WRITE_ONLY_PREVIEW = "(write-only)";

function osUser(): string {
  try {
    return userInfo().username || "unknown";
  } catch {
    return process.env.USER || process.env.USERNAME || "unknown";
  }
}

/** The accessor used when none is given: the OS user through the library. */
export function osAccessor(frontEnd: Accessor["frontEnd"] = "library"): Accessor {
  return { id: osUser(), kind: "user", frontEnd };
}

function isServiceBacked(p: Provider): p is Provider & ServiceBackedProvider {
  return (
    typeof (p as Partial<ServiceBackedProvider>).auditLog === "object" &&
    (p as Partial<ServiceBackedProvider>).auditLog !== null
  );
}

/** Shared state of every accessor view of one service. */
interface Core {
  chain: FallbackChain;
  defaultProvider: Provider;
  naming: "default" | "env";
  scopeDefaults: Omit<ScopeDefaults, "agentId">;
  projectRoot: string;
  env: NodeJS.ProcessEnv;
  projectEnv?: string;
  branchMap: Record<string, string>;
  recoveryWindowDays: number;
  rotationGraceDays: number;
  audit?: AuditLog;
  auditOwner?: Provider;
  documents?: DocumentStore;
  hooks: HookSource;
  policy: PolicyEngine;
  clock: () => Date;
  links: EntanglementRegistry;
  pendingAudit: AuditEntryInput[];
  flushScheduled: boolean;
  exitHookInstalled: boolean;
  flushing?: Promise<void>;
}

/**
 * Build the service every front end uses, over a chain of providers.
 *
 * @example
 * const coffer = createCoffer({ providers: [local(), env()] });
 * await coffer.set("STRIPE_SECRET_KEY", "sk_live_...");
 * const { value } = await coffer.get("STRIPE_SECRET_KEY", { reveal: true });
 * @throws CofferError CONFIG when no provider is given or names clash
 */
export function createCoffer(options: CofferOptions): Coffer {
  const entries = options.providers.map((p, i) =>
    "provider" in p ? p : { provider: p, priority: (options.providers.length - i) * 10 },
  );
  const chain = new FallbackChain(entries, {
    policy: options.chainPolicy ?? "fallthrough",
    lastKnownGood: options.lastKnownGood,
    offline: options.offline,
    clock: options.clock,
  });
  let defaultProvider: Provider | undefined;
  if (options.defaultProvider) defaultProvider = chain.provider(options.defaultProvider);
  else
    defaultProvider = chain.entries.find((e) => e.provider.capabilities.write)?.provider ?? chain.entries[0]!.provider;
  const backed = chain.entries.map((e) => e.provider).find(isServiceBacked);
  const cwd = options.cwd ?? process.cwd();
  const projectRoot = options.projectRoot ?? findProjectRoot(cwd).root;
  const documents = options.documents ?? backed?.documents;
  const core: Core = {
    chain,
    defaultProvider,
    naming: options.naming ?? "default",
    scopeDefaults: { cwd, teamId: options.teamId, orgId: options.orgId, user: osUser() },
    projectRoot,
    env: options.env ?? process.env,
    projectEnv: options.projectEnv,
    branchMap: options.branchMap ?? {},
    recoveryWindowDays: options.recoveryWindowDays ?? 7,
    rotationGraceDays: options.rotationGraceDays ?? 30,
    audit: options.audit === false ? undefined : (options.audit ?? backed?.auditLog),
    auditOwner: options.audit === false || options.audit ? undefined : backed,
    documents,
    hooks:
      Array.isArray(options.hooks) || options.hooks === undefined ? staticHooks(options.hooks ?? []) : options.hooks,
    policy: options.policy ?? ALLOW_ALL_POLICY,
    clock: options.clock ?? (() => new Date()),
    links: new EntanglementRegistry(documents),
    pendingAudit: [],
    flushScheduled: false,
    exitHookInstalled: false,
  };
  return new CofferService(core, options.accessor ?? osAccessor());
}

/** One accessor's view of the service. */
class CofferService implements Coffer {
  constructor(
    private readonly core: Core,
    readonly accessor: Accessor,
  ) {}

  withAccessor(accessor: Accessor): Coffer {
    return new CofferService(this.core, accessor);
  }

  providers() {
    return this.core.chain.entries.map((e) => ({
      name: e.provider.name,
      kind: e.provider.kind,
      priority: e.priority,
      isDefault: e.provider === this.core.defaultProvider,
    }));
  }

  // ---------------------------------------------------------------- helpers

  private now(): Date {
    return this.core.clock();
  }

  private name(name: unknown): string {
    return validateSecretName(name, this.core.naming);
  }

  private defaults(): ScopeDefaults {
    return { ...this.core.scopeDefaults, agentId: this.accessor.kind === "agent" ? this.accessor.id : undefined };
  }

  private writeScope(input: ScopeInput): ScopeRef {
    return resolveScope(input, this.defaults());
  }

  private cascade(input: ScopeInput): ScopeRef[] {
    return readCascade(input, this.defaults());
  }

  private entry(partial: Omit<AuditEntryInput, "time" | "accessor" | "frontEnd">): AuditEntryInput {
    return { time: this.now().toISOString(), accessor: this.accessor.id, frontEnd: this.accessor.frontEnd, ...partial };
  }

  /** Record an entry now; throws when it cannot be recorded (callers fail closed). */
  private async record(partial: Omit<AuditEntryInput, "time" | "accessor" | "frontEnd">): Promise<void> {
    if (!this.core.audit) return;
    await this.core.audit.append(this.entry(partial));
  }

  /**
   * Record a read-type entry now (the caller waits: it fails closed), committed but not flushed
   * to disk before returning, like the batched read entries: it survives a crash of the process,
   * not a power loss. Throws when it cannot be recorded.
   */
  private async recordRead(partial: Omit<AuditEntryInput, "time" | "accessor" | "frontEnd">): Promise<void> {
    const log = this.core.audit;
    if (!log) return;
    const entry = this.entry(partial);
    if (log.appendMany) await log.appendMany([entry], { durable: false });
    else await log.append(entry);
  }

  /** Record a read-type entry in the background, batched (reads are not writes: nothing to undo). */
  private recordLater(partial: Omit<AuditEntryInput, "time" | "accessor" | "frontEnd">): void {
    if (!this.core.audit) return;
    const core = this.core;
    core.pendingAudit.push(this.entry(partial));
    if (core.pendingAudit.length >= AUDIT_BATCH_MAX) {
      core.flushing = this.flushAudit();
    } else if (!core.flushScheduled) {
      // Batched: at most one commit per AUDIT_FLUSH_MS; the timer does not keep the process
      // alive, and a process that ends without dispose() still flushes on beforeExit.
      core.flushScheduled = true;
      setTimeout(() => {
        core.flushing = this.flushAudit();
      }, AUDIT_FLUSH_MS).unref();
      if (!core.exitHookInstalled) {
        core.exitHookInstalled = true;
        process.once("beforeExit", () => {
          if (core.pendingAudit.length > 0) core.flushing = this.flushAudit();
        });
      }
    }
  }

  private async flushAudit(): Promise<void> {
    const core = this.core;
    core.flushScheduled = false;
    const batch = coalesceReads(core.pendingAudit.splice(0));
    if (!core.audit || batch.length === 0) return;
    const log = core.audit;
    try {
      // Background entries are reads (nothing to undo): committed, not flushed to disk first.
      if (log.appendMany) await log.appendMany(batch, { durable: false });
      else for (const e of batch) await log.append(e);
    } catch (err) {
      process.emitWarning(
        `coffer: ${batch.length} read audit entries could not be recorded (${isCofferError(err) ? err.code : "error"})`,
      );
    }
  }

  /** Wait for a flush under way, then write what is still pending: the log is then complete. */
  private async settleAudit(): Promise<void> {
    if (this.core.flushing) await this.core.flushing;
    await this.flushAudit();
  }

  private async failure(action: AuditAction, err: unknown, extra: Partial<AuditEntryInput> = {}): Promise<never> {
    const e = err instanceof CofferError ? err : asProviderError(err, "service");
    try {
      await this.record({ action, success: false, errorCode: e.code, ...extra });
    } catch {
      // the original error matters more than a failed failure record
    }
    throw e;
  }

  /** Check policy; a denial is audited with the rule that decided. */
  private async authorize(
    action: PolicyAction,
    name: string | undefined,
    secret?: SecretMetadata,
    command?: string,
    purpose?: string,
    resource?: PolicyRequest["resource"],
  ): Promise<void> {
    if (secret && !this.agentAllowed(secret)) {
      await this.deny(
        action,
        name,
        secret,
        "secret:allowedAgentIds",
        `agent "${this.accessor.id}" is not in the secret's allowedAgentIds`,
      );
    }
    const decision = await this.core.policy.check({
      accessor: this.accessor,
      action,
      name,
      scope: secret?.scope ? scopeLabel(secret.scope) : undefined,
      tags: secret?.tags,
      secret,
      command,
      purpose,
      ...(resource ? { resource } : {}),
    });
    if (!decision.allowed) {
      await this.deny(
        action,
        name,
        secret,
        decision.rule,
        decision.reason ?? `${action} is not allowed`,
        decision.code,
        decision.details,
      );
    }
  }

  /** Whether an action on a secret is allowed, without recording anything (for silent filtering). */
  private async permits(
    action: PolicyAction,
    secret: SecretMetadata,
    command?: string,
    purpose?: string,
  ): Promise<boolean> {
    if (!this.agentAllowed(secret)) return false;
    const decision = await this.core.policy.check({
      accessor: this.accessor,
      action,
      name: secret.name,
      scope: scopeLabel(secret.scope),
      tags: secret.tags,
      secret,
      command,
      purpose,
    });
    return decision.allowed;
  }

  /** Whether this caller could reveal the value (users always; others per policy). */
  private async mayReveal(secret: SecretMetadata): Promise<boolean> {
    if (secret.writeOnly) return false;
    if (this.accessor.kind === "user") return true;
    return this.permits("reveal", secret);
  }

  /** False when the secret names allowed agents and this accessor is an agent not among them. */
  private agentAllowed(secret: Pick<SecretMetadata, "allowedAgentIds">): boolean {
    return !(
      this.accessor.kind === "agent" &&
      secret.allowedAgentIds &&
      secret.allowedAgentIds.length > 0 &&
      !secret.allowedAgentIds.includes(this.accessor.id)
    );
  }

  private async deny(
    action: PolicyAction,
    name: string | undefined,
    secret: SecretMetadata | undefined,
    rule: string,
    reason: string,
    code: "PERMISSION_DENIED" | "APPROVAL_REQUIRED" = "PERMISSION_DENIED",
    details: Record<string, unknown> = {},
  ): Promise<never> {
    await this.record({
      action: "policy-deny",
      name,
      scope: secret?.scope ? scopeLabel(secret.scope) : undefined,
      provider: secret?.provider,
      success: false,
      errorCode: code,
      details: { rule, requested: action, ...details },
    });
    const message =
      code === "APPROVAL_REQUIRED"
        ? `${action} of ${name ? `secret "${name}"` : "secrets"} needs approval: ${reason}`
        : `${action} of ${name ? `secret "${name}"` : "secrets"} denied: ${reason}`;
    throw new CofferError(code, message, { name, rule, ...details });
  }

  private async runHooks(
    phase: "before" | "after",
    event: HookEvent,
    payload: Omit<HookPayload, "phase" | "event" | "accessor" | "frontEnd" | "time">,
  ): Promise<HookReport[]> {
    const all = await this.core.hooks.hooks();
    if (all.length === 0) return [];
    const hooks = all.filter((h) => h.phase === phase && hookMatches(h, event, payload));
    const reports: HookReport[] = [];
    for (const hook of hooks) {
      const full: HookPayload = {
        ...payload,
        event,
        phase,
        accessor: this.accessor.id,
        frontEnd: this.accessor.frontEnd,
        time: this.now().toISOString(),
      };
      try {
        const result = await hook.run(full);
        if (phase === "before" && result && typeof result === "object" && "veto" in result) {
          await this.record({
            action: "hook",
            name: payload.name,
            scope: payload.scope,
            success: false,
            errorCode: "PERMISSION_DENIED",
            details: { hook: hook.id, event, veto: true },
          });
          throw new CofferError("PERMISSION_DENIED", `hook ${hook.id} vetoed the ${event}: ${result.veto}`, {
            name: payload.name,
            rule: `hook:${hook.id}`,
          });
        }
        reports.push({ hook: hook.id, ok: true });
      } catch (err) {
        if (phase === "before") {
          if (isCofferError(err, "PERMISSION_DENIED")) throw err;
          throw new CofferError(
            "UNAVAILABLE",
            `before-hook ${hook.id} failed; the ${event} did not happen`,
            { rule: `hook:${hook.id}` },
            { cause: err },
          );
        }
        const message = isCofferError(err) ? err.message : "hook failed";
        reports.push({ hook: hook.id, ok: false, message });
        await this.record({
          action: "hook",
          name: payload.name,
          scope: payload.scope,
          success: false,
          errorCode: isCofferError(err) ? err.code : "UNAVAILABLE",
          details: { hook: hook.id, event },
        }).catch(() => undefined);
      }
    }
    return reports;
  }

  private view(meta: SecretMetadata, value?: string, now: Date = this.now()): SecretView {
    const masked = meta.writeOnly
      ? WRITE_ONLY_PREVIEW
      : value === undefined
        ? "********"
        : maskValue(meta.encoding === "base64" ? `base64:${value}` : value);
    return {
      ...attributesOf(meta),
      name: meta.name,
      scope: meta.scope,
      scopeLabel: scopeLabel(meta.scope),
      ...(meta.env !== undefined ? { env: meta.env } : {}),
      version: meta.version,
      encoding: meta.encoding,
      createdAt: meta.createdAt,
      updatedAt: meta.updatedAt,
      provider: meta.provider,
      decay: decayOf(meta, now),
      maskedValue: masked,
      ...(meta.deletedAt ? { deletedAt: meta.deletedAt, purgeAt: meta.purgeAt } : {}),
    };
  }

  private candidates(name: string, scopes: ScopeRef[], env: string | undefined): SecretAddress[] {
    const out: SecretAddress[] = [];
    for (const scope of scopes) {
      if (env !== undefined) out.push({ name, scope, env });
      out.push({ name, scope });
    }
    return out;
  }

  private async resolveEnv(explicit: string | undefined): Promise<DetectedEnvironment> {
    return detectEnvironment({
      explicit,
      processEnv: this.core.env,
      configEnv: this.core.projectEnv,
      branchMap: this.core.branchMap,
      projectRoot: this.core.projectRoot,
    });
  }

  /** Find where a secret lives (any state), for mutations. */
  private async locate(name: string, input: ScopeInput & { provider?: string; env?: string }) {
    const scopes = this.cascade(input);
    const env = input.env === undefined ? undefined : validateEnvName(input.env);
    return this.core.chain.resolve(this.candidates(name, scopes, env), { only: input.provider });
  }

  private writable(provider: Provider): Required<Pick<Provider, "set">> & Provider {
    if (!provider.set || !provider.capabilities.write) {
      throw new CofferError(
        "UNSUPPORTED",
        `provider ${provider.name} is read-only; write to another provider (for example --provider local)`,
        { provider: provider.name },
      );
    }
    return provider as Required<Pick<Provider, "set">> & Provider;
  }

  /** Write one state, committing the audit entry with it where the provider keeps the log. */
  private async commitWrite(
    provider: Provider,
    address: SecretAddress,
    write: SecretWrite,
    opts: { ifVersion?: number; mode?: "create" | "upsert" },
    action: AuditAction,
  ): Promise<SecretMetadata> {
    const p = this.writable(provider);
    this.refuseOffline(provider);
    const audit = this.core.audit
      ? this.entry({
          action,
          name: address.name,
          scope: scopeLabel(address.scope),
          env: address.env,
          provider: provider.name,
          success: true,
          fingerprint: this.core.audit.fingerprint(write.value),
        })
      : undefined;
    if (audit && provider !== this.core.auditOwner) {
      // Remote (or foreign) provider: the intent is recorded first; the outcome is appended.
      await this.core.audit!.append({ ...audit, success: false, details: { phase: "intent" } });
      try {
        const meta = await p.set(address, write, opts);
        await this.core.chain.forgetLastKnownGood(provider.name, address);
        await this.core.audit!.append({ ...audit, version: meta.version, details: { phase: "outcome" } });
        return meta;
      } catch (err) {
        const e = asProviderError(err, provider.name);
        await this.core
          .audit!.append({ ...audit, success: false, errorCode: e.code, details: { phase: "outcome" } })
          .catch(() => undefined);
        throw e;
      }
    }
    return p.set(address, write, { ...opts, ...(audit ? { audit } : {}) });
  }

  // ---------------------------------------------------------------- reads

  async get(nameIn: string, options: GetOptions = {}): Promise<SecretResult> {
    let name: string | undefined;
    try {
      name = this.name(nameIn);
      if (options.version !== undefined && (!Number.isInteger(options.version) || options.version < 1)) {
        throw new CofferError("INVALID_ARGUMENT", "version must be a positive whole number", { field: "version" });
      }
      const detected = await this.resolveEnv(options.env);
      const hit = await this.core.chain.resolve(this.candidates(name, this.cascade(options), detected.env), {
        version: options.version,
        only: options.provider,
        noCache: options.noCache === true,
      });
      const secret = hit.secret;
      const decay = decayOf(secret, this.now());
      if (decay.state === "hard-expired" && !options.allowExpired) {
        throw new CofferError("EXPIRED", `secret "${name}" expired at ${secret.expiresAt}`, {
          name,
          expiresAt: secret.expiresAt,
          hint: "pass allowExpired (--allow-expired) to read it anyway",
        });
      }
      const provenance = {
        provider: hit.provider.name,
        scope: secret.scope,
        ...(secret.env !== undefined ? { env: secret.env } : {}),
        envSource: detected.source,
        outcomes: hit.outcomes,
        ...hit.freshness,
      };
      if (options.reveal) {
        await this.authorizeReveal(name, secret, options.purpose);
        await this.record({
          action: "reveal",
          name,
          scope: scopeLabel(secret.scope),
          env: secret.env,
          provider: hit.provider.name,
          success: true,
          purpose: options.purpose,
          version: secret.version,
          fingerprint: this.core.audit?.fingerprint(secret.value),
        });
        return { ...this.view(secret, secret.value), value: secret.value, provenance };
      }
      await this.authorize("read", name, secret);
      this.recordLater({
        action: "read",
        name,
        scope: scopeLabel(secret.scope),
        env: secret.env,
        provider: hit.provider.name,
        success: true,
        version: secret.version,
      });
      return { ...this.view(secret, secret.value), provenance };
    } catch (err) {
      return this.failure(options.reveal ? "reveal" : "read", err, { name, purpose: options.purpose });
    }
  }

  private async authorizeReveal(name: string, secret: SecretMetadata, purpose: string | undefined): Promise<void> {
    if (secret.writeOnly) {
      await this.deny(
        "reveal",
        name,
        secret,
        "secret:writeOnly",
        "the secret is write-only; it can be injected with run/exec but never read back",
      );
    }
    if (this.accessor.kind !== "user" && (typeof purpose !== "string" || purpose.trim() === "")) {
      throw new CofferError("INVALID_ARGUMENT", "a non-empty purpose is required to reveal a value", {
        field: "purpose",
      });
    }
    if (purpose !== undefined && (typeof purpose !== "string" || purpose.length > 500)) {
      throw new CofferError("INVALID_ARGUMENT", "purpose must be text of at most 500 characters", { field: "purpose" });
    }
    await this.authorize("reveal", name, secret, undefined, purpose);
  }

  async has(nameIn: string, options: GetOptions = {}): Promise<boolean> {
    const name = this.name(nameIn);
    try {
      const detected = await this.resolveEnv(options.env);
      const hit = await this.core.chain.resolve(this.candidates(name, this.cascade(options), detected.env), {
        only: options.provider,
        noCache: options.noCache === true,
      });
      await this.authorize("read", name, hit.secret);
      const state = decayOf(hit.secret, this.now()).state;
      this.recordLater({
        action: "read",
        name,
        scope: scopeLabel(hit.secret.scope),
        provider: hit.provider.name,
        success: true,
        details: { check: "has" },
      });
      return state !== "expired" && state !== "hard-expired";
    } catch (err) {
      if (isCofferError(err, "NOT_FOUND")) return false;
      throw err;
    }
  }

  async inspect(nameIn: string, options: ScopeInput & { provider?: string } = {}): Promise<Inspection> {
    let name: string | undefined;
    try {
      name = this.name(nameIn);
      const hit = await this.locate(name, options);
      await this.authorize("read", name, hit.secret);
      const provider = hit.provider;
      const scope = hit.secret.scope;
      const states: SecretView[] = [];
      if (provider.list) {
        let cursor: string | undefined;
        do {
          const page = await provider.list({ scope, prefix: name, cursor, limit: 1000 });
          for (const m of page.items)
            if (m.name === name && scopeKey(m.scope) === scopeKey(scope)) states.push(this.view(m));
          cursor = page.nextCursor;
        } while (cursor);
      }
      if (states.length === 0) states.push(this.view(hit.secret, hit.secret.value));
      const versions = provider.history ? await provider.history({ name, scope, env: hit.secret.env }) : [];
      const selfKey = EntanglementRegistry.key({ name, scope });
      const entangledWith = (await this.core.links.group({ name, scope }))
        .filter((k) => k !== selfKey)
        .map(EntanglementRegistry.label);
      let accessCount = 0;
      let lastAccess: string | undefined;
      if (this.core.audit) {
        const entries = await this.core.audit.query({ name, limit: 10000 });
        const access = entries.filter(
          (e) => e.success && (e.action === "read" || e.action === "reveal" || e.action === "exec"),
        );
        accessCount = access.reduce(
          (n, e) => n + (e.details?.coalesced && typeof e.details.count === "number" ? e.details.count : 1),
          0,
        );
        lastAccess = access[0]?.time;
      }
      this.recordLater({ action: "inspect", name, scope: scopeLabel(scope), provider: provider.name, success: true });
      return {
        name,
        scope,
        scopeLabel: scopeLabel(scope),
        provider: provider.name,
        states,
        versions,
        entangledWith,
        accessCount,
        ...(lastAccess ? { lastAccess } : {}),
      };
    } catch (err) {
      return this.failure("inspect", err, { name });
    }
  }

  async list(options: ListOptions = {}): Promise<ListResult> {
    try {
      await this.authorize("read", undefined);
      return await this.listVisible(options, "read");
    } catch (err) {
      return this.failure("list", err);
    }
  }

  /** Listing filtered to what this caller may `visibleTo` (silently: no denial is recorded). */
  private async listVisible(options: ListOptions, visibleTo: PolicyAction): Promise<ListResult> {
    {
      const limit = options.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > 10000)
        throw new CofferError("INVALID_ARGUMENT", "limit must be from 1 to 10000", { field: "limit" });
      const env = options.env === undefined ? undefined : validateEnvName(options.env);
      const namePattern = options.pattern ? cachedGlob(options.pattern) : undefined;
      const entries = options.provider
        ? [
            {
              provider: this.core.chain.provider(options.provider),
              priority: this.core.chain.priorityOf(options.provider),
            },
          ]
        : this.core.chain.entries;
      const errors: ListResult["errors"] = [];
      const groups = new Map<string, { item: ListItem; key: string }>();
      const ordered: Array<{ item: ListItem; key: string }> = [];
      const seenNameScope = new Map<string, string>(); // name+scope -> provider that wins
      const now = this.now();
      for (const { provider } of entries) {
        if (!provider.list || !provider.capabilities.list) continue;
        if (this.core.chain.offline && provider.capabilities.remote) {
          errors.push({ provider: provider.name, outcome: "skipped", message: "offline: not contacted" });
          continue;
        }
        try {
          let cursor: string | undefined;
          do {
            const page = await provider.list({ includeDeleted: options.includeDeleted, cursor, limit: 1000 });
            for (const meta of page.items) {
              if (options.scope && meta.scope.kind !== options.scope) continue;
              if (namePattern && !namePattern.test(meta.name)) continue;
              if (options.tags && options.tags.length > 0 && !options.tags.every((t) => meta.tags?.includes(t)))
                continue;
              const nsKey = `${scopeKey(meta.scope)}\u0000${meta.name}`;
              const key = `${provider.name}\u0000${nsKey}`;
              let group = groups.get(key);
              if (!group) {
                const winner = seenNameScope.get(nsKey);
                if (winner === undefined) seenNameScope.set(nsKey, provider.name);
                const item = this.view(meta, undefined, now) as ListItem;
                item.envs = [];
                item.shadowed = winner !== undefined && winner !== provider.name;
                group = { key, item };
                groups.set(key, group);
                ordered.push(group);
              } else if (meta.env === undefined) {
                // The default state describes the secret; an env state listed first only held its place.
                const { envs, shadowed } = group.item;
                group.item = Object.assign(this.view(meta, undefined, now) as ListItem, { envs, shadowed });
              }
              group.item.envs.push(meta.env ?? "default");
            }
            cursor = page.nextCursor;
          } while (cursor);
        } catch (err) {
          const e = asProviderError(err, provider.name);
          if (this.core.chain.policy === "strict") throw e;
          errors.push({ provider: provider.name, outcome: "error", code: e.code, message: e.message });
        }
      }
      let items = ordered.map((g) => g.item);
      if (env) items = items.filter((i) => i.envs.includes(env));
      if (options.includeExpired === false)
        items = items.filter((i) => i.decay.state !== "hard-expired" && i.decay.state !== "expired");
      else if (!options.includeExpired) items = items.filter((i) => i.decay.state !== "hard-expired");
      items = items.filter((i) => this.agentAllowed(i));
      if (this.core.policy !== ALLOW_ALL_POLICY) {
        const visible: ListItem[] = [];
        for (const i of items) if (await this.permits(visibleTo, i as unknown as SecretMetadata)) visible.push(i);
        items = visible;
      }
      if (options.staleOnly)
        items = items.filter(
          (i) => i.decay.state === "stale" || i.decay.state === "expired" || i.decay.state === "hard-expired",
        );
      items.sort((a, b) =>
        a.name < b.name
          ? -1
          : a.name > b.name
            ? 1
            : this.core.chain.priorityOf(b.provider) - this.core.chain.priorityOf(a.provider),
      );
      const start = options.cursor ? decodeCursor(options.cursor) : 0;
      const page = items.slice(start, start + limit);
      this.recordLater({ action: "list", success: true, details: { count: page.length } });
      return {
        items: page,
        total: items.length,
        ...(start + limit < items.length ? { nextCursor: encodeCursor(start + limit) } : {}),
        errors,
      };
    }
  }

  async history(nameIn: string, options: ScopeInput & { env?: string; provider?: string } = {}) {
    let name: string | undefined;
    try {
      name = this.name(nameIn);
      const hit = await this.locate(name, options);
      await this.authorize("read", name, hit.secret);
      if (!hit.provider.history)
        throw new CofferError("UNSUPPORTED", `provider ${hit.provider.name} keeps no version history`, {
          provider: hit.provider.name,
        });
      const versions = await hit.provider.history({ name, scope: hit.secret.scope, env: hit.secret.env });
      this.recordLater({
        action: "history",
        name,
        scope: scopeLabel(hit.secret.scope),
        provider: hit.provider.name,
        success: true,
      });
      return versions;
    } catch (err) {
      return this.failure("history", err, { name });
    }
  }

  async detectEnvironment(explicit?: string): Promise<DetectedEnvironment> {
    return this.resolveEnv(explicit);
  }

  // ---------------------------------------------------------------- writes

  async set(nameIn: string, valueIn: string, options: SetOptions = {}): Promise<WriteResult> {
    let name: string | undefined;
    try {
      name = this.name(nameIn);
      const env = options.env === undefined ? undefined : validateEnvName(options.env);
      const { value, encoding } = validateValue(
        valueIn,
        options.encoding ?? "utf-8",
        options.allowEmpty || env !== undefined,
      );
      const attrs = validateAttributes(options);
      if (options.ifVersion !== undefined && (!Number.isInteger(options.ifVersion) || options.ifVersion < 0)) {
        throw new CofferError("INVALID_ARGUMENT", "ifVersion must be a whole number (0: must not exist)", {
          field: "ifVersion",
        });
      }
      if (options.mode !== undefined && options.mode !== "create" && options.mode !== "upsert") {
        throw new CofferError("INVALID_ARGUMENT", 'mode must be "create" or "upsert"', { field: "mode" });
      }
      const scope = this.writeScope(options);
      const provider = options.provider ? this.core.chain.provider(options.provider) : this.core.defaultProvider;
      this.writable(provider);
      const address: SecretAddress = env === undefined ? { name, scope } : { name, scope, env };
      const current = await this.current(provider, address);
      await this.authorize("write", name, current ?? ({ name, scope, tags: attrs.tags } as SecretMetadata));
      const merged = options.mergeAttributes === false || !current ? attrs : { ...attributesOf(current), ...attrs };
      const hookBase = { name, scope: scopeLabel(scope), env, provider: provider.name, tags: merged.tags };
      await this.runHooks("before", "write", hookBase);
      const meta = await this.commitWrite(
        provider,
        address,
        { ...merged, value, encoding, reason: "write" },
        { ifVersion: options.ifVersion, mode: options.mode },
        "write",
      );
      const entangled = await this.propagate({ name, scope }, env, value, encoding, "entangle");
      const hooks = await this.runHooks("after", "write", { ...hookBase, version: meta.version });
      return this.writeResult(meta, entangled, hooks);
    } catch (err) {
      return this.failure("write", err, { name });
    }
  }

  private async current(provider: Provider, address: SecretAddress): Promise<StoredSecret | undefined> {
    try {
      return await provider.get(address);
    } catch (err) {
      if (isCofferError(err, "NOT_FOUND")) return undefined;
      throw asProviderError(err, provider.name);
    }
  }

  private writeResult(meta: SecretMetadata, entangled: string[], hooks: HookReport[]): WriteResult {
    return {
      name: meta.name,
      scope: meta.scope,
      scopeLabel: scopeLabel(meta.scope),
      ...(meta.env !== undefined ? { env: meta.env } : {}),
      version: meta.version,
      provider: meta.provider,
      createdAt: meta.createdAt,
      updatedAt: meta.updatedAt,
      entangled,
      hooks,
    };
  }

  /** Write the same value to every secret entangled with `origin`. */
  private async propagate(
    origin: { name: string; scope: ScopeRef },
    env: string | undefined,
    value: string,
    encoding: SecretWrite["encoding"],
    reason: string,
  ): Promise<string[]> {
    const group = await this.core.links.group(origin);
    const originKey = EntanglementRegistry.key(origin);
    const updated: string[] = [];
    for (const key of group) {
      if (key === originKey) continue;
      const target = EntanglementRegistry.parse(key);
      const address: SecretAddress = env === undefined ? target : { ...target, env };
      let provider = this.core.defaultProvider;
      try {
        provider = (await this.core.chain.resolve([address])).provider;
      } catch (err) {
        if (!isCofferError(err, "NOT_FOUND")) throw err;
      }
      const current = await this.current(provider, address);
      await this.authorize(
        "write",
        target.name,
        current ?? ({ name: target.name, scope: target.scope } as SecretMetadata),
      );
      await this.commitWrite(
        provider,
        address,
        { ...(current ? attributesOf(current) : {}), value, encoding, reason },
        {},
        "write",
      );
      updated.push(EntanglementRegistry.label(key));
    }
    return updated;
  }

  async delete(nameIn: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    let name: string | undefined;
    try {
      name = this.name(nameIn);
      const targets = await this.holders(name, options);
      if (targets.length === 0) throw new CofferError("NOT_FOUND", `secret "${name}" not found`, { name });
      for (const t of targets) await this.authorize("delete", name, t.meta);
      const scope = targets[0]!.meta.scope;
      const hookBase = { name, scope: scopeLabel(scope), tags: targets[0]!.meta.tags };
      await this.runHooks("before", "delete", hookBase);
      const removedFrom: string[] = [];
      let versionsDeleted = 0;
      let purgeAt: string | undefined;
      for (const { provider, meta } of targets) {
        if (!provider.delete || !provider.capabilities.delete) {
          throw new CofferError("UNSUPPORTED", `provider ${provider.name} cannot delete secrets`, {
            provider: provider.name,
          });
        }
        const ref: SecretRef = { name, scope: meta.scope };
        const audit = this.entry({
          action: options.purge ? "purge" : "delete",
          name,
          scope: scopeLabel(meta.scope),
          provider: provider.name,
          success: true,
        });
        const outcome = await this.mutate(provider, ref, audit, (a) =>
          provider.delete!(ref, {
            purge: options.purge,
            recoveryWindowDays: this.core.recoveryWindowDays,
            ...(a ? { audit: a } : {}),
          }),
        );
        removedFrom.push(provider.name);
        versionsDeleted += outcome.versionsDeleted;
        purgeAt = outcome.purgeAt ?? purgeAt;
      }
      const hooks = await this.runHooks("after", "delete", hookBase);
      return { removedFrom, versionsDeleted, purged: options.purge === true, ...(purgeAt ? { purgeAt } : {}), hooks };
    } catch (err) {
      return this.failure(options.purge ? "purge" : "delete", err, { name });
    }
  }

  /** Providers holding a secret (any state) in the first scope that has it. */
  private async holders(
    name: string,
    options: ScopeInput & { provider?: string },
  ): Promise<Array<{ provider: Provider; meta: SecretMetadata }>> {
    const entries =
      options.provider && options.provider !== "all"
        ? [{ provider: this.core.chain.provider(options.provider) }]
        : this.core.chain.entries;
    for (const scope of this.cascade(options)) {
      const found: Array<{ provider: Provider; meta: SecretMetadata }> = [];
      for (const { provider } of entries) {
        if (!FallbackChain.holds(provider, scope.kind) || !provider.capabilities.delete) continue;
        const meta = await this.anyState(provider, name, scope);
        if (meta) found.push({ provider, meta });
      }
      if (found.length > 0) return found;
    }
    return [];
  }

  /** Metadata of any live state of a secret at one provider. */
  private async anyState(provider: Provider, name: string, scope: ScopeRef): Promise<SecretMetadata | undefined> {
    const direct = await this.current(provider, { name, scope });
    if (direct) return direct;
    if (!provider.list) return undefined;
    const page = await provider.list({ scope, prefix: name, limit: 1000 });
    return page.items.find((m) => m.name === name && scopeKey(m.scope) === scopeKey(scope));
  }

  /** Metadata of a soft-deleted secret at one provider (for policy on restore/purge). */
  private async deletedState(provider: Provider, name: string, scope: ScopeRef): Promise<SecretMetadata | undefined> {
    if (!provider.list) return undefined;
    const page = await provider.list({ scope, prefix: name, includeDeleted: true, limit: 1000 });
    return page.items.find(
      (m) => m.name === name && scopeKey(m.scope) === scopeKey(scope) && m.deletedAt !== undefined,
    );
  }

  /** Remote providers are not contacted in offline mode: writes to them are refused. */
  private refuseOffline(provider: Provider): void {
    if (this.core.chain.offline && provider.capabilities.remote) {
      throw new CofferError(
        "UNAVAILABLE",
        `offline: ${provider.name} is not contacted, so this change cannot be made now`,
        { provider: provider.name },
      );
    }
  }

  /** Run a mutation with its audit entry committed alongside (or intent-then-outcome). */
  private async mutate<T>(
    provider: Provider,
    target: SecretRef,
    audit: AuditEntryInput,
    run: (audit?: AuditEntryInput) => Promise<T>,
  ): Promise<T> {
    this.refuseOffline(provider);
    const out = await this.mutateAudited(provider, audit, run);
    // A replaced or removed value must not be served later from the last-known-good cache.
    if (provider.capabilities.remote) await this.core.chain.forgetLastKnownGood(provider.name, target);
    return out;
  }

  private async mutateAudited<T>(
    provider: Provider,
    audit: AuditEntryInput,
    run: (audit?: AuditEntryInput) => Promise<T>,
  ): Promise<T> {
    if (!this.core.audit) return run();
    if (provider === this.core.auditOwner) return run(audit);
    await this.core.audit.append({ ...audit, success: false, details: { phase: "intent" } });
    try {
      const out = await run();
      await this.core.audit.append({ ...audit, details: { phase: "outcome" } });
      return out;
    } catch (err) {
      const e = asProviderError(err, provider.name);
      await this.core.audit
        .append({ ...audit, success: false, errorCode: e.code, details: { phase: "outcome" } })
        .catch(() => undefined);
      throw e;
    }
  }

  async restore(nameIn: string, options: ScopeInput & { provider?: string } = {}) {
    let name: string | undefined;
    try {
      name = this.name(nameIn);
      const entries = options.provider
        ? [{ provider: this.core.chain.provider(options.provider) }]
        : this.core.chain.entries;
      for (const scope of this.cascade(options)) {
        for (const { provider } of entries) {
          if (!provider.restore || !provider.capabilities.softDelete || !FallbackChain.holds(provider, scope.kind))
            continue;
          const deleted = await this.deletedState(provider, name, scope);
          if (!deleted) continue;
          await this.authorize("delete", name, deleted);
          const audit = this.entry({
            action: "restore",
            name,
            scope: scopeLabel(scope),
            provider: provider.name,
            success: true,
          });
          try {
            const out = await this.mutate(provider, { name: name!, scope }, audit, (a) =>
              provider.restore!({ name: name!, scope }, a ? { audit: a } : undefined),
            );
            return { provider: provider.name, versionsRestored: out.versionsRestored };
          } catch (err) {
            if (!isCofferError(err, "NOT_FOUND")) throw err;
          }
        }
      }
      throw new CofferError("NOT_FOUND", `no deleted secret "${name}" to restore`, { name });
    } catch (err) {
      return this.failure("restore", err, { name });
    }
  }

  async purge(nameIn: string, options: ScopeInput & { provider?: string } = {}): Promise<DeleteResult> {
    let name: string | undefined;
    try {
      name = this.name(nameIn);
      const entries = options.provider
        ? [{ provider: this.core.chain.provider(options.provider) }]
        : this.core.chain.entries;
      const removedFrom: string[] = [];
      let versionsDeleted = 0;
      for (const scope of this.cascade(options)) {
        for (const { provider } of entries) {
          if (!provider.purge || !provider.capabilities.purge || !FallbackChain.holds(provider, scope.kind)) continue;
          const meta = (await this.anyState(provider, name, scope)) ?? (await this.deletedState(provider, name, scope));
          if (!meta) continue;
          await this.authorize("delete", name, meta);
          const audit = this.entry({
            action: "purge",
            name,
            scope: scopeLabel(scope),
            provider: provider.name,
            success: true,
          });
          try {
            const out = await this.mutate(provider, { name: name!, scope }, audit, (a) =>
              provider.purge!({ name: name!, scope }, a ? { audit: a } : undefined),
            );
            removedFrom.push(provider.name);
            versionsDeleted += out.versionsDeleted;
          } catch (err) {
            if (!isCofferError(err, "NOT_FOUND")) throw err;
          }
        }
        if (removedFrom.length > 0) break;
      }
      if (removedFrom.length === 0) throw new CofferError("NOT_FOUND", `secret "${name}" not found`, { name });
      return { removedFrom, versionsDeleted, purged: true, hooks: [] };
    } catch (err) {
      return this.failure("purge", err, { name });
    }
  }

  async rotate(nameIn: string, options: RotateOptions = {}): Promise<RotateResult> {
    let name: string | undefined;
    try {
      name = this.name(nameIn);
      const hit = await this.locate(name, options);
      const current = hit.secret;
      await this.authorize("rotate", name, current);
      const provider = hit.provider;
      let value = options.value;
      let generated = false;
      if (value === undefined) {
        const format = options.generate ?? current.rotationFormat ?? "token";
        const prefix =
          format === "api-key" || format === "token" ? (options.prefix ?? current.rotationPrefix) : undefined;
        value = generateSecret({ format, prefix }).value;
        generated = true;
      }
      const valid = validateValue(value, current.encoding === "base64" && !generated ? "base64" : "utf-8");
      const grace = options.expireOld ? 0 : (options.graceSeconds ?? this.core.rotationGraceDays * DAY);
      if (!Number.isFinite(grace) || grace < 0)
        throw new CofferError("INVALID_ARGUMENT", "grace must be zero or more seconds", { field: "grace" });
      const address: SecretAddress = {
        name,
        scope: current.scope,
        ...(current.env !== undefined ? { env: current.env } : {}),
      };
      const hookBase = {
        name,
        scope: scopeLabel(current.scope),
        env: current.env,
        provider: provider.name,
        tags: current.tags,
      };
      await this.runHooks("before", "rotate", hookBase);
      const meta = await this.commitWrite(
        provider,
        address,
        {
          ...attributesOf(current),
          value: valid.value,
          encoding: valid.encoding,
          reason: "rotate",
          previousValidForSeconds: grace,
        },
        { ifVersion: current.version },
        "rotate",
      );
      const entangled = await this.propagate(
        { name, scope: current.scope },
        current.env,
        valid.value,
        valid.encoding,
        "entangle",
      );
      const hooks = await this.runHooks("after", "rotate", { ...hookBase, version: meta.version });
      const validUntil = grace > 0 ? new Date(this.now().getTime() + grace * 1000).toISOString() : undefined;
      return {
        name,
        scopeLabel: scopeLabel(current.scope),
        oldVersion: current.version,
        newVersion: meta.version,
        ...(validUntil ? { oldValidUntil: validUntil } : {}),
        provider: provider.name,
        generated,
        entangled,
        hooks,
      };
    } catch (err) {
      return this.failure("rotate", err, { name });
    }
  }

  async rollback(
    nameIn: string,
    to: number,
    options: ScopeInput & { env?: string; provider?: string } = {},
  ): Promise<WriteResult> {
    let name: string | undefined;
    try {
      name = this.name(nameIn);
      if (!Number.isInteger(to) || to < 1)
        throw new CofferError("INVALID_ARGUMENT", "the version to roll back to must be a positive whole number", {
          field: "to",
        });
      const hit = await this.locate(name, options);
      await this.authorize("write", name, hit.secret);
      const address: SecretAddress = {
        name,
        scope: hit.secret.scope,
        ...(hit.secret.env !== undefined ? { env: hit.secret.env } : {}),
      };
      const old = await hit.provider.get(address, { version: to });
      const meta = await this.commitWrite(
        hit.provider,
        address,
        { ...attributesOf(hit.secret), value: old.value, encoding: old.encoding, reason: `rollback:${to}` },
        { ifVersion: hit.secret.version },
        "rollback",
      );
      const entangled = await this.propagate(
        { name, scope: hit.secret.scope },
        hit.secret.env,
        old.value,
        old.encoding,
        "entangle",
      );
      return this.writeResult(meta, entangled, []);
    } catch (err) {
      return this.failure("rollback", err, { name });
    }
  }

  async generate(options: GenerateOptions = {}): Promise<GenerateResult> {
    const g = generateSecret({ format: options.format, length: options.length, prefix: options.prefix });
    if (options.saveAs !== undefined) {
      const saved = await this.set(options.saveAs, g.value, {
        ...(options.save ?? {}),
        rotationFormat: options.save?.rotationFormat ?? g.format,
        ...(options.prefix ? { rotationPrefix: options.save?.rotationPrefix ?? options.prefix } : {}),
      });
      return { format: g.format, entropyBits: g.entropyBits, length: g.value.length, saved };
    }
    this.recordLater({ action: "generate", success: true, details: { format: g.format } });
    return { value: g.value, format: g.format, entropyBits: g.entropyBits, length: g.value.length };
  }

  // ---------------------------------------------------------------- bulk

  async import(text: string, options: ImportOptions = {}): Promise<ImportReport> {
    try {
      if (typeof text !== "string")
        throw new CofferError("INVALID_ARGUMENT", "import content must be text", { field: "content" });
      const format = options.format ?? detectFormat(text);
      const parsed = parseImport(text, format);
      const env = options.env === undefined ? undefined : validateEnvName(options.env);
      const scope = this.writeScope(options);
      const provider = options.provider ? this.core.chain.provider(options.provider) : this.core.defaultProvider;
      this.writable(provider);
      // Validate everything before writing anything.
      const items = parsed.items.map((item) => {
        const name = this.name(item.name);
        const { value, encoding } = validateValue(item.value, item.encoding ?? "utf-8", true);
        const attrs = validateAttributes({
          ...item,
          tags: [...new Set([...(item.tags ?? []), ...(options.tags ?? [])])],
        } as SetOptions);
        if ((options.tags ?? []).length === 0 && !item.tags) delete attrs.tags;
        return { name, value, encoding, attrs };
      });
      const report: ImportReport = {
        dryRun: options.dryRun === true,
        created: 0,
        updated: 0,
        skipped: 0,
        unchanged: 0,
        items: [],
        warnings: parsed.warnings.map((w) => w.message),
      };
      // Plan and authorize every item before writing any, so a refusal changes nothing.
      const plan: Array<{
        item: (typeof items)[number];
        address: SecretAddress;
        current?: StoredSecret;
        action: ImportReport["items"][number]["action"];
      }> = [];
      for (const item of items) {
        const address: SecretAddress = env === undefined ? { name: item.name, scope } : { name: item.name, scope, env };
        const current = await this.current(provider, address);
        await this.authorize(
          "write",
          item.name,
          current ?? ({ name: item.name, scope, tags: item.attrs.tags } as SecretMetadata),
        );
        let action: ImportReport["items"][number]["action"];
        if (current && options.skipExisting) action = "skip";
        // Only a caller who may reveal the value learns whether it is unchanged: for anyone else
        // the comparison would confirm a guessed value.
        else if (
          current &&
          current.value === item.value &&
          current.encoding === item.encoding &&
          (await this.mayReveal(current))
        )
          action = "unchanged";
        else action = current ? "update" : "create";
        plan.push({ item, address, ...(current ? { current } : {}), action });
      }
      let done = 0;
      for (const { item, address, current, action } of plan) {
        if (!report.dryRun && (action === "create" || action === "update")) {
          await this.commitWrite(
            provider,
            address,
            {
              ...(current ? attributesOf(current) : {}),
              ...item.attrs,
              value: item.value,
              encoding: item.encoding,
              reason: "import",
            },
            {},
            "import",
          );
        }
        report.items.push({ name: item.name, action });
        if (action === "create") report.created++;
        else if (action === "update") report.updated++;
        else if (action === "skip") report.skipped++;
        else report.unchanged++;
        options.onProgress?.(++done, plan.length);
      }
      if (report.dryRun)
        this.recordLater({ action: "import", success: true, details: { dryRun: true, count: items.length } });
      return report;
    } catch (err) {
      return this.failure("import", err);
    }
  }

  async export(options: ExportOptions = {}): Promise<ExportedSecret[]> {
    try {
      const action: PolicyAction = options.includeValues ? "export" : "read";
      await this.authorize(action, undefined);
      const listing = await this.listVisible(
        {
          pattern: options.pattern,
          tags: options.tags,
          scope: options.scope,
          provider: options.provider,
          includeExpired: true,
          limit: 10000,
        },
        action,
      );
      const out: ExportedSecret[] = [];
      const exported: string[] = [];
      for (const item of listing.items) {
        if (item.shadowed) continue;
        const provider = this.core.chain.provider(item.provider);
        for (const env of item.envs) {
          const address: SecretAddress = { name: item.name, scope: item.scope, ...(env === "default" ? {} : { env }) };
          const secret = await provider.get(address);
          const entry: ExportedSecret = {
            ...attributesOf(secret),
            name: secret.name,
            scope: scopeLabel(secret.scope),
            ...(secret.env !== undefined ? { env: secret.env } : {}),
            version: secret.version,
            provider: provider.name,
            createdAt: secret.createdAt,
            updatedAt: secret.updatedAt,
            encoding: secret.encoding,
          };
          if (options.includeValues && !secret.writeOnly) {
            await this.authorize("export", secret.name, secret);
            entry.value = secret.value;
            exported.push(secret.name);
          }
          out.push(entry);
        }
      }
      await this.record({
        action: "export",
        success: true,
        details: { count: out.length, withValues: options.includeValues === true, names: exported.slice(0, 500) },
      });
      return out;
    } catch (err) {
      return this.failure("export", err);
    }
  }

  async resolveForInjection(options: InjectionOptions = {}): Promise<InjectionSet> {
    try {
      const detected = await this.resolveEnv(options.env);
      const scopes = this.cascade(options);
      const wanted = options.only?.map((n) => this.name(n));
      // The most specific scope and the highest-priority provider win per name.
      const chosen = new Map<string, { provider: Provider; address: SecretAddress; meta: SecretMetadata }>();
      const rank = (s: ScopeRef) => scopes.findIndex((x) => scopeKey(x) === scopeKey(s));
      for (const { provider } of this.core.chain.entries) {
        if (!provider.list || !provider.capabilities.list) continue;
        // Offline, remote providers are not contacted (their values reach `get` from the
        // last-known-good cache, but they cannot be enumerated).
        if (this.core.chain.offline && provider.capabilities.remote) continue;
        let cursor: string | undefined;
        do {
          const page = await provider.list({ cursor, limit: 1000 });
          for (const meta of page.items) {
            const r = rank(meta.scope);
            if (r < 0) continue;
            if (wanted && !wanted.includes(meta.name)) continue;
            if (options.tags?.length && !options.tags.every((t) => meta.tags?.includes(t))) continue;
            if (meta.env !== undefined && meta.env !== detected.env) continue;
            const prev = chosen.get(meta.name);
            const better =
              !prev ||
              r < rank(prev.meta.scope) ||
              (r === rank(prev.meta.scope) &&
                prev.provider === provider &&
                meta.env !== undefined &&
                prev.meta.env === undefined);
            if (better)
              chosen.set(meta.name, {
                provider,
                address: { name: meta.name, scope: meta.scope, ...(meta.env !== undefined ? { env: meta.env } : {}) },
                meta,
              });
          }
          cursor = page.nextCursor;
        } while (cursor);
      }
      const now = this.now();
      for (const [name, c] of chosen) {
        if (decayOf(c.meta, now).state === "hard-expired") chosen.delete(name);
      }
      await this.authorize("exec", undefined, undefined, options.command, options.purpose);
      for (const [name, c] of chosen) {
        // Names asked for explicitly must be allowed (a denial is an error); with no names, the
        // secrets this caller may not use are left out instead of failing the whole run.
        if (wanted) await this.authorize("exec", c.meta.name, c.meta, options.command, options.purpose);
        else if (!(await this.permits("exec", c.meta, options.command, options.purpose))) chosen.delete(name);
      }
      // Batch reads per provider.
      const byProvider = new Map<Provider, Array<{ name: string; address: SecretAddress }>>();
      for (const [name, c] of chosen) {
        const list = byProvider.get(c.provider) ?? [];
        list.push({ name, address: c.address });
        byProvider.set(c.provider, list);
      }
      const values = new Map<string, { value: string; provider: string; scope: string }>();
      for (const [provider, list] of byProvider) {
        if (provider.getMany) {
          const results = await provider.getMany(list.map((l) => l.address));
          results.forEach((r, i) => {
            if (r.ok)
              values.set(list[i]!.name, {
                value: r.secret.value,
                provider: provider.name,
                scope: scopeLabel(r.secret.scope),
              });
            // Tampering is never skipped silently; a secret deleted since the listing is.
            else if (r.error.code !== "NOT_FOUND") throw r.error;
          });
        } else {
          for (const l of list) {
            const s = await provider.get(l.address);
            values.set(l.name, { value: s.value, provider: provider.name, scope: scopeLabel(s.scope) });
          }
        }
      }
      const { mapping, collisions } = mapToEnvVars([...values.keys()]);
      const vars: Record<string, string> = {};
      const secrets: InjectionSet["secrets"] = [];
      for (const [name, envVar] of mapping) {
        const v = values.get(name)!;
        vars[envVar] = v.value;
        secrets.push({ name, envVar, provider: v.provider, scope: v.scope });
      }
      secrets.sort((a, b) => (a.name < b.name ? -1 : 1));
      const missing = (wanted ?? []).filter((n) => !values.has(n));
      await this.recordRead({
        action: "exec",
        success: true,
        purpose: options.purpose,
        details: { command: options.command, names: secrets.map((s) => s.name).slice(0, 500), count: secrets.length },
      });
      return { vars, secrets, collisions, missing };
    } catch (err) {
      return this.failure("exec", err, { purpose: options.purpose, details: { command: options.command } });
    }
  }

  // ---------------------------------------------------------------- entanglement

  async entangle(aIn: string, bIn: string, options: { a?: ScopeInput; b?: ScopeInput } = {}) {
    let a: string | undefined;
    try {
      a = this.name(aIn);
      const b = this.name(bIn);
      const left = { name: a, scope: this.writeScope(options.a ?? {}) };
      const right = { name: b, scope: this.writeScope(options.b ?? {}) };
      await this.authorize("write", a);
      await this.authorize("write", b);
      const group = await this.core.links.link(left, right);
      await this.record({
        action: "entangle",
        name: a,
        scope: scopeLabel(left.scope),
        success: true,
        details: { with: EntanglementRegistry.label(EntanglementRegistry.key(right)) },
      });
      return { group: group.map(EntanglementRegistry.label) };
    } catch (err) {
      return this.failure("entangle", err, { name: a });
    }
  }

  async disentangle(aIn: string, bIn: string, options: { a?: ScopeInput; b?: ScopeInput } = {}) {
    let a: string | undefined;
    try {
      a = this.name(aIn);
      const b = this.name(bIn);
      const left = { name: a, scope: this.writeScope(options.a ?? {}) };
      const right = { name: b, scope: this.writeScope(options.b ?? {}) };
      await this.authorize("write", a);
      const removed = await this.core.links.unlink(left, right);
      await this.record({
        action: "disentangle",
        name: a,
        scope: scopeLabel(left.scope),
        success: true,
        details: { with: EntanglementRegistry.label(EntanglementRegistry.key(right)), removed },
      });
      return { removed };
    } catch (err) {
      return this.failure("disentangle", err, { name: a });
    }
  }

  // ---------------------------------------------------------------- health and audit

  async health(): Promise<HealthReport> {
    const checks = await this.core.chain.health();
    const providers = checks.map(({ entry, health, checkedAt }) => ({
      name: entry.provider.name,
      kind: entry.provider.kind,
      priority: entry.priority,
      ok: health.ok,
      ...(health.message ? { message: health.message } : {}),
      ...(health.latencyMs !== undefined ? { latencyMs: health.latencyMs } : {}),
      lastCheck: checkedAt.toISOString(),
      isDefault: entry.provider === this.core.defaultProvider,
    }));
    const expired: HealthReport["expired"] = [];
    const stale: HealthReport["stale"] = [];
    const listing = await this.listVisible({ includeExpired: true, staleOnly: true, limit: 10000 }, "read");
    for (const item of listing.items) {
      const row = { name: item.name, scope: item.scopeLabel, provider: item.provider, state: item.decay.state };
      if (item.decay.state === "stale") stale.push(row);
      else expired.push(row);
    }
    return { ok: providers.every((p) => p.ok), providers, chain: providers.map((p) => p.name), expired, stale };
  }

  async scan(options: ScanOptions = {}): Promise<ScanReport> {
    const listing = await this.listVisible({ includeExpired: true, limit: 10000 }, "read");
    const report: ScanReport = {
      checked: listing.items.length,
      stale: [],
      expired: [],
      rotationDue: [],
      rotated: [],
      hooks: [],
      errors: [],
    };
    for (const item of listing.items) {
      if (item.shadowed) continue;
      const state = item.decay.state;
      if (state === "none" || state === "fresh") continue;
      const row = { name: item.name, scope: item.scopeLabel, provider: item.provider, state };
      if (state === "stale") {
        report.stale.push(row);
        if (item.rotationFormat) report.rotationDue.push(row);
        continue;
      }
      report.expired.push(row);
      const hooks = await this.runHooks("after", "expire", {
        name: item.name,
        scope: item.scopeLabel,
        provider: item.provider,
        version: item.version,
        tags: item.tags,
      });
      report.hooks.push(...hooks);
      await this.record({
        action: "expire",
        name: item.name,
        scope: item.scopeLabel,
        provider: item.provider,
        success: true,
        details: { state },
      });
      if (options.autoRotate && item.rotationFormat) {
        try {
          const r = await this.rotate(item.name, {
            scope: item.scope.kind,
            scopeId: item.scope.id,
            projectPath: item.scope.kind === "project" ? item.scope.id : undefined,
            teamId: item.scope.kind === "team" ? item.scope.id : undefined,
            orgId: item.scope.kind === "org" ? item.scope.id : undefined,
            provider: item.provider,
          });
          report.rotated.push({
            name: item.name,
            scope: item.scopeLabel,
            oldVersion: r.oldVersion,
            newVersion: r.newVersion,
          });
        } catch (err) {
          const e = asProviderError(err, item.provider);
          report.errors.push({ name: item.name, code: e.code, message: e.message });
        }
      }
    }
    return report;
  }

  private requireAudit(): AuditLog {
    if (!this.core.audit)
      throw new CofferError("UNSUPPORTED", "no audit log is configured (it lives in the local store)");
    return this.core.audit;
  }

  async audit(query: AuditQuery = {}) {
    await this.authorize("admin", undefined, undefined, undefined, undefined, "audit");
    await this.settleAudit();
    const entries = await this.requireAudit().query(query);
    this.recordLater({ action: "list", success: true, details: { resource: "audit" } });
    return entries;
  }

  async auditSummary(query: AuditQuery = {}): Promise<AuditSummary> {
    const entries = await this.audit({ ...query, limit: query.limit ?? 10000 });
    const counts = new Map<string, number>();
    for (const e of entries) counts.set(e.accessor, (counts.get(e.accessor) ?? 0) + 1);
    let top: AuditSummary["topAccessor"];
    for (const [accessor, count] of counts) if (!top || count > top.count) top = { accessor, count };
    const lastRotation = entries.find((e) => e.action === "rotate" && e.success)?.time;
    return {
      total: entries.length,
      failed: entries.filter((e) => !e.success).length,
      ...(top ? { topAccessor: top } : {}),
      ...(lastRotation ? { lastRotation } : {}),
    };
  }

  async verifyAudit() {
    await this.authorize("admin", undefined, undefined, undefined, undefined, "audit");
    await this.settleAudit();
    const result = await this.requireAudit().verify();
    this.recordLater({ action: "list", success: true, details: { resource: "audit", verify: true } });
    return result;
  }

  async dispose(): Promise<void> {
    await this.settleAudit();
    await this.core.chain.dispose();
  }
}

/**
 * Merge identical background entries of one batch (same accessor, action, secret, outcome) into
 * one entry with `details.count` and the last time, placed where the first of them was: an agent
 * or a server reading the same few secrets over and over costs one audit row per secret per
 * flush rather than one per read.
 */
function coalesceReads(entries: AuditEntryInput[]): AuditEntryInput[] {
  const out: AuditEntryInput[] = [];
  const merged = new Map<string, { entry: AuditEntryInput; count: number; lastTime: string }>();
  for (const e of entries) {
    const key = JSON.stringify([
      e.accessor,
      e.frontEnd,
      e.action,
      e.name,
      e.scope,
      e.env,
      e.provider,
      e.success,
      e.version,
      e.details,
    ]);
    const seen = merged.get(key);
    if (seen) {
      seen.count++;
      seen.lastTime = e.time;
      continue;
    }
    const entry = { ...e };
    merged.set(key, { entry, count: 1, lastTime: e.time });
    out.push(entry);
  }
  for (const { entry, count, lastTime } of merged.values()) {
    if (count > 1) entry.details = { ...(entry.details ?? {}), coalesced: true, count, lastTime };
  }
  return out;
}

function staticHooks(list: Hook[]): HookSource {
  return { hooks: () => list };
}

function hookMatches(hook: Hook, event: HookEvent, payload: { name: string; scope: string; tags?: string[] }): boolean {
  const m = hook.match;
  if (m.events && !m.events.includes(event)) return false;
  if (m.names && !m.names.some((p) => matchesGlob(payload.name, p))) return false;
  if (m.tags && !m.tags.some((t) => payload.tags?.includes(t))) return false;
  if (m.scopes && !m.scopes.some((s) => scopeMatches(payload.scope, s))) return false;
  return true;
}

function detectFormat(text: string): "env" | "json" | "yaml" {
  const t = text.replace(/^\uFEFF/, "").trimStart();
  if (t.startsWith("{")) return "json";
  const firstLine = t.split(/\r?\n/).find((l) => l.trim() && !l.trim().startsWith("#")) ?? "";
  if (/^(export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=/.test(firstLine)) return "env";
  return "yaml";
}

function encodeCursor(n: number): string {
  return Buffer.from(`o:${n}`).toString("base64url");
}

function decodeCursor(cursor: string): number {
  const m = /^o:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m) throw new CofferError("INVALID_ARGUMENT", "cursor is not valid", { field: "cursor" });
  return Number(m[1]);
}
