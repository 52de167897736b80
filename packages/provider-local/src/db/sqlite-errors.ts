import { CofferError } from "@coffer/core";

/** SQLite result code of a thrown error (`SQLITE_BUSY`, ...), if it has one. */
export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

/** True for lock contention that a later attempt may get past. */
export function isBusy(err: unknown): boolean {
  const code = sqliteCode(err);
  return code !== undefined && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

/**
 * Turn anything a store operation threw into a CofferError. SQLite and file system messages are
 * replaced by our own text (they could echo input), keeping the original as `cause`.
 */
export function toStoreError(err: unknown, storePath: string): CofferError {
  if (err instanceof CofferError) return err;
  const code = sqliteCode(err);
  const at = { path: storePath };
  if (code) {
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
      return new CofferError("UNAVAILABLE", `the store ${storePath} stayed locked by another process; try again`, at, {
        cause: err,
      });
    }
    if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") {
      return new CofferError("INTEGRITY", `the store file ${storePath} is corrupt or not a Coffer store`, at, {
        cause: err,
      });
    }
    if (code.startsWith("SQLITE_READONLY") || code === "SQLITE_PERM" || code === "SQLITE_AUTH") {
      return new CofferError(
        "PERMISSION_DENIED",
        `cannot write the store ${storePath} (read-only or not permitted)`,
        at,
        {
          cause: err,
        },
      );
    }
    if (code.startsWith("SQLITE_CANTOPEN")) {
      return new CofferError("UNAVAILABLE", `cannot open the store ${storePath}`, at, { cause: err });
    }
    if (code === "SQLITE_FULL") {
      return new CofferError("UNAVAILABLE", `the disk holding the store ${storePath} is full`, at, { cause: err });
    }
    if (code.startsWith("SQLITE_IOERR")) {
      return new CofferError("UNAVAILABLE", `I/O error on the store ${storePath} (${code})`, at, { cause: err });
    }
    return new CofferError("INTERNAL", `store error ${code} on ${storePath}`, at, { cause: err });
  }
  const errno = (err as NodeJS.ErrnoException | null)?.code;
  if (errno === "EACCES" || errno === "EPERM" || errno === "EROFS") {
    return new CofferError("PERMISSION_DENIED", `permission denied on the store ${storePath} or its directory`, at, {
      cause: err,
    });
  }
  if (errno === "ENOSPC") {
    return new CofferError("UNAVAILABLE", `the disk holding the store ${storePath} is full`, at, { cause: err });
  }
  return new CofferError("INTERNAL", `unexpected error in the store ${storePath}`, at, { cause: err });
}
