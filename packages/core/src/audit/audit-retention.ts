import { CofferError } from "../errors/index.js";
import type { DocumentStore } from "../store/document-store.js";
import type { AuditLog } from "./types.js";

/** Where the last retention run is remembered (service documents). */
export const RETENTION_DOCUMENT = { collection: "governance", key: "audit-retention" } as const;
/** Longest retention, days (100 years). */
export const MAX_RETENTION_DAYS = 36500;

const DAY_MS = 86400_000;

/** What a retention run removed. */
export interface RetentionOutcome {
  /** Entries removed. */
  removed: number;
  /** Entries older than this time were removed, ISO 8601. */
  before: string;
}

function checkDays(days: unknown): number {
  if (typeof days !== "number" || !Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS) {
    throw new CofferError(
      "CONFIG",
      `audit.retentionDays must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}`,
      { field: "audit.retentionDays" },
    );
  }
  return days;
}

/**
 * Remove audit entries older than `days` days before `now`. The chain stays verifiable: the
 * store keeps the hash of the last removed entry as the new anchor.
 * @throws CofferError CONFIG for a bad number of days, UNSUPPORTED when the log cannot prune
 */
export async function applyRetention(
  auditLog: AuditLog,
  days: number,
  now: Date = new Date(),
): Promise<RetentionOutcome> {
  checkDays(days);
  if (typeof auditLog.prune !== "function")
    throw new CofferError("UNSUPPORTED", "this audit log does not support retention (prune)");
  const before = new Date(now.getTime() - days * DAY_MS).toISOString();
  return { removed: await auditLog.prune(before), before };
}

/** Options of {@link applyRetentionDaily}. */
export interface DailyRetentionOptions {
  /** The audit log to prune. */
  auditLog: AuditLog;
  /** Documents where the last run is remembered. */
  documents: DocumentStore;
  /** `audit.retentionDays`. */
  days: number;
  /** Current time. @default new Date() */
  now?: Date;
}

/** What {@link applyRetentionDaily} did. */
export interface DailyRetentionOutcome extends Partial<RetentionOutcome> {
  /** False when a run happened less than a day ago (in any process). */
  ran: boolean;
}

/**
 * Apply retention at most once a day across processes: the run is claimed atomically in the
 * documents, so front ends can call this on every start-up cheaply. A failed prune releases the
 * claim so the next start-up tries again.
 * @throws CofferError CONFIG for a bad number of days; the prune's error when it fails
 */
export async function applyRetentionDaily(options: DailyRetentionOptions): Promise<DailyRetentionOutcome> {
  checkDays(options.days);
  const now = options.now ?? new Date();
  let previous: { lastRunAt: string } | undefined;
  let claimed = false;
  await options.documents.update<{ lastRunAt: string }>(
    RETENTION_DOCUMENT.collection,
    RETENTION_DOCUMENT.key,
    (current) => {
      previous = current;
      const last = current ? Date.parse(current.lastRunAt) : Number.NaN;
      if (!Number.isNaN(last) && now.getTime() - last < DAY_MS && last <= now.getTime()) return current;
      claimed = true;
      return { lastRunAt: now.toISOString() };
    },
  );
  if (!claimed) return { ran: false };
  try {
    return { ran: true, ...(await applyRetention(options.auditLog, options.days, now)) };
  } catch (err) {
    await options.documents
      .update(RETENTION_DOCUMENT.collection, RETENTION_DOCUMENT.key, () => previous)
      .catch(() => undefined);
    throw err;
  }
}
