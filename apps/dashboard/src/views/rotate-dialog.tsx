import { useId, useState } from "preact/hooks";
import type { ApiError } from "../api/api-error";
import type { CofferClient, RotateBody } from "../api/coffer-client";
import type { SecretAddress } from "../api/secret-address";
import type { ApiVocabulary, RotateResult } from "../api/types";
import { Dialog } from "../components/dialog";
import { errorText } from "../components/load-state";
import { asApiError } from "../components/use-load";

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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const id = useId();
  const field = (suffix: string) => `${id}-${suffix}`;

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
    setBusy(true);
    setError(undefined);
    try {
      const result = await client.rotate(address, body);
      setValue("");
      onDone(result);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Rotate “${address.name}”${env ? ` (${env})` : ""}`} onClose={onClose}>
      <form onSubmit={submit}>
        <fieldset>
          <legend>New value</legend>
          <div class="field checkbox">
            <input
              type="radio"
              id={field("generate")}
              name={field("source")}
              checked={source === "generate"}
              onChange={() => setSource("generate")}
            />
            <label for={field("generate")}>Generate a new value</label>
          </div>
          <div class="field checkbox">
            <input
              type="radio"
              id={field("given")}
              name={field("source")}
              checked={source === "given"}
              onChange={() => setSource("given")}
            />
            <label for={field("given")}>Use a value I give</label>
          </div>
          {source === "generate" ? (
            <div class="field-row">
              <div class="field">
                <label for={field("format")}>Format</label>
                <select id={field("format")} value={format} onChange={(e) => setFormat(e.currentTarget.value)}>
                  <option value="">{rotationFormat ? `Secret's format (${rotationFormat})` : "Default (token)"}</option>
                  {vocabulary.secretFormats.map((f) => (
                    <option key={f} value={f}>
                      {f}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for={field("prefix")}>Prefix</label>
                <input
                  id={field("prefix")}
                  maxLength={64}
                  autocomplete="off"
                  spellcheck={false}
                  value={prefix}
                  onInput={(e) => setPrefix(e.currentTarget.value)}
                />
              </div>
            </div>
          ) : (
            <div class="field">
              <label for={field("value")}>New value</label>
              <input
                id={field("value")}
                type="password"
                required
                autocomplete="new-password"
                spellcheck={false}
                value={value}
                onInput={(e) => setValue(e.currentTarget.value)}
              />
            </div>
          )}
        </fieldset>
        <fieldset>
          <legend>Old version</legend>
          <div class="field checkbox">
            <input
              type="checkbox"
              id={field("expire")}
              checked={expireOld}
              onChange={(e) => setExpireOld(e.currentTarget.checked)}
            />
            <label for={field("expire")}>Make the old version unreadable now</label>
          </div>
          {expireOld ? null : (
            <div class="field">
              <label for={field("grace")}>Grace period (days)</label>
              <input
                id={field("grace")}
                type="number"
                min={0}
                step={1}
                placeholder="30"
                value={graceDays}
                onInput={(e) => setGraceDays(e.currentTarget.value)}
              />
            </div>
          )}
        </fieldset>
        {error ? (
          <p class="error-text" role="alert">
            Not rotated: {errorText(error)}
          </p>
        ) : null}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Rotating…" : "Rotate"}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
