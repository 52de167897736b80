import { type ApiTokenInfo, type Coffer, CofferError } from "@coffer/core";
import type { FastifyRequest } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified API token (set by bearer authentication on `/v1` routes). */
    apiToken: ApiTokenInfo | null;
    /** The service acting as the token (accessor `{ id: token.name, kind: "token", frontEnd: "rest" }`). */
    tokenCoffer: Coffer | null;
  }
}

/**
 * The authenticated token and the service handle of a `/v1` request.
 * @throws CofferError UNAUTHENTICATED when the request was not authenticated
 */
export function authenticated(req: FastifyRequest): { token: ApiTokenInfo; coffer: Coffer } {
  if (!req.apiToken || !req.tokenCoffer) {
    // Only reachable if a route were registered outside the authenticated scope.
    throw new CofferError("UNAUTHENTICATED", "authentication required");
  }
  return { token: req.apiToken, coffer: req.tokenCoffer };
}
