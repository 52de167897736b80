import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api/api-error";

/** The state of data loaded from the API. */
export type Load<T> =
  | { status: "loading"; data?: undefined; error?: undefined }
  | { status: "ready"; data: T; error?: undefined }
  | { status: "error"; data?: undefined; error: ApiError };

/** An error as an {@link ApiError} (anything else becomes a value-free generic one). */
export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, "UNEXPECTED", "something went wrong in the dashboard");
}

/**
 * Load data when `deps` change; `reload()` loads again. An answer that arrives after a newer
 * request started is dropped, so a slow response never overwrites a fresher one.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Load<T>, () => void] {
  const [state, setState] = useState<Load<T>>({ status: "loading" });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const ticket = ++latest.current;
    setState({ status: "loading" });
    load().then(
      (data) => {
        if (ticket === latest.current) setState({ status: "ready", data });
      },
      (err: unknown) => {
        if (ticket === latest.current) setState({ status: "error", error: asApiError(err) });
      },
    );
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return [state, reload];
}
