import type { AuditEntry, AuditEntryInput } from "./types.js";

/**
 * Audit entries as JSON Lines: one compact JSON object per line, each line ending in `\n`, in
 * the order given (queries return newest first). Entries never hold values, so neither does
 * the export. An empty list gives an empty string.
 */
export function exportAuditJsonl(entries: Iterable<AuditEntry | AuditEntryInput>): string {
  let out = "";
  for (const entry of entries) out += `${JSON.stringify(entry)}\n`;
  return out;
}
