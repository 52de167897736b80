import { useId, useState } from "preact/hooks";
import type { ApiError } from "../api/api-error";
import { CofferClient } from "../api/coffer-client";
import { errorText } from "../components/load-state";
import { asApiError } from "../components/use-load";

/**
 * Sign in with an API token (`coffer token create`). The token is checked against the server,
 * then kept in memory, or in this tab's session storage when asked; never in local storage or a URL.
 */
export function SignInView({
  reason,
  onSignedIn,
}: {
  /** Why the person is here again (token rejected). */
  reason?: string;
  onSignedIn: (token: string, keepInTab: boolean) => void;
}) {
  const [token, setToken] = useState("");
  const [keepInTab, setKeepInTab] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const id = useId();

  const submit = async (e: Event) => {
    e.preventDefault();
    const candidate = token.trim();
    if (!candidate) return;
    setBusy(true);
    setError(undefined);
    try {
      await new CofferClient(candidate, () => undefined).verifyToken();
      setToken("");
      onSignedIn(candidate, keepInTab);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <form class="panel sign-in-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`}>Sign in to Coffer</h1>
        {reason ? (
          <p class="notice notice-info" role="status">
            {reason}
          </p>
        ) : null}
        <div class="field">
          <label for={`${id}-token`}>API token</label>
          <input
            id={`${id}-token`}
            type="password"
            required
            autocomplete="off"
            spellcheck={false}
            aria-describedby={`${id}-hint`}
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
          <span id={`${id}-hint`} class="hint">
            A token from <code>coffer token create</code> (starts with <code>cfr_</code>). It is sent only in the
            Authorization header.
          </span>
        </div>
        <div class="field checkbox">
          <input
            id={`${id}-keep`}
            type="checkbox"
            checked={keepInTab}
            onChange={(e) => setKeepInTab(e.currentTarget.checked)}
          />
          <label for={`${id}-keep`}>Stay signed in when this tab reloads (session storage, this tab only)</label>
        </div>
        {error ? (
          <p class="error-text" role="alert">
            {error.status === 401
              ? "This token was not accepted: it may be mistyped, expired or revoked."
              : `Could not sign in: ${errorText(error)}`}
          </p>
        ) : null}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Checking…" : "Sign in"}
          </button>
        </div>
      </form>
    </main>
  );
}
