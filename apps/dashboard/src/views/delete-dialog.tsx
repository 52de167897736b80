import type { DeleteResult } from "@coffer/core";
import { useRef } from "preact/hooks";
import type { CofferClient } from "../api/coffer-client";
import { type SecretAddress, scopeText } from "../api/secret-address";
import { Dialog } from "../components/dialog";
import { ActionError } from "../components/load-state";
import { useAction } from "../components/use-action";
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
  const action = useAction();
  const cancelRef = useRef<HTMLButtonElement>(null);

  const confirm = () => action.run(async () => onDone(await client.deleteSecret(address)));

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
      {action.error ? <ActionError failed="Not deleted" error={action.error} /> : null}
      <div class="actions">
        <button type="button" class="danger" disabled={action.busy} onClick={confirm}>
          {action.busy ? "Deleting…" : `Delete ${address.name}`}
        </button>
        <button type="button" ref={cancelRef} autofocus onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
