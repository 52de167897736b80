import { CofferError } from "../errors/index.js";
import type { Hook, HookMatch, HookPayload, HookVeto } from "./hook.js";

/** Options of {@link functionHook}. */
export interface FunctionHookOptions {
  /** Unique id. */
  id: string;
  /** `before` hooks may veto by returning `{ veto: reason }`. @default "after" */
  phase?: "before" | "after";
  /** What it matches. @default everything */
  match?: HookMatch;
  /** The function; its payload never carries the value. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing lets the operation proceed
  run: (payload: HookPayload) => void | HookVeto | Promise<void | HookVeto>;
  /** Seconds before a run counts as failed. @default 10 */
  timeoutSeconds?: number;
}

/**
 * An in-process hook for library users: a function run before or after matching operations,
 * with a timeout. (Front ends register shell and webhook hooks; functions cannot live in config.)
 * @throws CofferError INVALID_ARGUMENT for a missing id or function, or a bad phase or timeout
 */
export function functionHook(options: FunctionHookOptions): Hook {
  if (!options || typeof options.id !== "string" || options.id.length === 0 || typeof options.run !== "function") {
    throw new CofferError("INVALID_ARGUMENT", "a function hook needs an id and a run function", { field: "id" });
  }
  const phase = options.phase ?? "after";
  if (phase !== "before" && phase !== "after")
    throw new CofferError("INVALID_ARGUMENT", 'phase must be "before" or "after"', { field: "phase" });
  const timeoutSeconds = options.timeoutSeconds ?? 10;
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new CofferError("INVALID_ARGUMENT", "timeoutSeconds must be a positive number", { field: "timeoutSeconds" });
  }
  return {
    id: options.id,
    phase,
    match: options.match ?? {},
    async run(payload) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new CofferError("UNAVAILABLE", `hook ${options.id} timed out after ${timeoutSeconds}s`, {
                rule: `hook:${options.id}`,
              }),
            ),
          timeoutSeconds * 1000,
        );
      });
      try {
        return await Promise.race([Promise.resolve().then(() => options.run(payload)), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
