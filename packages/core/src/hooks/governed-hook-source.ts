import { CofferError } from "../errors/index.js";
import type { DocumentStore } from "../store/document-store.js";
import type { Hook, HookSource } from "./hook.js";
import { type HookDefinition, validateHookDefinition } from "./hook-definition.js";
import { type HookBuildContext, hookFromDefinition } from "./hook-from-definition.js";
import { HOOKS_COLLECTION, HOOKS_VERSION_DOCUMENT, type RegisteredHookDefinition } from "./hook-registry.js";

/** Options of {@link governedHookSource}. */
export interface GovernedHookSourceOptions {
  /** Hooks given in code (library users), run first. @default [] */
  hooks?: Hook[];
  /** Validated hooks from config. @default [] */
  configHooks?: HookDefinition[];
  /** Service documents holding the run-time registry; without them only code and config hooks run. */
  documents?: DocumentStore;
  /** What hooks need to run (base dir, secret resolver). */
  context?: HookBuildContext;
  /** Least time between two looks at the registry's change counter, ms. @default 1000 */
  refreshMs?: number;
  /** Monotonic time source, ms (tests). @default performance.now */
  now?: () => number;
}

/** A hook source that also lets the caller force the next look at the registry. */
export interface GovernedHookSource extends HookSource {
  /** Look at the registry again on the next call (after a change made in this process). */
  invalidate(): void;
}

/** A hook standing in for a registered definition that no longer validates: it fails every run, visibly. */
function invalidHook(id: string, message: string): Hook {
  return {
    id,
    phase: "before",
    match: {},
    run: async () => {
      throw new CofferError(
        "CONFIG",
        `registered hook ${JSON.stringify(id)} is invalid (${message}); remove it with coffer hooks remove ${id}`,
        { rule: `hook:${id}` },
      );
    },
  };
}

/**
 * The hooks in force: hooks given in code, then config hooks, then hooks registered at run time.
 * Config hooks are built once. The registry is re-read only when its change counter moved, and
 * the counter is looked at most once per `refreshMs`, so a process with no hooks pays one small
 * document read per second of activity at most. A registered definition that no longer
 * validates becomes a before-hook that fails (blocking writes) rather than being skipped silently.
 */
export function governedHookSource(options: GovernedHookSourceOptions = {}): GovernedHookSource {
  const fixed: Hook[] = [
    ...(options.hooks ?? []),
    ...(options.configHooks ?? []).map((d) => hookFromDefinition(d, options.context)),
  ];
  const documents = options.documents;
  if (!documents) return { hooks: () => fixed, invalidate: () => undefined };
  const refreshMs = options.refreshMs ?? 1000;
  const now = options.now ?? (() => performance.now());
  let cache = fixed;
  let version = 0;
  let checkedAt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<Hook[]> | undefined;

  async function reload(): Promise<Hook[]> {
    try {
      const counter = await documents!.get<{ version: number }>(
        HOOKS_VERSION_DOCUMENT.collection,
        HOOKS_VERSION_DOCUMENT.key,
      );
      const current = counter?.version ?? 0;
      if (current !== version) {
        const rows = await documents!.list<RegisteredHookDefinition>(HOOKS_COLLECTION);
        const registered = rows.map((row) => {
          try {
            return hookFromDefinition(
              validateHookDefinition(row.value?.definition, "hook registry", row.key),
              options.context,
            );
          } catch (err) {
            return invalidHook(row.key, err instanceof Error ? err.message : "invalid");
          }
        });
        cache = [...fixed, ...registered];
        version = current;
      }
      checkedAt = now();
      return cache;
    } finally {
      inflight = undefined;
    }
  }

  return {
    hooks(): Hook[] | Promise<Hook[]> {
      if (now() - checkedAt < refreshMs) return cache;
      inflight ??= reload();
      return inflight;
    },
    invalidate() {
      checkedAt = Number.NEGATIVE_INFINITY;
    },
  };
}
