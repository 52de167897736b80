/**
 * Compile a name glob once: `*` matches any run of characters (slashes included), `?` exactly
 * one, everything else literally. Same semantics as `matchesGlob`, for hot paths.
 */
export function compileGlob(pattern: string): RegExp {
  let source = "^";
  for (const ch of pattern) {
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return new RegExp(`${source}$`, "s");
}

/** True when a scope label (`global`, `project`, `team:acme`) matches a scope filter (`team` or `team:acme`). */
export function scopeMatches(label: string, filter: string): boolean {
  return label === filter || label.startsWith(`${filter}:`);
}
