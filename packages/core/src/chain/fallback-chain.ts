import { CofferError, isCofferError, type ProviderOutcome } from "../errors/index.js";
import type { ScopeKind } from "../model/scope.js";
import type { SecretAddress, StoredSecret } from "../model/secret.js";
import type { Provider, ProviderHealth } from "../provider/provider.js";
import { formatAge } from "../remote/format-age.js";
import { DEFAULT_MAX_STALE_SECONDS, type LastKnownGood } from "../remote/last-known-good.js";

/** A provider with its read priority. */
export interface ChainEntry {
  /** The provider. */
  provider: Provider;
  /** Higher is read first. */
  priority: number;
}

/** How the chain treats a provider failure (not a miss) on reads. */
export type ChainPolicy = "fallthrough" | "strict";

/** Options of a {@link FallbackChain}. */
export interface FallbackChainOptions {
  /** Read policy. @default "fallthrough" */
  policy?: ChainPolicy;
  /**
   * Last-known-good copies of remote reads: current values read from a provider with
   * `capabilities.remote` are remembered, and recalled (within the provider's
   * `maxStaleSeconds`) when it is unreachable. @default none
   */
  lastKnownGood?: LastKnownGood;
  /** Never call remote providers; answer for them only from `lastKnownGood`. @default false */
  offline?: boolean;
  /** Clock used for the age of last-known-good copies. @default real time */
  clock?: () => Date;
}

/** How fresh a chain read is; its fields go into the service's provenance as they are. */
export interface ReadFreshness {
  /** Age in ms of a value served from a provider's read cache or the last-known-good cache. */
  cacheAgeMs?: number;
  /** Set when the value was served from the last-known-good cache: why, and how old it is. */
  staleWarning?: string;
}

/** A successful chain read. */
export interface ChainHit {
  /** The secret found. */
  secret: StoredSecret;
  /** The provider that answered (or on whose behalf the last-known-good cache answered). */
  provider: Provider;
  /** The address (scope/env) that answered. */
  address: SecretAddress;
  /** What every consulted provider did. */
  outcomes: ProviderOutcome[];
  /** Cache age and stale warning of the answer (empty for a value fetched now). */
  freshness: ReadFreshness;
}

/** Why a remote provider is answered from the last-known-good cache only. */
type CacheOnlyReason = "offline" | "unreachable";

/**
 * Providers ordered by priority. Reads go down the chain until found and report which provider
 * answered; failures are skipped (and reported) under `fallthrough`, fatal under `strict`.
 * With a {@link LastKnownGood} cache, an unreachable remote provider answers from its last
 * known good value (with a stale warning), and `offline` answers for remote providers from that
 * cache only.
 */
export class FallbackChain {
  /** Entries, highest priority first. */
  readonly entries: readonly ChainEntry[];
  /** Read policy. */
  readonly policy: ChainPolicy;
  /** True when remote providers are never called (answered from the last-known-good cache only). */
  readonly offline: boolean;
  private readonly byName = new Map<string, ChainEntry>();
  private readonly lastKnownGood: LastKnownGood | undefined;
  private readonly clock: () => Date;

  constructor(entries: ChainEntry[], options: ChainPolicy | FallbackChainOptions = "fallthrough") {
    const opts: FallbackChainOptions = typeof options === "string" ? { policy: options } : options;
    this.entries = [...entries].sort((a, b) => b.priority - a.priority);
    this.policy = opts.policy ?? "fallthrough";
    this.offline = opts.offline === true;
    this.lastKnownGood = opts.lastKnownGood;
    this.clock = opts.clock ?? (() => new Date());
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
   * Within one candidate, providers are tried by priority. A remote provider that fails with
   * UNAVAILABLE (or every remote provider when offline) is answered from the last-known-good
   * cache for current-version reads, when a copy younger than its `maxStaleSeconds` is kept.
   * @throws CofferError NOT_FOUND when every provider missed, UNAVAILABLE when none answered
   *   and some failed or were offline (details.outcomes lists each), or the first failure under
   *   `strict`; INTEGRITY when a provider or the last-known-good cache detects tampering.
   */
  async resolve(
    candidates: SecretAddress[],
    options: { version?: number; only?: string; noCache?: boolean } = {},
  ): Promise<ChainHit> {
    const outcomes: ProviderOutcome[] = [];
    const failed = new Set<string>();
    const cacheOnly = new Map<string, CacheOnlyReason>();
    const notes = new Map<string, string>();
    const current = options.version === undefined;
    let unanswered = false;
    const entries = options.only
      ? [this.byName.get(options.only) ?? { provider: this.provider(options.only), priority: 0 }]
      : this.entries;
    if (this.offline) {
      for (const { provider } of entries) if (provider.capabilities.remote) cacheOnly.set(provider.name, "offline");
    }
    for (const address of candidates) {
      for (const { provider } of entries) {
        if (failed.has(provider.name) || !FallbackChain.holds(provider, address.scope.kind)) continue;
        if (address.env !== undefined && !provider.capabilities.envs) continue;
        const reason = cacheOnly.get(provider.name);
        if (reason !== undefined) {
          const served = await this.recall(provider, address, current, notes);
          if (served) {
            notes.delete(provider.name);
            if (reason === "offline") outcomes.push({ provider: provider.name, outcome: "hit" });
            else
              annotate(
                outcomes,
                provider.name,
                `served from the last-known-good cache (${formatAge(served.ageMs)} old)`,
              );
            return this.staleHit(provider, address, served, reason, withNotes(mergeOutcomes(outcomes), notes));
          }
          if (reason === "offline") {
            outcomes.push({ provider: provider.name, outcome: "skipped", message: "not contacted (offline)" });
            unanswered = true;
          }
          continue;
        }
        try {
          const secret =
            current && provider.lookup && !options.noCache
              ? await provider.lookup(address)
              : await provider.get(address, {
                  ...(current ? {} : { version: options.version }),
                  ...(options.noCache ? { noCache: true } : {}),
                });
          if (secret === undefined) {
            outcomes.push({ provider: provider.name, outcome: "miss" });
            if (current && provider.capabilities.remote) await this.forget(provider, address);
            continue;
          }
          outcomes.push({ provider: provider.name, outcome: "hit" });
          const freshness: ReadFreshness = {};
          if (secret.cachedAgeMs !== undefined) freshness.cacheAgeMs = secret.cachedAgeMs;
          else if (current && provider.capabilities.remote) await this.remember(provider, address, secret);
          return { secret, provider, address, outcomes: withNotes(mergeOutcomes(outcomes), notes), freshness };
        } catch (err) {
          if (isCofferError(err, "NOT_FOUND")) {
            outcomes.push({ provider: provider.name, outcome: "miss" });
            if (current && provider.capabilities.remote) await this.forget(provider, address);
            continue;
          }
          const e = asProviderError(err, provider.name);
          // Version-specific answers (EXPIRED old version) are answers, not failures; tampering
          // (INTEGRITY) is never papered over by reading another provider.
          if (e.code === "EXPIRED" || e.code === "INTEGRITY") throw e;
          outcomes.push({ provider: provider.name, outcome: "error", code: e.code, message: e.message });
          // A refusal is an answer: no copy this read could fall back to may outlive the access
          // it was read with (the provider is not asked about the remaining candidates).
          if (e.code === "PERMISSION_DENIED" && current && provider.capabilities.remote) {
            for (const later of candidates.slice(candidates.indexOf(address))) await this.forget(provider, later);
          }
          if (e.code === "UNAVAILABLE" && provider.capabilities.remote && this.lastKnownGood && !current) {
            notes.set(provider.name, "the last-known-good cache keeps current versions only");
          } else if (e.code === "UNAVAILABLE" && provider.capabilities.remote && this.lastKnownGood) {
            cacheOnly.set(provider.name, "unreachable");
            const served = await this.recall(provider, address, current, notes);
            if (served) {
              notes.delete(provider.name);
              annotate(
                outcomes,
                provider.name,
                `served from the last-known-good cache (${formatAge(served.ageMs)} old)`,
              );
              return this.staleHit(provider, address, served, "unreachable", withNotes(mergeOutcomes(outcomes), notes));
            }
            if (this.policy !== "strict") {
              unanswered = true;
              continue;
            }
          }
          if (this.policy === "strict") {
            const note = notes.get(provider.name);
            throw new CofferError(
              "UNAVAILABLE",
              `provider ${provider.name} failed: ${e.message}${note ? `; ${note}` : ""}`,
              { provider: provider.name, outcomes: withNotes(mergeOutcomes(outcomes), notes) },
            );
          }
          failed.add(provider.name);
        }
      }
    }
    const merged = withNotes(mergeOutcomes(outcomes), notes);
    const name = candidates[0]?.name ?? "";
    if (failed.size > 0 || unanswered) {
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

  /**
   * Drop the last-known-good copy of `address` kept for `provider` (for example after the
   * service wrote or deleted it there). Failures are ignored; nothing happens without a cache.
   */
  async forgetLastKnownGood(provider: string, address: SecretAddress): Promise<void> {
    if (!this.lastKnownGood?.forget) return;
    try {
      await this.lastKnownGood.forget(provider, address);
    } catch {
      // a copy that cannot be dropped is still bounded by maxStaleSeconds
    }
  }

  /** A usable copy of `address` for `provider`, or undefined (with the reason kept in `notes`). */
  private async recall(
    provider: Provider,
    address: SecretAddress,
    current: boolean,
    notes: Map<string, string>,
  ): Promise<{ secret: StoredSecret; ageMs: number } | undefined> {
    const note = (text: string, strong = false) => {
      if (strong || !notes.has(provider.name)) notes.set(provider.name, text);
    };
    const lkg = this.lastKnownGood;
    if (!lkg) {
      note("no last-known-good cache is configured");
      return undefined;
    }
    if (!current) {
      note("the last-known-good cache keeps current versions only");
      return undefined;
    }
    const maxStaleSeconds = lkg.maxStaleSeconds?.(provider.name) ?? DEFAULT_MAX_STALE_SECONDS;
    if (!(maxStaleSeconds > 0)) {
      note(`the last-known-good cache is off for ${provider.name} (maxStaleSeconds 0)`);
      return undefined;
    }
    let copy: Awaited<ReturnType<LastKnownGood["recall"]>>;
    try {
      copy = await lkg.recall(provider.name, address);
    } catch (err) {
      if (isCofferError(err, "INTEGRITY")) throw err;
      note(`the last-known-good cache could not be read (${isCofferError(err) ? err.code : "error"})`);
      return undefined;
    }
    if (!copy) {
      note("no last-known-good copy is kept");
      return undefined;
    }
    const storedAt = Date.parse(copy.storedAt);
    const ageMs = Number.isNaN(storedAt) ? Number.POSITIVE_INFINITY : Math.max(0, this.clock().getTime() - storedAt);
    if (ageMs > maxStaleSeconds * 1000) {
      note(
        `the last-known-good copy is ${Number.isFinite(ageMs) ? formatAge(ageMs) : "of unknown age"} old, beyond maxStaleSeconds (${maxStaleSeconds} s)`,
        true,
      );
      return undefined;
    }
    return { secret: copy.secret, ageMs };
  }

  private staleHit(
    provider: Provider,
    address: SecretAddress,
    served: { secret: StoredSecret; ageMs: number },
    reason: CacheOnlyReason,
    outcomes: ProviderOutcome[],
  ): ChainHit {
    const why = reason === "offline" ? "not contacted (offline)" : "unreachable";
    return {
      secret: served.secret,
      provider,
      address,
      outcomes,
      freshness: {
        cacheAgeMs: served.ageMs,
        staleWarning: `served from the last-known-good cache: ${provider.name} ${why}; value is ${formatAge(served.ageMs)} old`,
      },
    };
  }

  /** Keep a copy of a fresh remote read; a failure to keep it never fails the read. */
  private async remember(provider: Provider, address: SecretAddress, secret: StoredSecret): Promise<void> {
    if (!this.lastKnownGood) return;
    try {
      await this.lastKnownGood.remember(provider.name, address, secret);
    } catch {
      // the read succeeded; only a later outage loses this copy
    }
  }

  private forget(provider: Provider, address: SecretAddress): Promise<void> {
    return this.forgetLastKnownGood(provider.name, address);
  }

  /** Health of every provider, in chain order (remote providers are not contacted when offline). */
  async health(): Promise<Array<{ entry: ChainEntry; health: ProviderHealth; checkedAt: Date }>> {
    return Promise.all(
      this.entries.map(async (entry) => {
        const started = Date.now();
        let health: ProviderHealth;
        if (this.offline && entry.provider.capabilities.remote) {
          return {
            entry,
            health: { ok: false, message: "not contacted (offline)", latencyMs: 0 },
            checkedAt: new Date(),
          };
        }
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

/** Add `text` to the error outcome of `provider`. */
function annotate(outcomes: ProviderOutcome[], provider: string, text: string): void {
  const o = outcomes.find((x) => x.provider === provider && x.outcome === "error");
  if (o) o.message = o.message ? `${o.message}; ${text}` : text;
}

/** Copies of the outcomes with why no last-known-good copy was served added to their messages. */
function withNotes(outcomes: ProviderOutcome[], notes: Map<string, string>): ProviderOutcome[] {
  return outcomes.map((o) => {
    const note = notes.get(o.provider);
    if (!note || o.outcome === "hit" || o.outcome === "miss") return o;
    return { ...o, message: o.message ? `${o.message}; ${note}` : note };
  });
}

function describeOutcome(o: ProviderOutcome): string {
  return o.outcome === "error" || o.outcome === "skipped"
    ? `${o.provider}: ${o.code ?? o.outcome} ${o.message ?? ""}`.trim()
    : `${o.provider}: ${o.outcome}`;
}

/** Any provider failure as a CofferError (foreign errors become UNAVAILABLE without their text). */
export function asProviderError(err: unknown, provider: string): CofferError {
  if (err instanceof CofferError) return err;
  return new CofferError("UNAVAILABLE", `provider ${provider} failed unexpectedly`, { provider }, { cause: err });
}
