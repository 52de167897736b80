import { CofferError } from "@coffer/core";

/** What the conditional headers of a write ask for. */
export interface WritePreconditions {
  /** `If-Match: <version>`: write only if the current version is this. */
  ifVersion?: number;
  /** `If-None-Match: *`: create only. */
  createOnly: boolean;
}

/** `If-Match` forms: a version from 1 as `3`, `"3"` or `W/"3"`. */
export const IF_MATCH_PATTERN = String.raw`^[ \t]*(?:W/)?"?(?!0+"?[ \t]*$)[0-9]{1,9}"?[ \t]*$`;
/** `If-None-Match`: only `*`. Around it only HTTP's optional whitespace (space, tab). */
export const IF_NONE_MATCH_PATTERN = String.raw`^[ \t]*\*[ \t]*$`;

/** Strong entity tag of a version: `"3"`. */
export function versionTag(version: number): string {
  return `"${version}"`;
}

/**
 * Read `If-Match` (a version: `3`, `"3"` or `W/"3"`) and `If-None-Match` (only `*`).
 * @throws CofferError INVALID_ARGUMENT for any other form
 */
export function readPreconditions(ifMatch: string | undefined, ifNoneMatch: string | undefined): WritePreconditions {
  const result: WritePreconditions = { createOnly: false };
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== "*") {
      throw new CofferError("INVALID_ARGUMENT", "If-None-Match supports only `*` (create only)", {
        field: "If-None-Match",
      });
    }
    result.createOnly = true;
  }
  if (ifMatch !== undefined) {
    const m = /^\s*(?:W\/)?"?([0-9]{1,9})"?\s*$/.exec(ifMatch);
    const version = m?.[1] === undefined ? Number.NaN : Number(m[1]);
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new CofferError(
        "INVALID_ARGUMENT",
        'If-Match must be the current version number of the secret (e.g. `3` or `"3"`)',
        {
          field: "If-Match",
        },
      );
    }
    if (result.createOnly) {
      throw new CofferError("INVALID_ARGUMENT", "If-Match and If-None-Match cannot be combined", { field: "If-Match" });
    }
    result.ifVersion = version;
  }
  return result;
}
