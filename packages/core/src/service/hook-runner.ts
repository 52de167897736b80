import type { Accessor } from "../audit/types.js";
import { CofferError, isCofferError } from "../errors/index.js";
import type { Hook, HookEvent, HookPayload, HookReport, HookSource } from "../hooks/hook.js";
import { matchesGlob } from "../names/name-glob.js";
import { scopeMatches } from "../scope/scope-filter.js";
import type { AuditRecorder } from "./audit-recorder.js";

/** What an operation tells hooks about a secret (who and when are added by the runner). */
export type HookSubject = Omit<HookPayload, "phase" | "event" | "accessor" | "frontEnd" | "time">;

/** A fixed list of hooks as a {@link HookSource}. */
export function staticHooks(list: Hook[]): HookSource {
  return { hooks: () => list };
}

/**
 * Run the hooks that match an event. A `before` hook can veto (PERMISSION_DENIED, audited) and a
 * failing `before` hook stops the operation (UNAVAILABLE); `after` hooks report failures without
 * undoing anything.
 */
export async function runHooks(
  source: HookSource,
  recorder: AuditRecorder,
  accessor: Accessor,
  now: () => Date,
  phase: "before" | "after",
  event: HookEvent,
  payload: HookSubject,
): Promise<HookReport[]> {
  const all = await source.hooks();
  if (all.length === 0) return [];
  const hooks = all.filter((h) => h.phase === phase && hookMatches(h, event, payload));
  const reports: HookReport[] = [];
  for (const hook of hooks) {
    const full: HookPayload = {
      ...payload,
      event,
      phase,
      accessor: accessor.id,
      frontEnd: accessor.frontEnd,
      time: now().toISOString(),
    };
    try {
      const result = await hook.run(full);
      if (phase === "before" && result && typeof result === "object" && "veto" in result) {
        await recorder.record(accessor, {
          action: "hook",
          name: payload.name,
          scope: payload.scope,
          success: false,
          errorCode: "PERMISSION_DENIED",
          details: { hook: hook.id, event, veto: true },
        });
        throw new CofferError("PERMISSION_DENIED", `hook ${hook.id} vetoed the ${event}: ${result.veto}`, {
          name: payload.name,
          rule: `hook:${hook.id}`,
        });
      }
      reports.push({ hook: hook.id, ok: true });
    } catch (err) {
      if (phase === "before") {
        if (isCofferError(err, "PERMISSION_DENIED")) throw err;
        throw new CofferError(
          "UNAVAILABLE",
          `before-hook ${hook.id} failed; the ${event} did not happen`,
          { rule: `hook:${hook.id}` },
          { cause: err },
        );
      }
      const message = isCofferError(err) ? err.message : "hook failed";
      reports.push({ hook: hook.id, ok: false, message });
      await recorder
        .record(accessor, {
          action: "hook",
          name: payload.name,
          scope: payload.scope,
          success: false,
          errorCode: isCofferError(err) ? err.code : "UNAVAILABLE",
          details: { hook: hook.id, event },
        })
        .catch(() => undefined);
    }
  }
  return reports;
}

function hookMatches(hook: Hook, event: HookEvent, payload: { name: string; scope: string; tags?: string[] }): boolean {
  const m = hook.match;
  if (m.events && !m.events.includes(event)) return false;
  if (m.names && !m.names.some((p) => matchesGlob(payload.name, p))) return false;
  if (m.tags && !m.tags.some((t) => payload.tags?.includes(t))) return false;
  if (m.scopes && !m.scopes.some((s) => scopeMatches(payload.scope, s))) return false;
  return true;
}
