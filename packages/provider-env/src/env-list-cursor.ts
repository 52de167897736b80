import { CofferError } from "@coffer/core";

/** Encode the position after `name` as an opaque list cursor. */
export function encodeListCursor(name: string): string {
  return Buffer.from(JSON.stringify({ after: name }), "utf8").toString("base64url");
}

/**
 * Decode a cursor made by {@link encodeListCursor}.
 * @throws CofferError INVALID_ARGUMENT when the cursor was not made by this provider
 */
export function decodeListCursor(cursor: string): string {
  let after: unknown;
  try {
    after = (JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { after?: unknown }).after;
  } catch {
    after = undefined;
  }
  if (typeof after !== "string") {
    throw new CofferError("INVALID_ARGUMENT", "list cursor is not one the env provider returned", { field: "cursor" });
  }
  return after;
}
