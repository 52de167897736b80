import type { ComponentChildren } from "preact";
import type { ApiError } from "../api/api-error";
import type { Load } from "./use-load";

/** A loading placeholder, announced politely to screen readers. */
export function Loading({ what }: { what: string }) {
  return (
    <p class="state state-loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      Loading {what}…
    </p>
  );
}

/** The message of an API error, with its code. */
export function errorText(error: ApiError): string {
  return error.code === "NETWORK" || error.code === "UNEXPECTED" ? error.message : `${error.message} (${error.code})`;
}

/** Why an action failed, in one line announced at once: `Not rotated: <message> (<code>)`. */
export function ActionError({ failed, error }: { failed: string; error: ApiError }) {
  return (
    <p class="error-text" role="alert">
      {failed}: {errorText(error)}
    </p>
  );
}

/** An error panel with an optional retry. */
export function ErrorState({ title, error, onRetry }: { title: string; error: ApiError; onRetry?: () => void }) {
  return (
    <div class="state state-error" role="alert">
      <p>
        <strong>{title}</strong>
      </p>
      <p>{errorText(error)}</p>
      {error.code === "PERMISSION_DENIED" ? <p>Ask for a token with the scope this view needs.</p> : null}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** An empty result, with a hint of what to do. */
export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state state-empty">{children}</div>;
}

/**
 * Data loaded with `useLoad`, in its three states: a loading line, an error panel with a retry,
 * or what `children` makes of the data.
 */
export function Loaded<T>({
  load,
  what,
  errorTitle,
  onRetry,
  children,
}: {
  /** The load. */
  load: Load<T>;
  /** What is loading (`secrets`, `audit entries`). */
  what: string;
  /** Title of the error panel. */
  errorTitle: string;
  /** Load again. */
  onRetry: () => void;
  /** The view of the data. */
  children: (data: T) => ComponentChildren;
}) {
  if (load.status === "loading") return <Loading what={what} />;
  if (load.status === "error") return <ErrorState title={errorTitle} error={load.error} onRetry={onRetry} />;
  return <>{children(load.data)}</>;
}
