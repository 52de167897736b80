import { randomBytes } from "node:crypto";
import type { Accessor, AuditEntryInput, AuditLog } from "../audit/types.js";
import { CofferError } from "../errors/index.js";
import { describeAccessor } from "../policy/access-layer.js";
import type { GovernedPolicyRequest } from "../policy/governed-policy-request.js";
import { POLICY_ACTIONS, type PolicyEngine } from "../policy/policy.js";
import type { DocumentStore } from "../store/document-store.js";
import {
  APPROVAL_STATUSES,
  APPROVALS_COLLECTION,
  type ApprovalListFilter,
  type ApprovalRequest,
  type ApprovalRequestInput,
  type ApprovalRequestOutcome,
  type ApprovalSubject,
  type Approvals,
  type ApproveOptions,
  type DenyApprovalOptions,
  type StoredApprovalStatus,
} from "./approval-request.js";
import { type ApprovalsConfig, DEFAULT_APPROVALS_CONFIG } from "./approvals-config.js";

/** Options of {@link approvals}. */
export interface ApprovalsOptions {
  /** Durations (request expiry, grant windows). @default DEFAULT_APPROVALS_CONFIG */
  config?: Pick<ApprovalsConfig, "requestTtlSeconds" | "defaultGrantSeconds" | "maxGrantSeconds">;
  /** Audit log for approvals and denials (and refused approvals). @default none */
  audit?: AuditLog;
  /** Policy asked whether an approver may approve (`admin` on resource `approvals`). @default none */
  policy?: PolicyEngine;
  /** Time source. @default () => new Date() */
  clock?: () => Date;
}

interface StoredApproval extends Omit<ApprovalRequest, "status"> {
  status: StoredApprovalStatus;
}

const ID = /^apr_[A-Za-z0-9_-]{12}$/;
/** Answered or expired requests are kept this long, then removed when new requests arrive. */
const KEEP_ENDED_MS = 7 * 86400_000;

function statusOf(record: StoredApproval, now: number): ApprovalRequest["status"] {
  if (record.status === "pending" && Date.parse(record.expiresAt) <= now) return "expired";
  if (record.status === "approved" && record.grantedUntil && Date.parse(record.grantedUntil) <= now) return "expired";
  return record.status;
}

function endOf(record: StoredApproval): number {
  if (record.status === "approved" && record.grantedUntil) return Date.parse(record.grantedUntil);
  if (record.status === "denied" && record.decidedAt) return Date.parse(record.decidedAt);
  return Date.parse(record.expiresAt);
}

function sameSubject(record: StoredApproval, s: ApprovalSubject): boolean {
  return (
    record.requester.id === s.accessor.id &&
    record.requester.kind === s.accessor.kind &&
    record.action === s.action &&
    record.name === s.name &&
    (record.scope ?? "") === (s.scope ?? "") &&
    (record.command ?? "") === (s.command ?? "")
  );
}

function checkId(id: unknown): string {
  if (typeof id !== "string" || !ID.test(id)) {
    throw new CofferError("INVALID_ARGUMENT", "approval id must look like apr_ followed by 12 characters", {
      field: "id",
    });
  }
  return id;
}

function clip(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Approvals kept in the service documents (collection `approvals`). A request records who asked,
 * for which secret, with which command or purpose, and expires unanswered (default 1 hour). A
 * human (kind `user`, not the requester) approves it for a while (default 1 hour); the approval
 * covers that accessor, action, secret and command only. Approvals and denials are audited.
 */
export function approvals(documents: DocumentStore, options: ApprovalsOptions = {}): Approvals {
  const clock = options.clock ?? (() => new Date());
  const config = { ...DEFAULT_APPROVALS_CONFIG, ...(options.config ?? {}) };

  const view = (r: StoredApproval, now: number): ApprovalRequest => ({ ...r, status: statusOf(r, now) });

  async function all(): Promise<StoredApproval[]> {
    return (await documents.list<StoredApproval>(APPROVALS_COLLECTION)).map((row) => row.value);
  }

  async function load(id: string): Promise<StoredApproval> {
    const record = await documents.get<StoredApproval>(APPROVALS_COLLECTION, checkId(id));
    if (!record) throw new CofferError("NOT_FOUND", `approval request ${id} not found`, { id });
    return record;
  }

  async function record(entry: Omit<AuditEntryInput, "time">): Promise<void> {
    if (options.audit) await options.audit.append({ time: clock().toISOString(), ...entry });
  }

  function auditFields(
    r: StoredApproval,
    by: Accessor | undefined,
    decision: string,
    extra: Record<string, unknown> = {},
  ) {
    return {
      accessor: by?.id ?? "unknown",
      frontEnd: by?.frontEnd ?? ("library" as const),
      action: "approval" as const,
      name: r.name,
      ...(r.scope !== undefined ? { scope: r.scope } : {}),
      details: {
        requestId: r.id,
        decision,
        requester: `${r.requester.kind}:${r.requester.id}`,
        requested: r.action,
        ...(r.command !== undefined ? { command: r.command } : {}),
        ...extra,
      },
    };
  }

  /** Run a sync state change atomically, then audit it; a failed audit undoes the change (fail closed). */
  async function decide(
    id: string,
    by: Accessor | undefined,
    decision: "approved" | "denied",
    change: (current: StoredApproval, now: number) => StoredApproval,
  ): Promise<ApprovalRequest> {
    checkId(id);
    const now = clock().getTime();
    let before: StoredApproval | undefined;
    const after = await documents.update<StoredApproval>(APPROVALS_COLLECTION, id, (current) => {
      if (!current) throw new CofferError("NOT_FOUND", `approval request ${id} not found`, { id });
      before = current;
      return change(current, now);
    });
    try {
      await record({
        ...auditFields(after!, by, decision, after!.grantedUntil ? { grantedUntil: after!.grantedUntil } : {}),
        success: true,
      });
    } catch (err) {
      await documents.put(APPROVALS_COLLECTION, id, before);
      throw new CofferError(
        "UNAVAILABLE",
        `the ${decision === "approved" ? "approval" : "denial"} could not be audited, so it was not recorded`,
        { id },
        { cause: err },
      );
    }
    return view(after!, now);
  }

  async function refuse(r: StoredApproval, by: Accessor, err: CofferError): Promise<never> {
    await record({
      ...auditFields(r, by, "approve-refused", { rule: err.details.rule }),
      success: false,
      errorCode: err.code,
    }).catch(() => undefined);
    throw err;
  }

  return {
    async request(input: ApprovalRequestInput): Promise<ApprovalRequestOutcome> {
      if (
        !input ||
        typeof input.name !== "string" ||
        input.name === "" ||
        !(POLICY_ACTIONS as readonly string[]).includes(input.action)
      ) {
        throw new CofferError("INVALID_ARGUMENT", "an approval request needs a secret name and an action", {
          field: "name",
        });
      }
      const nowDate = clock();
      const now = nowDate.getTime();
      const records = await all();
      let expiredRequestId: string | undefined;
      let newestExpired = -1;
      for (const r of records) {
        if (!sameSubject(r, input)) continue;
        const status = statusOf(r, now);
        if (status === "pending") return { request: view(r, now), created: false };
        if (r.status === "pending" && status === "expired" && Date.parse(r.requestedAt) > newestExpired) {
          newestExpired = Date.parse(r.requestedAt);
          expiredRequestId = r.id;
        }
      }
      for (const r of records) {
        if (statusOf(r, now) !== "pending" && statusOf(r, now) !== "approved" && endOf(r) + KEEP_ENDED_MS < now) {
          await documents.delete(APPROVALS_COLLECTION, r.id);
        }
      }
      const stored: StoredApproval = {
        id: `apr_${randomBytes(9).toString("base64url")}`,
        requester: { id: input.accessor.id, kind: input.accessor.kind, frontEnd: input.accessor.frontEnd },
        action: input.action,
        name: input.name,
        ...(input.scope !== undefined ? { scope: input.scope } : {}),
        ...(input.command !== undefined ? { command: clip(input.command, 1024)! } : {}),
        ...(input.purpose !== undefined ? { purpose: clip(input.purpose, 500)! } : {}),
        rule: input.rule,
        requestedAt: nowDate.toISOString(),
        expiresAt: new Date(now + config.requestTtlSeconds * 1000).toISOString(),
        status: "pending",
      };
      await documents.put(APPROVALS_COLLECTION, stored.id, stored);
      return { request: view(stored, now), created: true, ...(expiredRequestId ? { expiredRequestId } : {}) };
    },

    async findGrant(subject: ApprovalSubject): Promise<ApprovalRequest | undefined> {
      const now = clock().getTime();
      const grant = (await all()).find((r) => sameSubject(r, subject) && statusOf(r, now) === "approved");
      return grant ? view(grant, now) : undefined;
    },

    async list(filter: ApprovalListFilter = {}): Promise<ApprovalRequest[]> {
      if (filter.status !== undefined && !(APPROVAL_STATUSES as readonly string[]).includes(filter.status)) {
        throw new CofferError("INVALID_ARGUMENT", `status must be one of: ${APPROVAL_STATUSES.join(", ")}`, {
          field: "status",
        });
      }
      const now = clock().getTime();
      return (await all())
        .map((r) => view(r, now))
        .filter(
          (r) =>
            (filter.status === undefined || r.status === filter.status) &&
            (filter.requester === undefined || r.requester.id === filter.requester) &&
            (filter.name === undefined || r.name === filter.name),
        )
        .sort((a, b) => (a.requestedAt < b.requestedAt ? 1 : a.requestedAt > b.requestedAt ? -1 : 0));
    },

    async get(id: string): Promise<ApprovalRequest> {
      return view(await load(id), clock().getTime());
    },

    async approve(id: string, opts: ApproveOptions): Promise<ApprovalRequest> {
      const current = await load(id);
      const approver = opts?.approver;
      if (!approver || typeof approver.id !== "string" || approver.kind !== "user") {
        return refuse(
          current,
          approver ?? { id: "unknown", kind: "agent", frontEnd: "library" },
          new CofferError(
            "PERMISSION_DENIED",
            `approval ${id} needs a human: approve it from the CLI (coffer approvals approve ${id}); ${approver ? describeAccessor(approver) : "an unknown accessor"} cannot approve`,
            { id, rule: "approval:human-only" },
          ),
        );
      }
      if (approver.id === current.requester.id) {
        return refuse(
          current,
          approver,
          new CofferError(
            "PERMISSION_DENIED",
            `approval ${id} was requested by ${describeAccessor(current.requester)}, who cannot approve their own request`,
            { id, rule: "approval:not-self" },
          ),
        );
      }
      if (options.policy) {
        const decision = await options.policy.check({
          accessor: approver,
          action: "admin",
          resource: "approvals",
        } as GovernedPolicyRequest);
        if (!decision.allowed) {
          return refuse(
            current,
            approver,
            new CofferError(
              "PERMISSION_DENIED",
              `${describeAccessor(approver)} may not approve requests: ${decision.reason ?? "policy denies admin on approvals"}`,
              { id, rule: decision.rule },
            ),
          );
        }
      }
      const forSeconds = opts.forSeconds ?? config.defaultGrantSeconds;
      if (!Number.isInteger(forSeconds) || forSeconds < 1 || forSeconds > config.maxGrantSeconds) {
        throw new CofferError(
          "INVALID_ARGUMENT",
          `an approval lasts from 1 to ${config.maxGrantSeconds} seconds (approvals.maxGrantSeconds)`,
          { field: "forSeconds" },
        );
      }
      const note = opts.note === undefined ? undefined : clip(String(opts.note), 500);
      return decide(id, approver, "approved", (r, now) => {
        const status = statusOf(r, now);
        if (status === "expired")
          throw new CofferError(
            "EXPIRED",
            `approval request ${id} expired at ${r.expiresAt}; the requester must ask again`,
            { id },
          );
        if (status !== "pending")
          throw new CofferError("CONFLICT", `approval request ${id} is already ${status}`, { id });
        if (approver.id === r.requester.id)
          throw new CofferError("PERMISSION_DENIED", `approval ${id} cannot be approved by its requester`, {
            id,
            rule: "approval:not-self",
          });
        return {
          ...r,
          status: "approved",
          decidedAt: new Date(now).toISOString(),
          decidedBy: approver.id,
          grantedUntil: new Date(now + forSeconds * 1000).toISOString(),
          ...(note !== undefined ? { note } : {}),
        };
      });
    },

    async deny(id: string, opts: DenyApprovalOptions = {}): Promise<ApprovalRequest> {
      const note = opts.note === undefined ? undefined : clip(String(opts.note), 500);
      return decide(id, opts.by, "denied", (r, now) => {
        const status = statusOf(r, now);
        if (status === "expired")
          throw new CofferError("EXPIRED", `approval request ${id} has already expired`, { id });
        if (status === "denied") throw new CofferError("CONFLICT", `approval request ${id} is already denied`, { id });
        const { grantedUntil: _ended, ...rest } = r;
        return {
          ...rest,
          status: "denied",
          decidedAt: new Date(now).toISOString(),
          ...(opts.by ? { decidedBy: opts.by.id } : {}),
          ...(note !== undefined ? { note } : {}),
        };
      });
    },
  };
}
