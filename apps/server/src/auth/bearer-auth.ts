import { type ApiTokenInfo, type ApiTokens, type Coffer, CofferError } from "@coffer/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import { HttpProblem } from "../http/problem.js";
import type { RateLimits } from "../http/rate-limits.js";
import { tokenAccessor } from "./token-policy.js";

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

/**
 * The `onRequest` hook of every `/v1` route: verify `Authorization: Bearer <token>`, apply the
 * failed-authentication and per-token rate limits, and attach the token and a service handle
 * acting as the token (its name is the accessor in the audit log; its scopes and pattern are
 * enforced by the core's policy engine).
 */
export function bearerAuthentication(base: Coffer, tokens: ApiTokens, limits: RateLimits) {
  // The service handle acting as a token, per verified token object (a remembered token is the
  // same frozen object on every request until the store changes).
  const handles = new WeakMap<ApiTokenInfo, Coffer>();
  return async function authenticate(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    // Every /v1 answer, refusals included, is for this caller only.
    reply.header("cache-control", "no-store");
    limits.checkNotBlocked(req);
    const header = req.headers.authorization;
    const match = typeof header === "string" ? BEARER.exec(header) : null;
    if (!match?.[1]) {
      throw new HttpProblem(
        401,
        "UNAUTHENTICATED",
        "authentication required: send Authorization: Bearer <token>",
        {},
        {
          "www-authenticate": 'Bearer realm="coffer"',
        },
      );
    }
    let token: Awaited<ReturnType<ApiTokens["verify"]>>;
    try {
      token = await tokens.verify(match[1]);
    } catch (err) {
      if (err instanceof CofferError && err.code === "UNAUTHENTICATED") {
        if (limits.recordAuthFailure(req)) limits.checkNotBlocked(req);
        throw new HttpProblem(
          401,
          "UNAUTHENTICATED",
          err.message,
          {},
          {
            "www-authenticate": 'Bearer realm="coffer", error="invalid_token"',
          },
        );
      }
      throw err;
    }
    limits.checkToken(token.id);
    req.apiToken = token;
    // The core's policy engine checks the token's scopes and pattern on every service call.
    let handle = handles.get(token);
    if (!handle) {
      handle = base.withAccessor(tokenAccessor(token));
      handles.set(token, handle);
    }
    req.tokenCoffer = handle;
  };
}
