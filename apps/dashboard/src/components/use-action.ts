import { useState } from "preact/hooks";
import type { ApiError } from "../api/api-error";
import { asApiError } from "./use-load";

/** A form's one action (save, rotate, delete, sign in) as the form shows it. */
export interface Action {
  /** The action is running: its button is disabled. */
  busy: boolean;
  /** Why the last run failed; cleared when it runs again. */
  error: ApiError | undefined;
  /** Run it: busy meanwhile, and its failure (as an {@link ApiError}) kept in `error`. */
  run(task: () => Promise<void>): Promise<void>;
}

/** The busy and error state of a form's action. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const run = async (task: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await task();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}
