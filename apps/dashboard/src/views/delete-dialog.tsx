import { useRef, useState } from "preact/hooks";
import type { ApiError } from "../api/api-error";
import type { CofferClient } from "../api/coffer-client";
import { type SecretAddress, scopeText } from "../api/secret-address";
import type { DeleteResult } from "../api/types";
import { Dialog } from "../components/dialog";
import { errorText } from "../components/load-state";
import { asApiError } from "../components/use-load";
import { restoreCommand } from "./restore-command";

/** Confirm a recoverable delete, naming the secret and saying how to undo it. */
export function DeleteDialog({
  client,
  address,
  onDone,
  onClose,
}: {
  client: CofferClient;
  address: SecretAddress;
  onDone: (result: DeleteResult) => void;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const cancelRef = useRef<HTMLButtonElement>(null);

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await client.deleteSecret(address));
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Delete “${address.name}”?`} onClose={onClose}>
      <p>
        Every version of <strong>{address.name}</strong> in scope {scopeText(address.scope)}
        {address.provider ? ` at provider ${address.provider}` : ""} is deleted. Programs reading it get “not found”.
      </p>
      <p>
        You can restore it during the recovery window: from the notice after deleting, from the secrets list with “Show
        deleted”, or with <code>{restoreCommand(address)}</code>.
      </p>
      {error ? (
        <p class="error-text" role="alert">
          Not deleted: {errorText(error)}
        </p>
      ) : null}
      <div class="actions">
        <button type="button" class="danger" disabled={busy} onClick={confirm}>
          {busy ? "Deleting…" : `Delete ${address.name}`}
        </button>
        <button type="button" ref={cancelRef} autofocus onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
