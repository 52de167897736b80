/** True when a scope label (`global`, `project`, `team:acme`) matches a scope filter (`team` or `team:acme`). */
export function scopeMatches(label: string, filter: string): boolean {
  return label === filter || label.startsWith(`${filter}:`);
}
