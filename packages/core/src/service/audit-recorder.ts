import type { Accessor, AuditAction, AuditEntryInput, AuditLog } from "../audit/types.js";
import { asProviderError } from "../chain/fallback-chain.js";
import { CofferError, isCofferError } from "../errors/index.js";
import type { Provider } from "../provider/provider.js";

/** Background (read) audit entries are committed at most this often... */
const AUDIT_FLUSH_MS = 20;
/** ...or as soon as this many are waiting. */
const AUDIT_BATCH_MAX = 512;

/** An audit entry as an operation describes it (who and when are added by the recorder). */
export type AuditDraft = Omit<AuditEntryInput, "time" | "accessor" | "frontEnd">;

/**
 * The service's audit recorder, shared by every accessor view: entries that must be committed
 * before an answer (writes, reveals, denials), read entries batched in the background and
 * coalesced, and the intent/outcome protocol for providers that do not keep the log.
 */
export class AuditRecorder {
  private pending: AuditEntryInput[] = [];
  private flushScheduled = false;
  private exitHookInstalled = false;
  private flushing: Promise<void> | undefined;

  constructor(
    /** The log, when one is configured. */
    readonly log: AuditLog | undefined,
    /** The provider that commits audit entries in its own write transactions (the local store). */
    readonly owner: Provider | undefined,
    private readonly clock: () => Date,
  ) {}

  /** A full entry for `accessor`, stamped now. */
  entry(accessor: Accessor, draft: AuditDraft): AuditEntryInput {
    return { time: this.clock().toISOString(), accessor: accessor.id, frontEnd: accessor.frontEnd, ...draft };
  }

  /** Record an entry now; throws when it cannot be recorded (callers fail closed). */
  async record(accessor: Accessor, draft: AuditDraft): Promise<void> {
    if (!this.log) return;
    await this.log.append(this.entry(accessor, draft));
  }

  /**
   * Record a read-type entry now (the caller waits: it fails closed), committed but not flushed
   * to disk before returning, like the batched read entries: it survives a crash of the process,
   * not a power loss. Throws when it cannot be recorded.
   */
  async recordRead(accessor: Accessor, draft: AuditDraft): Promise<void> {
    const log = this.log;
    if (!log) return;
    const entry = this.entry(accessor, draft);
    if (log.appendMany) await log.appendMany([entry], { durable: false });
    else await log.append(entry);
  }

  /** Record a read-type entry in the background, batched (reads are not writes: nothing to undo). */
  recordLater(accessor: Accessor, draft: AuditDraft): void {
    if (!this.log) return;
    this.pending.push(this.entry(accessor, draft));
    if (this.pending.length >= AUDIT_BATCH_MAX) {
      this.flushing = this.flush();
    } else if (!this.flushScheduled) {
      // Batched: at most one commit per AUDIT_FLUSH_MS; the timer does not keep the process
      // alive, and a process that ends without dispose() still flushes on beforeExit.
      this.flushScheduled = true;
      setTimeout(() => {
        this.flushing = this.flush();
      }, AUDIT_FLUSH_MS).unref();
      if (!this.exitHookInstalled) {
        this.exitHookInstalled = true;
        process.once("beforeExit", () => {
          if (this.pending.length > 0) this.flushing = this.flush();
        });
      }
    }
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = coalesceReads(this.pending.splice(0));
    if (!this.log || batch.length === 0) return;
    const log = this.log;
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
  async settle(): Promise<void> {
    if (this.flushing) await this.flushing;
    await this.flush();
  }

  /** Record a failed operation (best effort) and throw its error as a CofferError. */
  async failure(
    accessor: Accessor,
    action: AuditAction,
    err: unknown,
    extra: Partial<AuditEntryInput> = {},
  ): Promise<never> {
    const e = err instanceof CofferError ? err : asProviderError(err, "service");
    try {
      await this.record(accessor, { action, success: false, errorCode: e.code, ...extra });
    } catch {
      // the original error matters more than a failed failure record
    }
    throw e;
  }

  /**
   * Run a change at `provider` with its audit entry: committed in the same transaction where the
   * provider keeps the log (`run` receives the entry), else an intent entry first and the
   * outcome after (`run` receives nothing).
   */
  async audited<T>(
    provider: Provider,
    audit: AuditEntryInput | undefined,
    run: (audit?: AuditEntryInput) => Promise<T>,
    version?: (out: T) => number | undefined,
  ): Promise<T> {
    if (!this.log || !audit) return run();
    if (provider === this.owner) return run(audit);
    await this.log.append({ ...audit, success: false, details: { ...(audit.details ?? {}), phase: "intent" } });
    try {
      const out = await run();
      const v = version?.(out);
      await this.log.append({
        ...audit,
        ...(v !== undefined ? { version: v } : {}),
        details: { ...(audit.details ?? {}), phase: "outcome" },
      });
      return out;
    } catch (err) {
      const e = asProviderError(err, provider.name);
      await this.log
        .append({
          ...audit,
          success: false,
          errorCode: e.code,
          details: { ...(audit.details ?? {}), phase: "outcome" },
        })
        .catch(() => undefined);
      throw e;
    }
  }
}

/**
 * Merge identical background entries of one batch (same accessor, action, secret, outcome) into
 * one entry with `details.count` and the last time, placed where the first of them was: an agent
 * or a server reading the same few secrets over and over costs one audit row per secret per
 * flush rather than one per read.
 */
export function coalesceReads(entries: AuditEntryInput[]): AuditEntryInput[] {
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
