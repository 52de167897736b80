/**
 * Small JSON document storage for the service's own state (entanglement links, hooks, tokens,
 * approvals, last-known-good bookkeeping). The local store implements it.
 */
export interface DocumentStore {
  /** Read one document. */
  get<T = unknown>(collection: string, key: string): Promise<T | undefined>;
  /** Write (replace) one document. */
  put(collection: string, key: string, value: unknown): Promise<void>;
  /** Delete one document; true when it existed. */
  delete(collection: string, key: string): Promise<boolean>;
  /** Every document of a collection, ordered by key. */
  list<T = unknown>(collection: string): Promise<Array<{ key: string; value: T }>>;
  /**
   * Atomic read-modify-write of one document: `update` gets the current value and returns the
   * new one (`undefined` deletes). Concurrent callers (also in other processes) are serialized.
   */
  update<T = unknown>(
    collection: string,
    key: string,
    update: (current: T | undefined) => T | undefined,
  ): Promise<T | undefined>;
  /**
   * A number that changes whenever any document may have changed since the previous call (a
   * write by this process or by any other): callers may keep what they derived from documents
   * while it stays the same. Cheap (no document is read). Absent: nothing may be kept.
   */
  epoch?(): number;
  /**
   * For a store shared by several processes over a network (PostgreSQL): look once whether
   * anything changed, for the current operation (`runInReadContext`). Inside that operation
   * `epoch()` then answers from this look; outside any refreshed operation it never repeats a
   * number, so nothing is kept. A front end calls it at the start of each request. Never throws.
   */
  refresh?(): Promise<void>;
}

/** A provider that also keeps the service's own state and audit log (the local store). */
export interface ServiceBackedProvider {
  /** Service documents. */
  readonly documents: import("./document-store.js").DocumentStore;
  /** Audit log committed with writes. */
  readonly auditLog: import("../audit/types.js").AuditLog;
}
