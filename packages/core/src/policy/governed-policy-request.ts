import type { PolicyRequest } from "./policy.js";

/** What an `admin` request is about. */
export const ADMIN_RESOURCES = ["audit", "approvals", "hooks", "tokens", "keys", "config"] as const;
/** One admin resource. */
export type AdminResource = (typeof ADMIN_RESOURCES)[number];

/**
 * A policy request as the governance engine reads it: the core {@link PolicyRequest} plus what
 * an `admin` request concerns. The service's audit reads send `admin` without `resource`; the
 * engine reads that as `audit`. Governance's own admin calls (approvals, hook registry) set it.
 */
export interface GovernedPolicyRequest extends PolicyRequest {
  /** What an `admin` request concerns. @default "audit" */
  resource?: AdminResource;
}

/**
 * Actions the service checks again for each secret after a name-less check (export and exec
 * check every secret they hand out). A name-less request for any other action (import's
 * up-front `write`, audit reads) is final, so rules are read conservatively for it.
 */
export const PER_SECRET_FOLLOW_UP_ACTIONS: ReadonlySet<string> = new Set(["read", "reveal", "export", "exec"]);
