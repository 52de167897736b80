import type { Accessor } from "../audit/types.js";
import { configError } from "../config/config-checks.js";
import { compileGlob } from "../names/name-glob.js";

/** Words that name a front end in an accessor pattern. */
export const FRONT_END_PATTERNS = ["cli", "mcp", "rest", "library"] as const;
/** Prefixes that restrict an accessor pattern to one kind. */
export const ACCESSOR_KIND_PREFIXES = ["agent:", "token:", "user:"] as const;

/** A compiled accessor pattern. */
export type AccessorMatcher = (accessor: Accessor) => boolean;

/**
 * Check an accessor pattern's shape (see {@link compileAccessorPattern}).
 * @throws CofferError CONFIG for an empty pattern or an empty glob after a kind prefix
 */
export function validateAccessorPattern(pattern: string, source: string, path: string): string {
  const prefix = ACCESSOR_KIND_PREFIXES.find((p) => pattern.startsWith(p));
  if (prefix && pattern.length === prefix.length) {
    throw configError(source, path, `needs a name or glob after "${prefix}" (for example "${prefix}*")`);
  }
  if (/[\u0000-\u001f]/.test(pattern)) throw configError(source, path, "must not contain control characters");
  return pattern;
}

/**
 * Compile an accessor pattern:
 * - `agent:<glob>`, `token:<glob>`, `user:<glob>`: that kind, id matching the glob;
 * - `cli`, `mcp`, `rest`, `library`: any accessor calling through that front end;
 * - `*`: everyone; anything else: a glob over the accessor id, any kind.
 */
export function compileAccessorPattern(pattern: string): AccessorMatcher {
  if (pattern === "*") return () => true;
  if ((FRONT_END_PATTERNS as readonly string[]).includes(pattern)) return (a) => a.frontEnd === pattern;
  for (const prefix of ACCESSOR_KIND_PREFIXES) {
    if (pattern.startsWith(prefix)) {
      const kind = prefix.slice(0, -1) as Accessor["kind"];
      const glob = compileGlob(pattern.slice(prefix.length));
      return (a) => a.kind === kind && glob.test(a.id);
    }
  }
  const glob = compileGlob(pattern);
  return (a) => glob.test(a.id);
}
