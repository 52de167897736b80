import { userInfo } from "node:os";
import type { Accessor, AuditAction, AuditEntryInput } from "../audit/types.js";
import { asProviderError, type FallbackChain } from "../chain/fallback-chain.js";
import { detectEnvironment } from "../environment/detect.js";
import { CofferError, isCofferError } from "../errors/index.js";
import type { HookEvent, HookReport, HookSource } from "../hooks/hook.js";
import type { ScopeRef } from "../model/scope.js";
import type { SecretAddress, SecretMetadata, StoredSecret } from "../model/secret.js";
import { type NamingRule, validateEnvName, validateSecretName } from "../names/secret-name.js";
import type { PolicyEngine } from "../policy/policy.js";
import type { Provider } from "../provider/provider.js";
import { readCascade, resolveScope, type ScopeDefaults } from "../scope/resolve.js";
import type { DocumentStore } from "../store/document-store.js";
import { AccessGuard } from "./access-guard.js";
import type { AuditDraft, AuditRecorder } from "./audit-recorder.js";
import type { EntanglementRegistry } from "./entanglement.js";
import { type HookSubject, runHooks } from "./hook-runner.js";
import type { DetectedEnvironment, ScopeInput } from "./types.js";
import { secretView } from "./views.js";

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

/** The user that scope defaults name (`user` scope). */
export const currentOsUser = osUser;

/** State shared by every accessor view of one service. */
export interface ServiceState {
  chain: FallbackChain;
  defaultProvider: Provider;
  naming: NamingRule;
  scopeDefaults: Omit<ScopeDefaults, "agentId">;
  projectRoot: string;
  env: NodeJS.ProcessEnv;
  projectEnv?: string;
  branchMap: Record<string, string>;
  recoveryWindowDays: number;
  rotationGraceDays: number;
  recorder: AuditRecorder;
  documents?: DocumentStore;
  hooks: HookSource;
  policy: PolicyEngine;
  clock: () => Date;
  links: EntanglementRegistry;
}

/**
 * What every operation works with: the shared state, the accessor, its access guard, and the
 * small steps operations share (names, scopes, env detection, audit, hooks, provider lookups).
 * One per accessor view; operations are plain functions of it.
 */
export class OperationContext {
  /** The one access guard of this accessor. */
  readonly guard: AccessGuard;

  constructor(
    readonly state: ServiceState,
    readonly accessor: Accessor,
  ) {
    this.guard = new AccessGuard(accessor, state.policy, state.recorder);
  }

  now(): Date {
    return this.state.clock();
  }

  /** A validated secret name. @throws CofferError INVALID_ARGUMENT */
  name(name: unknown): string {
    return validateSecretName(name, this.state.naming);
  }

  /** A validated env name, or undefined. @throws CofferError INVALID_ARGUMENT */
  envName(env: string | undefined): string | undefined {
    return env === undefined ? undefined : validateEnvName(env);
  }

  private defaults(): ScopeDefaults {
    return { ...this.state.scopeDefaults, agentId: this.accessor.kind === "agent" ? this.accessor.id : undefined };
  }

  /** The one scope a write goes to. */
  writeScope(input: ScopeInput): ScopeRef {
    return resolveScope(input, this.defaults());
  }

  /** Scopes a read tries, most specific first. */
  cascade(input: ScopeInput): ScopeRef[] {
    return readCascade(input, this.defaults());
  }

  /** Addresses a read tries: per scope (most specific first), the env state then the default state. */
  candidates(name: string, scopes: ScopeRef[], env: string | undefined): SecretAddress[] {
    const out: SecretAddress[] = [];
    for (const scope of scopes) {
      if (env !== undefined) out.push({ name, scope, env });
      out.push({ name, scope });
    }
    return out;
  }

  async resolveEnv(explicit: string | undefined): Promise<DetectedEnvironment> {
    const s = this.state;
    return detectEnvironment({
      explicit,
      processEnv: s.env,
      configEnv: s.projectEnv,
      branchMap: s.branchMap,
      projectRoot: s.projectRoot,
    });
  }

  /** Find where a secret lives (any state), for mutations. */
  locate(name: string, input: ScopeInput & { provider?: string; env?: string }) {
    const env = this.envName(input.env);
    return this.state.chain.resolve(this.candidates(name, this.cascade(input), env), { only: input.provider });
  }

  /** The provider a write goes to: the named one or the default. */
  writeTarget(provider: string | undefined): Provider {
    return provider ? this.state.chain.provider(provider) : this.state.defaultProvider;
  }

  /** The current state at one provider, or undefined when it has none. */
  async current(provider: Provider, address: SecretAddress): Promise<StoredSecret | undefined> {
    try {
      return await provider.get(address);
    } catch (err) {
      if (isCofferError(err, "NOT_FOUND")) return undefined;
      throw asProviderError(err, provider.name);
    }
  }

  // ---------------------------------------------------------------- audit

  entry(draft: AuditDraft): AuditEntryInput {
    return this.state.recorder.entry(this.accessor, draft);
  }

  record(draft: AuditDraft): Promise<void> {
    return this.state.recorder.record(this.accessor, draft);
  }

  recordRead(draft: AuditDraft): Promise<void> {
    return this.state.recorder.recordRead(this.accessor, draft);
  }

  recordLater(draft: AuditDraft): void {
    this.state.recorder.recordLater(this.accessor, draft);
  }

  failure(action: AuditAction, err: unknown, extra: Partial<AuditEntryInput> = {}): Promise<never> {
    return this.state.recorder.failure(this.accessor, action, err, extra);
  }

  // ---------------------------------------------------------------- hooks and views

  hooks(phase: "before" | "after", event: HookEvent, payload: HookSubject): Promise<HookReport[]> {
    return runHooks(this.state.hooks, this.state.recorder, this.accessor, () => this.now(), phase, event, payload);
  }

  view(meta: SecretMetadata, value?: string, now: Date = this.now()) {
    return secretView(meta, value, now);
  }

  // ---------------------------------------------------------------- provider checks

  /** The provider as a writable one. @throws CofferError UNSUPPORTED when it is read-only */
  writable(provider: Provider): Provider & Required<Pick<Provider, "set">> {
    if (!provider.set || !provider.capabilities.write) {
      throw new CofferError(
        "UNSUPPORTED",
        `provider ${provider.name} is read-only; write to another provider (for example --provider local)`,
        { provider: provider.name },
      );
    }
    return provider as Provider & Required<Pick<Provider, "set">>;
  }

  /** Remote providers are not contacted in offline mode: changes to them are refused. @throws CofferError UNAVAILABLE */
  refuseOffline(provider: Provider): void {
    if (this.state.chain.offline && provider.capabilities.remote) {
      throw new CofferError(
        "UNAVAILABLE",
        `offline: ${provider.name} is not contacted, so this change cannot be made now`,
        { provider: provider.name },
      );
    }
  }
}
