import type { FastifyRequest } from "fastify";
import type { RateLimitSettings } from "../server-settings.js";
import { HttpProblem } from "./problem.js";
import { WindowCounters } from "./window-counters.js";

/** The server's rate limiters: per client address, per token, and for failed authentications. */
export interface RateLimits {
  /** Count a request from its client address. @throws HttpProblem 429 past the limit */
  checkAddress(req: FastifyRequest): void;
  /** Refuse an address that failed authentication too often. @throws HttpProblem 429 while blocked */
  checkNotBlocked(req: FastifyRequest): void;
  /** Count a failed authentication; true when the address is now blocked. */
  recordAuthFailure(req: FastifyRequest): boolean;
  /** Count a request of an authenticated token. @throws HttpProblem 429 past the limit */
  checkToken(tokenId: string): void;
}

/** Keys (addresses, tokens) each limiter remembers at most. */
const MAX_KEYS = 10_000;

/** Build the limiters (in memory, per server process). */
export function createRateLimits(settings: RateLimitSettings, now: () => number = Date.now): RateLimits {
  const windowMs = settings.windowSeconds * 1000;
  const perAddress = new WindowCounters(windowMs, MAX_KEYS, now);
  const perToken = new WindowCounters(windowMs, MAX_KEYS, now);
  const authFailures = new WindowCounters(windowMs, MAX_KEYS, now);
  const blockedUntil = new Map<string, number>();

  const tooMany = (seconds: number, what: string) =>
    new HttpProblem(
      429,
      "RATE_LIMITED",
      `too many ${what}; retry in ${seconds} s`,
      { retryAfterSeconds: seconds },
      { "retry-after": String(seconds) },
    );

  return {
    checkAddress(req) {
      const w = perAddress.hit(req.ip);
      if (w.count > settings.perAddress) throw tooMany(perAddress.secondsLeft(w), "requests from this address");
    },
    checkNotBlocked(req) {
      if (blockedUntil.size === 0) return;
      const until = blockedUntil.get(req.ip);
      if (until === undefined) return;
      const left = until - now();
      if (left <= 0) {
        blockedUntil.delete(req.ip);
        return;
      }
      throw tooMany(Math.ceil(left / 1000), "failed authentications from this address");
    },
    recordAuthFailure(req) {
      const w = authFailures.hit(req.ip);
      if (w.count <= settings.authFailuresPerAddress) return false;
      if (blockedUntil.size >= MAX_KEYS) {
        const oldest = blockedUntil.keys().next().value;
        if (oldest !== undefined) blockedUntil.delete(oldest);
      }
      blockedUntil.set(req.ip, Math.max(w.resetAt, now() + 1000));
      return true;
    },
    checkToken(tokenId) {
      const w = perToken.hit(tokenId);
      if (w.count > settings.perToken) throw tooMany(perToken.secondsLeft(w), "requests for this token");
    },
  };
}
