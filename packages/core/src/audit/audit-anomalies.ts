import type { AuditAction, AuditEntryInput } from "./types.js";

/** Actions counted as reads for bursts and unusual hours. */
export const READ_LIKE_ACTIONS: readonly AuditAction[] = ["read", "reveal", "exec", "export", "inspect", "history"];
/** Error codes counted as denials. */
export const DENIAL_CODES: readonly string[] = ["PERMISSION_DENIED", "APPROVAL_REQUIRED", "UNAUTHENTICATED"];

/** Thresholds of {@link detectAnomalies}. */
export interface AnomalyOptions {
  /** Reads by one accessor within `burstWindowSeconds` that make a burst. @default 30 */
  burstReads?: number;
  /** Window of a burst, seconds. @default 60 */
  burstWindowSeconds?: number;
  /** Denials of one accessor within `denialWindowSeconds` that are flagged. @default 5 */
  denials?: number;
  /** Window of repeated denials, seconds. @default 600 */
  denialWindowSeconds?: number;
  /** Reads an accessor needs in its history before its hours are judged. @default 20 */
  minHistory?: number;
  /** An hour holding less than this share of the accessor's history reads is unusual. @default 0.02 */
  rareHourFraction?: number;
  /**
   * Entries before this time are history only; anomalies are reported for entries at or after
   * it (and unusual hours are judged against the history before it). @default every entry counts
   */
  since?: string;
  /** IANA time zone of the hours. @default the local time zone */
  timeZone?: string;
}

/** Something in the audit log worth a look. */
export type Anomaly =
  | {
      /** Many reads by one accessor in a short time. */
      kind: "read-burst";
      /** Who. */
      accessor: string;
      /** Reads in the burst. */
      count: number;
      /** First read, ISO 8601. */
      from: string;
      /** Last read, ISO 8601. */
      to: string;
      /** Secrets read (at most 20). */
      names: string[];
    }
  | {
      /** Reads at an hour this accessor rarely or never reads at. */
      kind: "unusual-hour";
      /** Who. */
      accessor: string;
      /** Hour of day, 0-23, in the chosen time zone. */
      hour: number;
      /** Reads at that hour. */
      count: number;
      /** First, ISO 8601. */
      from: string;
      /** Last, ISO 8601. */
      to: string;
      /** Reads of that accessor in its history. */
      historyReads: number;
      /** Secrets read (at most 20). */
      names: string[];
    }
  | {
      /** Several denials of one accessor in a short time. */
      kind: "repeated-denials";
      /** Who. */
      accessor: string;
      /** Denials. */
      count: number;
      /** First, ISO 8601. */
      from: string;
      /** Last, ISO 8601. */
      to: string;
      /** Secrets concerned (at most 20). */
      names: string[];
    };

interface Timed {
  t: number;
  e: AuditEntryInput;
  /** Operations the entry stands for: a coalesced read entry counts each read it merged. */
  w: number;
}

/** Reads a coalesced entry merged (`details.count`), else 1. */
function weightOf(e: AuditEntryInput): number {
  const count = e.details?.coalesced === true ? e.details.count : undefined;
  return typeof count === "number" && Number.isSafeInteger(count) && count > 1 ? count : 1;
}

/** Operations the items stand for. */
function total(items: Timed[]): number {
  let n = 0;
  for (const item of items) n += item.w;
  return n;
}

/**
 * Maximal runs where items standing for at least `n` operations fall within `windowMs` of each
 * other (sliding window), merged when they overlap.
 */
function clusters(items: Timed[], n: number, windowMs: number): Timed[][] {
  const out: Timed[][] = [];
  let active: { from: number; to: number } | undefined;
  let left = 0;
  let inWindow = 0;
  for (let right = 0; right < items.length; right++) {
    inWindow += items[right]!.w;
    while (items[right]!.t - items[left]!.t > windowMs) inWindow -= items[left++]!.w;
    if (inWindow < n) continue;
    if (active && left <= active.to) active.to = right;
    else {
      if (active) out.push(items.slice(active.from, active.to + 1));
      active = { from: left, to: right };
    }
  }
  if (active) out.push(items.slice(active.from, active.to + 1));
  return out;
}

function namesOf(items: Timed[]): string[] {
  return [...new Set(items.map((i) => i.e.name).filter((n): n is string => n !== undefined))].slice(0, 20);
}

function byAccessor(items: Timed[]): Map<string, Timed[]> {
  const map = new Map<string, Timed[]>();
  for (const item of items) {
    const list = map.get(item.e.accessor) ?? [];
    list.push(item);
    map.set(item.e.accessor, list);
  }
  return map;
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Flag simple anomalies in audit entries (any order): bursts of reads by one accessor (N reads
 * within M seconds), reads at hours an accessor rarely or never reads at (judged once it has
 * enough history), and repeated denials of one accessor. A denial is a `policy-deny` entry or a
 * failure with PERMISSION_DENIED, APPROVAL_REQUIRED or UNAUTHENTICATED; the failure the service
 * records right after its own `policy-deny` (or hook veto) entry is not counted twice.
 * Pure: same entries and options, same result.
 */
export function detectAnomalies(entries: readonly AuditEntryInput[], options: AnomalyOptions = {}): Anomaly[] {
  const burstReads = Math.max(2, Math.floor(positive(options.burstReads, 30)));
  const burstWindowMs = positive(options.burstWindowSeconds, 60) * 1000;
  const denialCount = Math.max(2, Math.floor(positive(options.denials, 5)));
  const denialWindowMs = positive(options.denialWindowSeconds, 600) * 1000;
  const minHistory = Math.floor(positive(options.minHistory, 20));
  const rare = positive(options.rareHourFraction, 0.02);
  const since = options.since === undefined ? Number.NEGATIVE_INFINITY : Date.parse(options.since);
  const hourFormat = new Intl.DateTimeFormat("en-US", {
    hour: "numeric",
    hourCycle: "h23",
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  });
  const hourOf = (t: number) => Number(hourFormat.formatToParts(t).find((p) => p.type === "hour")?.value ?? 0) % 24;

  const timed: Timed[] = entries
    .map((e, i) => ({ t: Date.parse(e.time), e, i, seq: (e as { seq?: number }).seq ?? 0 }))
    .filter((x) => !Number.isNaN(x.t))
    .sort((a, b) => a.t - b.t || a.seq - b.seq || b.i - a.i)
    .map(({ t, e }) => ({ t, e, w: weightOf(e) }));
  const recent = (cluster: Timed[]) => cluster[cluster.length - 1]!.t >= since;
  const anomalies: Anomaly[] = [];

  const reads = timed.filter((x) => READ_LIKE_ACTIONS.includes(x.e.action));
  for (const [accessor, list] of byAccessor(reads)) {
    for (const c of clusters(list, burstReads, burstWindowMs)) {
      if (!recent(c)) continue;
      anomalies.push({
        kind: "read-burst",
        accessor,
        count: total(c),
        from: c[0]!.e.time,
        to: c[c.length - 1]!.e.time,
        names: namesOf(c),
      });
    }
    const history = list.filter((x) => x.t < since || since === Number.NEGATIVE_INFINITY);
    const historyReads = total(history);
    if (historyReads < minHistory) continue;
    const perHour = new Array<number>(24).fill(0);
    for (const x of history) perHour[hourOf(x.t)]! += x.w;
    const unusual = new Map<number, Timed[]>();
    for (const x of list) {
      if (x.t < since) continue;
      const hour = hourOf(x.t);
      if (perHour[hour]! / historyReads < rare) unusual.set(hour, [...(unusual.get(hour) ?? []), x]);
    }
    for (const [hour, hits] of unusual) {
      anomalies.push({
        kind: "unusual-hour",
        accessor,
        hour,
        count: total(hits),
        from: hits[0]!.e.time,
        to: hits[hits.length - 1]!.e.time,
        historyReads,
        names: namesOf(hits),
      });
    }
  }

  // The service records its own denial (policy-deny, or a hook entry for a veto) and then the
  // failed operation: count each such pair once.
  const denials: Timed[] = [];
  const recorded = new Map<string, number[]>();
  const keyOf = (e: AuditEntryInput) => `${e.accessor}\u0000${e.name ?? ""}`;
  for (const x of timed) {
    const ownRecord =
      x.e.action === "policy-deny" || (x.e.action === "hook" && !x.e.success && x.e.errorCode === "PERMISSION_DENIED");
    if (!ownRecord) continue;
    denials.push(x);
    recorded.set(keyOf(x.e), [...(recorded.get(keyOf(x.e)) ?? []), x.t]);
  }
  for (const x of timed) {
    if (
      x.e.action === "policy-deny" ||
      x.e.action === "hook" ||
      x.e.success ||
      !DENIAL_CODES.includes(x.e.errorCode ?? "")
    )
      continue;
    const times = recorded.get(keyOf(x.e));
    const pair = times?.findIndex((r) => Math.abs(x.t - r) <= 2000) ?? -1;
    if (pair >= 0) times!.splice(pair, 1);
    else denials.push(x);
  }
  denials.sort((a, b) => a.t - b.t);
  for (const [accessor, list] of byAccessor(denials)) {
    for (const c of clusters(list, denialCount, denialWindowMs)) {
      if (!recent(c)) continue;
      anomalies.push({
        kind: "repeated-denials",
        accessor,
        count: total(c),
        from: c[0]!.e.time,
        to: c[c.length - 1]!.e.time,
        names: namesOf(c),
      });
    }
  }
  return anomalies.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.kind < b.kind ? -1 : 1));
}
