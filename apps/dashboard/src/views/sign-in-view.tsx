import { useId, useState } from "preact/hooks";
import { CofferClient } from "../api/coffer-client";
import { CheckField, FormActions, SecretValueField } from "../components/form-fields";
import { errorText } from "../components/load-state";
import { useAction } from "../components/use-action";

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
  const action = useAction();
  const { error } = action;
  const id = useId();

  const submit = async (e: Event) => {
    e.preventDefault();
    const candidate = token.trim();
    if (!candidate) return;
    await action.run(async () => {
      await new CofferClient(candidate, () => undefined).verifyToken();
      setToken("");
      onSignedIn(candidate, keepInTab);
    });
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
        <SecretValueField
          id={`${id}-token`}
          label="API token"
          autocomplete="off"
          value={token}
          onValue={setToken}
          hint={
            <>
              A token from <code>coffer token create</code> (starts with <code>cfr_</code>). It is sent only in the
              Authorization header.
            </>
          }
        />
        <CheckField
          id={`${id}-keep`}
          label="Stay signed in when this tab reloads (session storage, this tab only)"
          checked={keepInTab}
          onChecked={setKeepInTab}
        />
        {error ? (
          <p class="error-text" role="alert">
            {error.status === 401
              ? "This token was not accepted: it may be mistyped, expired or revoked."
              : `Could not sign in: ${errorText(error)}`}
          </p>
        ) : null}
        <FormActions submitLabel="Sign in" busy={action.busy} busyLabel="Checking…" />
      </form>
    </main>
  );
}
