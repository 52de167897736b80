import { parseDuration, parseTimestamp } from "../inputs/time-input.js";
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
 * Parse a duration or date: `30d`, `24h`, `15m`, `90s`, `2w`, `1y`, or a date/time
 * (`2025-12-31`, the start of that day UTC; see `parseTimestamp`). Returns seconds for
 * durations or an absolute date; undefined for other text.
 */
export function parseDurationOrDate(text: string, _now?: Date): { seconds?: number; date?: Date } | undefined {
  const m = /^(\d{1,16})\s*([smhdwy])$/i.exec(text.trim());
  if (m) {
    try {
      return { seconds: parseDuration(text, "duration", { min: 0, max: Number.MAX_SAFE_INTEGER, unit: "seconds" }) };
    } catch {
      return undefined;
    }
  }
  const iso = parseTimestamp(text);
  return iso === undefined ? undefined : { date: new Date(iso) };
}
