import type { Accessor } from "../audit/types.js";
import type { SecretMetadata } from "../model/secret.js";

/** Actions policy grants. */
export const POLICY_ACTIONS = ["read", "reveal", "write", "delete", "rotate", "export", "exec", "admin"] as const;
/** One policy action. */
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/** One question put to the policy engine. */
export interface PolicyRequest {
  /** Who asks. */
  accessor: Accessor;
  /** What for. */
  action: PolicyAction;
  /** Secret name, when the action concerns one. */
  name?: string;
  /** Scope label of the secret. */
  scope?: string;
  /** Tags of the secret, when known. */
  tags?: string[];
  /** Stored metadata, when the secret exists. */
  secret?: SecretMetadata;
  /** Command for `exec`. */
  command?: string;
  /** Its arguments, for `exec`: the exec lists follow launchers through them (`env node ...`). */
  args?: readonly string[];
  /** Stated purpose (reveal, exec). */
  purpose?: string;
  /** A non-secret resource the action concerns (for example `admin` of the audit log). */
  resource?: "audit" | "approvals" | "hooks" | "tokens" | "keys" | "config";
}

/** The engine's answer. */
export interface PolicyDecision {
  /** Allowed or not. */
  allowed: boolean;
  /** The rule that decided (audited with denials). */
  rule: string;
  /** Human reason for a denial. */
  reason?: string;
  /** Error code of a denial. @default "PERMISSION_DENIED" (approvals use "APPROVAL_REQUIRED") */
  code?: "PERMISSION_DENIED" | "APPROVAL_REQUIRED";
  /** Value-free details returned with the denial (for example an approval request id). */
  details?: Record<string, unknown>;
}

/** Decides whether an accessor may perform an action. */
export interface PolicyEngine {
  /** Decide one request. Must not throw for ordinary denials. */
  check(request: PolicyRequest): PolicyDecision | Promise<PolicyDecision>;
}

/** The policy used when none is configured: everything is allowed. */
export const ALLOW_ALL_POLICY: PolicyEngine = {
  check: () => ({ allowed: true, rule: "default:allow" }),
};
