import type { ComponentChildren } from "preact";
import type { ApiError } from "../api/api-error";

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
