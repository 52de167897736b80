import type { RotateResult } from "@coffer/core";
import { useState } from "preact/hooks";
import type { CofferClient, RotateBody } from "../api/coffer-client";
import type { SecretAddress } from "../api/secret-address";
import type { ApiVocabulary } from "../api/types";
import { Dialog } from "../components/dialog";
import {
  CheckField,
  FormActions,
  GeneratorFields,
  SecretValueField,
  TextField,
  useFieldIds,
} from "../components/form-fields";
import { ActionError } from "../components/load-state";
import { useAction } from "../components/use-action";

/**
 * Rotate a secret to a generated value (its rotation format, or one picked here) or to a given
 * one. The old version stays readable for the grace period unless expired now. The new value is
 * never shown here: reveal it afterwards if needed.
 */
export function RotateDialog({
  client,
  vocabulary,
  address,
  env,
  rotationFormat,
  onDone,
  onClose,
}: {
  client: CofferClient;
  vocabulary: ApiVocabulary;
  address: SecretAddress;
  env?: string;
  rotationFormat?: string;
  onDone: (result: RotateResult) => void;
  onClose: () => void;
}) {
  const [source, setSource] = useState<"generate" | "given">("generate");
  const [format, setFormat] = useState("");
  const [prefix, setPrefix] = useState("");
  const [value, setValue] = useState("");
  const [expireOld, setExpireOld] = useState(false);
  const [graceDays, setGraceDays] = useState("");
  const action = useAction();
  const field = useFieldIds();

  const submit = async (e: Event) => {
    e.preventDefault();
    const body: RotateBody = {};
    if (env) body.env = env;
    if (source === "given") body.value = value;
    else {
      if (format) body.generate = format;
      if (prefix) body.prefix = prefix;
    }
    if (expireOld) body.expireOld = true;
    else if (graceDays.trim() !== "" && Number(graceDays) >= 0)
      body.graceSeconds = Math.round(Number(graceDays) * 86_400);
    await action.run(async () => {
      const result = await client.rotate(address, body);
      setValue("");
      onDone(result);
    });
  };

  return (
    <Dialog title={`Rotate “${address.name}”${env ? ` (${env})` : ""}`} onClose={onClose}>
      <form onSubmit={submit}>
        <fieldset>
          <legend>New value</legend>
          <CheckField
            id={field("generate")}
            radioGroup={field("source")}
            label="Generate a new value"
            checked={source === "generate"}
            onChecked={() => setSource("generate")}
          />
          <CheckField
            id={field("given")}
            radioGroup={field("source")}
            label="Use a value I give"
            checked={source === "given"}
            onChecked={() => setSource("given")}
          />
          {source === "generate" ? (
            <GeneratorFields
              field={field}
              labels={{ format: "Format", prefix: "Prefix" }}
              format={format}
              onFormat={setFormat}
              emptyFormat={rotationFormat ? `Secret's format (${rotationFormat})` : "Default (token)"}
              formats={vocabulary.secretFormats}
              prefix={prefix}
              onPrefix={setPrefix}
            />
          ) : (
            <SecretValueField id={field("value")} label="New value" value={value} onValue={setValue} />
          )}
        </fieldset>
        <fieldset>
          <legend>Old version</legend>
          <CheckField
            id={field("expire")}
            label="Make the old version unreadable now"
            checked={expireOld}
            onChecked={setExpireOld}
          />
          {expireOld ? null : (
            <TextField
              id={field("grace")}
              label="Grace period (days)"
              type="number"
              min={0}
              step={1}
              placeholder="30"
              value={graceDays}
              onValue={setGraceDays}
            />
          )}
        </fieldset>
        {action.error ? <ActionError failed="Not rotated" error={action.error} /> : null}
        <FormActions submitLabel="Rotate" busy={action.busy} busyLabel="Rotating…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
