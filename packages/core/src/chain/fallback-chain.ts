import { CofferError, type ProviderOutcome, isCofferError } from "../errors/index.js";
import type { ScopeKind } from "../model/scope.js";
import type { SecretAddress, StoredSecret } from "../model/secret.js";
import type { Provider, ProviderHealth } from "../provider/provider.js";

/** A provider with its read priority. */
export interface ChainEntry {
  /** The provider. */
  provider: Provider;
  /** Higher is read first. */
  priority: number;
}

/** How the chain treats a provider failure (not a miss) on reads. */
export type ChainPolicy = "fallthrough" | "strict";

/** A successful chain read. */
export interface ChainHit {
  /** The secret found. */
  secret: StoredSecret;
  /** The provider that answered. */
  provider: Provider;
  /** The address (scope/env) that answered. */
  address: SecretAddress;
  /** What every consulted provider did. */
  outcomes: ProviderOutcome[];
}

/**
 * Providers ordered by priority. Reads go down the chain until found and report which provider
 * answered; failures are skipped (and reported) under `fallthrough`, fatal under `strict`.
 */
export class FallbackChain {
  /** Entries, highest priority first. */
  readonly entries: readonly ChainEntry[];
  /** Read policy. */
  readonly policy: ChainPolicy;
  private readonly byName = new Map<string, ChainEntry>();

  constructor(entries: ChainEntry[], policy: ChainPolicy = "fallthrough") {
    this.entries = [...entries].sort((a, b) => b.priority - a.priority);
    this.policy = policy;
    for (const e of this.entries) {
      if (this.byName.has(e.provider.name)) {
        throw new CofferError("CONFIG", `two providers are named "${e.provider.name}"; provider names must be unique`);
      }
      this.byName.set(e.provider.name, e);
    }
    if (this.entries.length === 0) throw new CofferError("CONFIG", "no provider is configured");
  }

  /** Provider by instance name. @throws CofferError INVALID_ARGUMENT naming the configured ones */
  provider(name: string): Provider {
    const e = this.byName.get(name);
    if (!e) {
      throw new CofferError(
        "INVALID_ARGUMENT",
        `unknown provider "${name}"; configured providers are: ${this.entries.map((x) => x.provider.name).join(", ")}`,
        { field: "provider" },
      );
    }
    return e.provider;
  }

  /** Priority of a provider. */
  priorityOf(name: string): number {
    return this.byName.get(name)?.priority ?? 0;
  }

  /** Whether a provider can hold a scope kind. */
  static holds(provider: Provider, kind: ScopeKind): boolean {
    return provider.capabilities.scopes.includes(kind);
  }

  /**
   * Read the first of `candidates` (ordered most specific first) that any provider holds.
   * Within one candidate, providers are tried by priority.
   * @throws CofferError NOT_FOUND when every provider missed, UNAVAILABLE when none answered
   *   and some failed (details.outcomes lists each), or the first failure under `strict`.
   */
  async resolve(
    candidates: SecretAddress[],
    options: { version?: number; only?: string } = {},
  ): Promise<ChainHit> {
    const outcomes: ProviderOutcome[] = [];
    const failed = new Set<string>();
    const entries = options.only ? [this.byName.get(options.only) ?? { provider: this.provider(options.only), priority: 0 }] : this.entries;
    for (const address of candidates) {
      for (const { provider } of entries) {
        if (failed.has(provider.name) || !FallbackChain.holds(provider, address.scope.kind)) continue;
        if (address.env !== undefined && !provider.capabilities.envs) continue;
        try {
          const secret =
            options.version === undefined && provider.lookup
              ? await provider.lookup(address)
              : await provider.get(address, options.version === undefined ? undefined : { version: options.version });
          if (secret === undefined) {
            outcomes.push({ provider: provider.name, outcome: "miss" });
            continue;
          }
          outcomes.push({ provider: provider.name, outcome: "hit" });
          return { secret, provider, address, outcomes: mergeOutcomes(outcomes) };
        } catch (err) {
          if (isCofferError(err, "NOT_FOUND")) {
            outcomes.push({ provider: provider.name, outcome: "miss" });
            continue;
          }
          const e = asProviderError(err, provider.name);
          // Version-specific answers (EXPIRED old version) are answers, not failures; tampering
          // (INTEGRITY) is never papered over by reading another provider.
          if (e.code === "EXPIRED" || e.code === "INTEGRITY") throw e;
          outcomes.push({ provider: provider.name, outcome: "error", code: e.code, message: e.message });
          if (this.policy === "strict") {
            throw new CofferError("UNAVAILABLE", `provider ${provider.name} failed: ${e.message}`, {
              provider: provider.name,
              outcomes: mergeOutcomes(outcomes),
            });
          }
          failed.add(provider.name);
        }
      }
    }
    const merged = mergeOutcomes(outcomes);
    const name = candidates[0]?.name ?? "";
    if (failed.size > 0) {
      throw new CofferError(
        "UNAVAILABLE",
        `secret "${name}" could not be read: ${merged.map(describeOutcome).join("; ")}`,
        { name, outcomes: merged },
      );
    }
    throw new CofferError("NOT_FOUND", `secret "${name}" not found`, {
      name,
      outcomes: merged,
      hint: `checked ${merged.map((o) => o.provider).join(", ") || "no provider"}`,
    });
  }

  /** Health of every provider, in chain order. */
  async health(): Promise<Array<{ entry: ChainEntry; health: ProviderHealth; checkedAt: Date }>> {
    return Promise.all(
      this.entries.map(async (entry) => {
        const started = Date.now();
        let health: ProviderHealth;
        try {
          health = entry.provider.health ? await entry.provider.health() : { ok: true, message: "no health check" };
        } catch (err) {
          const e = asProviderError(err, entry.provider.name);
          health = { ok: false, message: `${e.code}: ${e.message}` };
        }
        if (health.latencyMs === undefined) health = { ...health, latencyMs: Date.now() - started };
        return { entry, health, checkedAt: new Date() };
      }),
    );
  }

  /** Dispose every provider (errors are collected, not thrown early). */
  async dispose(): Promise<void> {
    const results = await Promise.allSettled(this.entries.map((e) => e.provider.dispose?.()));
    const failed = results.find((r) => r.status === "rejected");
    if (failed && failed.status === "rejected") throw asProviderError(failed.reason, "chain");
  }
}

/** Collapse repeated outcomes of one provider to its most telling one. */
function mergeOutcomes(outcomes: ProviderOutcome[]): ProviderOutcome[] {
  const rank = { hit: 3, error: 2, miss: 1, skipped: 0 } as const;
  const by = new Map<string, ProviderOutcome>();
  for (const o of outcomes) {
    const prev = by.get(o.provider);
    if (!prev || rank[o.outcome] > rank[prev.outcome]) by.set(o.provider, o);
  }
  return [...by.values()];
}

function describeOutcome(o: ProviderOutcome): string {
  return o.outcome === "error" ? `${o.provider}: ${o.code} ${o.message ?? ""}`.trim() : `${o.provider}: ${o.outcome}`;
}

/** Any provider failure as a CofferError (foreign errors become UNAVAILABLE without their text). */
export function asProviderError(err: unknown, provider: string): CofferError {
  if (err instanceof CofferError) return err;
  return new CofferError("UNAVAILABLE", `provider ${provider} failed unexpectedly`, { provider }, { cause: err });
}
