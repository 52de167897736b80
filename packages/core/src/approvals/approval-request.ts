import type { Accessor } from "../audit/types.js";
import type { PolicyAction } from "../policy/policy.js";

/** Where approval requests live in the service documents, keyed by request id. */
export const APPROVALS_COLLECTION = "approvals";

/** Stored state of a request. */
export type StoredApprovalStatus = "pending" | "approved" | "denied";
/** State of a request as shown: `expired` is a pending request nobody answered in time, or an approval past its window. */
export type ApprovalStatus = StoredApprovalStatus | "expired";
/** Every status, for validating filters. */
export const APPROVAL_STATUSES = ["pending", "approved", "denied", "expired"] as const;

/** Who asked, as recorded. */
export interface ApprovalRequester {
  /** Accessor id. */
  id: string;
  /** Accessor kind. */
  kind: Accessor["kind"];
  /** Front end it asked through. */
  frontEnd: Accessor["frontEnd"];
}

/** A request for a human to allow one accessor one action on one secret. Never holds a value. */
export interface ApprovalRequest {
  /** Request id (`apr_...`). */
  id: string;
  /** Who asked. */
  requester: ApprovalRequester;
  /** Action asked for (`reveal`, `exec`). */
  action: PolicyAction;
  /** Secret name. */
  name: string;
  /** Scope label of the secret, when known. */
  scope?: string;
  /** Command to run (exec); an approval covers only this command. */
  command?: string;
  /** Stated purpose. */
  purpose?: string;
  /** Rule that required the approval. */
  rule: string;
  /** When it was asked, ISO 8601. */
  requestedAt: string;
  /** When the request expires unanswered, ISO 8601. */
  expiresAt: string;
  /** State. */
  status: ApprovalStatus;
  /** When a human answered, ISO 8601. */
  decidedAt?: string;
  /** Who answered (accessor id). */
  decidedBy?: string;
  /** Until when an approval holds, ISO 8601. */
  grantedUntil?: string;
  /** Note given with the answer. */
  note?: string;
}

/** What identifies the request (and the grant) of one accessor for one action on one secret. */
export interface ApprovalSubject {
  /** Who. */
  accessor: Pick<Accessor, "id" | "kind" | "frontEnd">;
  /** Action. */
  action: PolicyAction;
  /** Secret name. */
  name: string;
  /** Scope label, when known. */
  scope?: string;
  /** Command, for exec. */
  command?: string;
}

/** Input of a new request. */
export interface ApprovalRequestInput extends ApprovalSubject {
  /** Stated purpose. */
  purpose?: string;
  /** Rule that requires the approval. */
  rule: string;
}

/** Filter of {@link Approvals.list}. */
export interface ApprovalListFilter {
  /** Only this status. */
  status?: ApprovalStatus;
  /** Only requests of this accessor id. */
  requester?: string;
  /** Only requests for this secret. */
  name?: string;
}

/** Options of {@link Approvals.approve}. */
export interface ApproveOptions {
  /** The human approving: kind `user`, never the requester. */
  approver: Accessor;
  /** How long the approval holds, seconds. @default approvals.defaultGrantSeconds (3600) */
  forSeconds?: number;
  /** Note kept with the answer. */
  note?: string;
}

/** Options of {@link Approvals.deny}. */
export interface DenyApprovalOptions {
  /** Who denies (recorded). @default unrecorded */
  by?: Accessor;
  /** Note kept with the answer. */
  note?: string;
}

/** What {@link Approvals.request} did. */
export interface ApprovalRequestOutcome {
  /** The pending request (new or reused). */
  request: ApprovalRequest;
  /** True when a new request was created. */
  created: boolean;
  /** Id of the last request for the same subject that expired unanswered, if any. */
  expiredRequestId?: string;
}

/** Human approvals of sensitive actions, kept in the service documents. */
export interface Approvals {
  /** Create a pending request, or reuse the pending one for the same subject. @throws CofferError INVALID_ARGUMENT */
  request(input: ApprovalRequestInput): Promise<ApprovalRequestOutcome>;
  /** The approval in force for a subject, if a human approved it and its window is open. */
  findGrant(subject: ApprovalSubject): Promise<ApprovalRequest | undefined>;
  /** Requests, newest first. @throws CofferError INVALID_ARGUMENT for an unknown status */
  list(filter?: ApprovalListFilter): Promise<ApprovalRequest[]>;
  /** One request. @throws CofferError NOT_FOUND, INVALID_ARGUMENT */
  get(id: string): Promise<ApprovalRequest>;
  /**
   * Approve a pending request for a while. The approver must be a human (kind `user`) other than
   * the requester. @throws CofferError PERMISSION_DENIED (not a human, self-approval, policy),
   * EXPIRED (request expired), CONFLICT (already answered), NOT_FOUND, INVALID_ARGUMENT
   */
  approve(id: string, options: ApproveOptions): Promise<ApprovalRequest>;
  /** Deny a pending (or revoke an approved) request. @throws CofferError NOT_FOUND, CONFLICT, EXPIRED */
  deny(id: string, options?: DenyApprovalOptions): Promise<ApprovalRequest>;
}
