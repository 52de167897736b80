import { isCofferError } from "../errors/index.js";
import type { ScopeRef } from "../model/scope.js";
import type { Coffer, ScopeInput } from "../service/types.js";
import type { ScannedValue } from "./value-scanner.js";

function scopeInputOf(scope: ScopeRef): ScopeInput {
  switch (scope.kind) {
    case "global":
      return { scope: "global" };
    case "project":
      return { scope: "project", projectPath: scope.id };
    case "team":
      return { scope: "team", teamId: scope.id };
    case "org":
      return { scope: "org", orgId: scope.id };
    default:
      return { scope: scope.kind, scopeId: scope.id };
  }
}

/** What {@link collectScanValues} gathered. Values stay in memory only. */
export interface CollectedValues {
  /** Every value the caller may reveal (current and past versions, every env state). */
  values: ScannedValue[];
  /** Secret states examined. */
  states: number;
  /** Versions that could not be read (write-only, denied, expired, unreadable): names only. */
  skipped: Array<{ name: string; scope: string; env?: string; version?: number; code: string }>;
}

/**
 * Gather the values to scan for: every secret the caller can list (every scope in reach, every
 * provider, every env state), each version in its history, read through the service's `get`
 * with `reveal` (so policy and the reveal audit apply). Write-only secrets and versions the
 * caller may not reveal are left out and counted, never an error.
 */
export async function collectScanValues(coffer: Coffer, options: { purpose?: string } = {}): Promise<CollectedValues> {
  const purpose = options.purpose ?? "coffer scan";
  const out: CollectedValues = { values: [], states: 0, skipped: [] };
  let cursor: string | undefined;
  do {
    const page = await coffer.list({ includeExpired: true, limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) {
      for (const state of item.envs) {
        const env = state === "default" ? undefined : state;
        out.states++;
        const where = { ...scopeInputOf(item.scope), provider: item.provider, ...(env !== undefined ? { env } : {}) };
        if (item.writeOnly) {
          out.skipped.push({ name: item.name, scope: item.scopeLabel, ...(env ? { env } : {}), code: "WRITE_ONLY" });
          continue;
        }
        let versions: number[];
        try {
          versions = (await coffer.history(item.name, where)).map((v) => v.version);
        } catch {
          versions = [];
        }
        if (versions.length === 0) versions = [0];
        for (const version of versions) {
          try {
            const got = await coffer.get(item.name, {
              ...where,
              ...(version > 0 ? { version } : {}),
              reveal: true,
              purpose,
              allowExpired: true,
            });
            if (got.value !== undefined) {
              out.values.push({
                value: got.value,
                name: item.name,
                scope: item.scopeLabel,
                ...(env ? { env } : {}),
                version: got.version,
              });
            }
          } catch (err) {
            out.skipped.push({
              name: item.name,
              scope: item.scopeLabel,
              ...(env ? { env } : {}),
              ...(version > 0 ? { version } : {}),
              code: isCofferError(err) ? err.code : "INTERNAL",
            });
          }
        }
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}
