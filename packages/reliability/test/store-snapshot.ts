import { scopeKey } from "@coffer/core";
import type { LocalProvider } from "@coffer/provider-local";

/** Every secret state in the local store (deleted ones included) with its version and deletion mark. */
export async function storeSnapshot(local: LocalProvider): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await local.list!({ includeDeleted: true, limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const m of page.items)
      out.set(`${scopeKey(m.scope)}|${m.name}|${m.env ?? ""}`, `${m.version}${m.deletedAt ? " deleted" : ""}`);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** The keys whose entry differs between two snapshots (added, removed or changed). */
export function snapshotDiff(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k));
}
