import { CofferError } from "@coffer/core";
import type { StateKey } from "./state-key.js";

/** Encode the position after `key` as an opaque cursor. */
export function encodeListCursor(key: StateKey): string {
  return Buffer.from(JSON.stringify([key.scope, key.name, key.env]), "utf8").toString("base64url");
}

/** Decode a cursor from {@link encodeListCursor}. @throws CofferError INVALID_ARGUMENT */
export function decodeListCursor(cursor: string): StateKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed.some((p) => typeof p !== "string")) {
    throw new CofferError("INVALID_ARGUMENT", "the list cursor is not valid (pass nextCursor back unchanged)", {
      field: "cursor",
    });
  }
  return { scope: parsed[0], name: parsed[1], env: parsed[2] };
}
