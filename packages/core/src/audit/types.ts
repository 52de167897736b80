/** Front ends that call the service. */
export type FrontEnd = "cli" | "mcp" | "rest" | "library";

/** Who is calling: recorded in audit, matched by policy. */
export interface Accessor {
  /** Identity: OS user, agent id or token name. */
  id: string;
  /** Kind of identity. */
  kind: "user" | "agent" | "token";
  /** Front end the call came through. */
  frontEnd: FrontEnd;
  /** Token scopes (REST tokens only). */
  tokenScopes?: string[];
  /** Token name pattern restriction (REST tokens only). */
  tokenPattern?: string;
}

/** Audited actions. */
export const AUDIT_ACTIONS = [
  "read",
  "reveal",
  "write",
  "delete",
  "restore",
  "purge",
  "rotate",
  "rollback",
  "list",
  "inspect",
  "history",
  "import",
  "export",
  "exec",
  "generate",
  "entangle",
  "disentangle",
  "key-rotate",
  "policy-deny",
  "approval",
  "hook",
  "token",
  "expire",
  "audit-prune",
] as const;
/** One audited action. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What the service asks to record. Never contains a value. */
export interface AuditEntryInput {
  /** When, ISO 8601 (set by the service clock). */
  time: string;
  /** Who. */
  accessor: string;
  /** Through which front end. */
  frontEnd: FrontEnd;
  /** What. */
  action: AuditAction;
  /** Secret name, when the action concerns one. */
  name?: string;
  /** Scope label. */
  scope?: string;
  /** Env state. */
  env?: string;
  /** Provider that served or stored it. */
  provider?: string;
  /** Whether the action succeeded. */
  success: boolean;
  /** Error code when it failed. */
  errorCode?: string;
  /** Stated purpose (reveals, exec). */
  purpose?: string;
  /** HMAC-SHA256 of the value under the audit key (hex), never the value. */
  fingerprint?: string;
  /** Version concerned. */
  version?: number;
  /** Extra value-free context (rule that decided a denial, command name, counts). */
  details?: Record<string, unknown>;
}

/** A stored audit entry, linked to the previous one by a keyed hash. */
export interface AuditEntry extends AuditEntryInput {
  /** Sequence number, 1-based. */
  seq: number;
  /** Hash of the previous entry (hex; empty for the first). */
  prevHash: string;
  /** Keyed hash of this entry including `prevHash` (hex). */
  hash: string;
}

/** Filter of an audit query. */
export interface AuditQuery {
  /** Only this secret. */
  name?: string;
  /** Only this accessor. */
  accessor?: string;
  /** Only this action. */
  action?: AuditAction;
  /** Only failures. */
  failedOnly?: boolean;
  /** From this time (inclusive), ISO 8601. */
  since?: string;
  /** Up to this time (exclusive), ISO 8601. */
  until?: string;
  /** Newest first, at most this many. @default 50 */
  limit?: number;
  /** Return entries with `seq` below this (paging backwards). */
  beforeSeq?: number;
}

/** Result of verifying the chain. */
export interface AuditVerification {
  /** True when every entry links and hashes correctly. */
  ok: boolean;
  /** Number of entries checked. */
  checked: number;
  /**
   * First broken entry, when not ok. `commitment`: the store's keyed commitment over the audit
   * head, prune anchor and secret states does not hold (the log's ends or the secrets were edited
   * in the file); `rolled-back`: the store is older than its anchor file (replaced by an earlier copy).
   */
  brokenAt?: {
    seq: number;
    reason: "edited" | "deleted" | "inserted" | "reordered" | "hash-mismatch" | "commitment" | "rolled-back";
  };
  /** What is wrong, by name and position (never a value), when the reason needs more than the entry number. */
  detail?: string;
}

/**
 * Where audit entries go. The local store implements it so an entry and the write it describes
 * commit in one transaction.
 */
export interface AuditLog {
  /** Append one entry; throws if it cannot be recorded (the service then fails closed). */
  append(entry: AuditEntryInput): Promise<AuditEntry>;
  /**
   * Append several entries in one commit, in order (batched read entries). `durable: false`
   * allows the commit to skip the flush to disk (kept across a process crash, not a power loss).
   * Optional.
   */
  appendMany?(entries: AuditEntryInput[], options?: { durable?: boolean }): Promise<AuditEntry[]>;
  /** Query entries, newest first. */
  query(query?: AuditQuery): Promise<AuditEntry[]>;
  /** Verify the keyed hash chain. */
  verify(): Promise<AuditVerification>;
  /** HMAC-SHA256 fingerprint of a value under the audit key (hex). */
  fingerprint(value: string): string;
  /** Delete entries older than this time (retention). Returns how many were removed. */
  prune?(before: string): Promise<number>;
}
