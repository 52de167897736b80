import { CofferError, isCofferError } from "@coffer/core";
import type { Pool, PoolClient, QueryResultRow } from "pg";
import type { ResolvedPostgresOptions } from "../options.js";

/** One connection inside a transaction: run parameterized SQL. */
export interface Tx {
  /** Run one statement; rows typed by the caller. */
  query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/** SQLSTATEs after which the whole transaction is run again: serialization failure, deadlock. */
const RETRYABLE = new Set(["40001", "40P01"]);
/** SQLSTATE classes that mean "the database cannot be used right now". */
const UNAVAILABLE_CLASSES = ["08", "53", "57", "58"];
const UNAVAILABLE_ERRNO = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
  "EAI_AGAIN",
]);
const MAX_ATTEMPTS = 5;
/** Pooled clients that already have an 'error' listener. */
const listened = new WeakSet<PoolClient>();

/** Carries an error thrown by the caller's transaction body unchanged through rollback. */
class BodyFailure {
  constructor(readonly error: unknown) {}
}

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Turn a driver error into a CofferError that names the database but never its credentials
 * (or any parameter: a query's parameters can be ciphertext or names, never values, but the
 * message stays generic anyway).
 */
export function toDatabaseError(err: unknown, target: string): CofferError {
  if (isCofferError(err)) return err;
  const state = sqlState(err);
  const errno = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : "";
  if (
    (state !== undefined && UNAVAILABLE_CLASSES.some((c) => state.startsWith(c))) ||
    (typeof errno === "string" && UNAVAILABLE_ERRNO.has(errno)) ||
    /timeout|terminat|Connection ended|not queryable|connect/i.test(message)
  ) {
    const reason = state === "57014" ? "a statement timed out" : "it is unreachable or not accepting connections";
    return new CofferError(
      "UNAVAILABLE",
      `PostgreSQL at ${target} cannot be used: ${reason}`,
      {
        provider: "postgres",
        ...(state !== undefined ? { sqlState: state } : {}),
      },
      { cause: err },
    );
  }
  if (state?.startsWith("22")) {
    // Data exceptions: a text PostgreSQL refuses (NUL, invalid encoding), a number out of range.
    return new CofferError("INVALID_ARGUMENT", `PostgreSQL refused a value of the request (SQLSTATE ${state})`, {
      sqlState: state,
    });
  }
  if (state === "28P01" || state === "28000") {
    return new CofferError(
      "CONFIG",
      `PostgreSQL at ${target} refused the credentials`,
      { sqlState: state },
      { cause: err },
    );
  }
  return new CofferError(
    "UNAVAILABLE",
    `PostgreSQL at ${target} failed a statement${state !== undefined ? ` (SQLSTATE ${state})` : ""}`,
    { provider: "postgres", ...(state !== undefined ? { sqlState: state } : {}) },
    { cause: err },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The connection pool of one provider. `pg` is imported on first use (never when the package is
 * imported). Every connection gets the configured `search_path` and `statement_timeout`.
 */
export class PgDatabase {
  readonly #options: ResolvedPostgresOptions;
  #pool: Promise<Pool> | undefined;
  #closed = false;

  constructor(options: ResolvedPostgresOptions) {
    this.#options = options;
  }

  /** `host:port/database` for messages. */
  get target(): string {
    return this.#options.target;
  }

  #getPool(): Promise<Pool> {
    if (this.#closed) {
      return Promise.reject(new CofferError("UNAVAILABLE", `the postgres provider ${this.#options.name} was disposed`));
    }
    this.#pool ??= (async () => {
      const pg = (await import("pg")).default;
      // bytea comes back as Buffer; bigint (int8) as string: parse counters explicitly.
      const pool = new pg.Pool({
        ...this.#options.connection,
        max: this.#options.poolSize,
        connectionTimeoutMillis: this.#options.connectTimeoutMs,
        idleTimeoutMillis: 30_000,
        statement_timeout: this.#options.statementTimeoutMs,
        // Server-side too, so a statement stuck behind a lock is ended by PostgreSQL itself.
        options: `-c search_path=${this.#options.schema} -c statement_timeout=${this.#options.statementTimeoutMs}`,
        application_name: "coffer",
      });
      // An idle connection dropped by the server (restart, failover) must not crash the process:
      // the pool discards it and the next query opens a fresh one.
      pool.on("error", () => {});
      return pool;
    })();
    return this.#pool;
  }

  /** Run one statement outside a transaction. @throws CofferError UNAVAILABLE */
  async query<R extends QueryResultRow = QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    try {
      const pool = await this.#getPool();
      return (await pool.query<R>(sql, params as unknown[])).rows;
    } catch (err) {
      throw toDatabaseError(err, this.#options.target);
    }
  }

  /**
   * Run `body` in one READ COMMITTED transaction on one connection; committed when it resolves,
   * rolled back when it throws (its error is rethrown unchanged). A serialization failure or a
   * deadlock runs the whole body again, up to 5 times. Driver failures become CofferErrors.
   */
  async transaction<T>(body: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: PoolClient | undefined;
      let broken = false;
      try {
        const pool = await this.#getPool();
        client = await pool.connect();
        // A connection the server ends while it is checked out (a restart between two statements)
        // emits 'error' on the client; unheard, that would end the process. The next statement
        // fails instead, and the client is discarded on release.
        if (!listened.has(client)) {
          client.on("error", () => {});
          listened.add(client);
        }
        const c = client;
        await c.query("BEGIN");
        const tx: Tx = {
          query: async <R extends QueryResultRow>(sql: string, params: readonly unknown[] = []) =>
            (await c.query<R>(sql, params as unknown[])).rows,
        };
        let result: T;
        try {
          result = await body(tx);
        } catch (err) {
          // Coded errors (CONFLICT, NOT_FOUND...) and errors of the caller pass through unchanged;
          // driver errors (with a SQLSTATE) are retried or mapped below.
          throw sqlState(err) !== undefined && !isCofferError(err) ? err : new BodyFailure(err);
        }
        await c.query("COMMIT");
        return result;
      } catch (err) {
        if (client) {
          try {
            await client.query("ROLLBACK");
          } catch {
            broken = true;
          }
        }
        if (err instanceof BodyFailure) throw err.error;
        if (RETRYABLE.has(sqlState(err) ?? "") && attempt < MAX_ATTEMPTS) {
          client?.release(broken);
          client = undefined;
          await sleep(5 * 2 ** attempt * Math.random());
          continue;
        }
        broken ||= sqlState(err) === undefined;
        throw toDatabaseError(err, this.#options.target);
      } finally {
        client?.release(broken);
      }
    }
  }

  /** End every connection; later calls fail with UNAVAILABLE. */
  async close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) {
      try {
        await (await pool).end();
      } catch {
        // The pool never connected.
      }
    }
  }
}
