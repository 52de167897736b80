import type { SecretMetadata } from "../model/secret.js";
import type { DecayInfo } from "../service/types.js";

/** Fraction of the TTL after which a secret is stale. */
export const STALE_FRACTION = 0.75;

/**
 * Freshness of a secret at `now`: `ttlSeconds` decays from `updatedAt` (stale at 75%, expired
 * after, still readable); `expiresAt` is hard (`hard-expired` after it).
 */
export function decayOf(meta: Pick<SecretMetadata, "ttlSeconds" | "expiresAt" | "updatedAt">, now: Date): DecayInfo {
  const t = now.getTime();
  const info: DecayInfo = { state: "none" };
  let remaining: number | undefined;
  if (meta.expiresAt) {
    info.expiresAt = meta.expiresAt;
    const hard = Date.parse(meta.expiresAt);
    if (Number.isFinite(hard)) {
      remaining = (hard - t) / 1000;
      if (hard <= t) {
        info.state = "hard-expired";
        info.secondsRemaining = Math.floor(remaining);
        return info;
      }
    }
  }
  if (meta.ttlSeconds !== undefined && meta.ttlSeconds > 0) {
    const start = Date.parse(meta.updatedAt);
    const end = start + meta.ttlSeconds * 1000;
    info.ttlExpiresAt = new Date(end).toISOString();
    info.fractionUsed = Math.max(0, (t - start) / (meta.ttlSeconds * 1000));
    const ttlRemaining = (end - t) / 1000;
    remaining = remaining === undefined ? ttlRemaining : Math.min(remaining, ttlRemaining);
    info.state = info.fractionUsed >= 1 ? "expired" : info.fractionUsed >= STALE_FRACTION ? "stale" : "fresh";
  } else if (meta.expiresAt) {
    info.state = "fresh";
  }
  if (remaining !== undefined) info.secondsRemaining = Math.floor(remaining);
  return info;
}

/**
 * Parse a duration or date: `30d`, `24h`, `15m`, `90s`, `2w`, or an ISO date/time
 * (`2025-12-31`). Returns seconds from `now` for durations or an absolute date.
 */
export function parseDurationOrDate(text: string, now: Date): { seconds?: number; date?: Date } | undefined {
  const m = /^(\d+)\s*(s|m|h|d|w|y)$/i.exec(text.trim());
  if (m) {
    const n = Number(m[1]);
    const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }[m[2]!.toLowerCase() as "s"]!;
    return { seconds: n * unit };
  }
  if (/^\d{4}-\d{2}-\d{2}([Tt ][0-9:.]+([Zz]|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    const d = new Date(text.trim().length === 10 ? `${text.trim()}T00:00:00Z` : text.trim());
    if (!Number.isNaN(d.getTime())) return { date: d };
  }
  void now;
  return undefined;
}
