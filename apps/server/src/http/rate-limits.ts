import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RateLimitSettings } from "../server-settings.js";
import { HttpProblem } from "./problem.js";

/** The server's rate limiters: per client address, per token, and for failed authentications. */
export interface RateLimits {
  /** Count a request from its client address. @throws HttpProblem 429 past the limit */
  checkAddress(req: FastifyRequest): Promise<void>;
  /** Refuse an address that failed authentication too often. @throws HttpProblem 429 while blocked */
  checkNotBlocked(req: FastifyRequest): void;
  /** Count a failed authentication; true when the address is now blocked. */
  recordAuthFailure(req: FastifyRequest): Promise<boolean>;
  /** Count a request of an authenticated token. @throws HttpProblem 429 past the limit */
  checkToken(req: FastifyRequest, tokenId: string): Promise<void>;
}

const MAX_BLOCKED = 10_000;

/**
 * Build the limiters on @fastify/rate-limit's counters (registered with `global: false`; the
 * server applies them itself so it can count the same request under several keys).
 */
export function createRateLimits(
  app: FastifyInstance,
  settings: RateLimitSettings,
  now: () => number = Date.now,
): RateLimits {
  const timeWindow = settings.windowSeconds * 1000;
  const tokenKeys = new WeakMap<FastifyRequest, string>();
  const perAddress = app.createRateLimit({
    max: settings.perAddress,
    timeWindow,
    keyGenerator: (req) => `ip:${req.ip}`,
  });
  const perToken = app.createRateLimit({
    max: settings.perToken,
    timeWindow,
    keyGenerator: (req) => `token:${tokenKeys.get(req) ?? ""}`,
  });
  const authFailures = app.createRateLimit({
    max: settings.authFailuresPerAddress,
    timeWindow,
    keyGenerator: (req) => `auth-failure:${req.ip}`,
  });
  const blockedUntil = new Map<string, number>();

  const tooMany = (seconds: number, what: string) =>
    new HttpProblem(
      429,
      "RATE_LIMITED",
      `too many ${what}; retry in ${seconds} s`,
      { retryAfterSeconds: seconds },
      {
        "retry-after": String(seconds),
      },
    );

  return {
    async checkAddress(req) {
      const r = await perAddress(req);
      if (!r.isAllowed && r.isExceeded) throw tooMany(Math.max(1, r.ttlInSeconds), "requests from this address");
    },
    checkNotBlocked(req) {
      const until = blockedUntil.get(req.ip);
      if (until === undefined) return;
      const left = until - now();
      if (left <= 0) {
        blockedUntil.delete(req.ip);
        return;
      }
      throw tooMany(Math.ceil(left / 1000), "failed authentications from this address");
    },
    async recordAuthFailure(req) {
      const r = await authFailures(req);
      if (r.isAllowed || !r.isExceeded) return false;
      if (blockedUntil.size >= MAX_BLOCKED) {
        const oldest = blockedUntil.keys().next().value;
        if (oldest !== undefined) blockedUntil.delete(oldest);
      }
      blockedUntil.set(req.ip, now() + Math.max(1000, r.ttl));
      return true;
    },
    async checkToken(req, tokenId) {
      tokenKeys.set(req, tokenId);
      const r = await perToken(req);
      if (!r.isAllowed && r.isExceeded) throw tooMany(Math.max(1, r.ttlInSeconds), "requests for this token");
    },
  };
}
