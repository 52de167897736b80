import type { ScopeKind, ScopeRef, SecretView, WriteResult } from "@coffer/core";
import { useState } from "preact/hooks";
import type { ApiError } from "../api/api-error";
import type { CofferClient, PutSecretBody } from "../api/coffer-client";
import type { ApiVocabulary } from "../api/types";
import {
  CheckField,
  FormActions,
  GeneratorFields,
  SecretValueField,
  SelectField,
  type SelectOption,
  TextField,
  useFieldIds,
} from "../components/form-fields";
import { errorText } from "../components/load-state";
import { useAction } from "../components/use-action";
import { parseTagText, tagText } from "../format/tag-text";
import { isoToLocalInput, localInputToIso } from "../format/time";

/** What the form edits: a new secret, or a new version of an existing state. */
export type SecretFormMode =
  | { kind: "create" }
  | { kind: "update"; name: string; scope: ScopeRef; provider: string; state: SecretView };

const SCOPE_ID_LABEL: Record<string, string> = {
  project: "Project path (absolute)",
  team: "Team id",
  org: "Org id",
  user: "User",
  agent: "Agent id",
  plugin: "Plugin name",
};

const ENCODINGS: SelectOption[] = [
  { value: "utf-8", label: "Text (UTF-8)" },
  { value: "base64", label: "Bytes as base64" },
];

const TTL_UNITS: SelectOption[] = ["days", "hours"];

function ttlFields(seconds: number | undefined): { amount: string; unit: "days" | "hours" } {
  if (!seconds) return { amount: "", unit: "days" };
  return seconds % 86_400 === 0
    ? { amount: String(seconds / 86_400), unit: "days" }
    : { amount: String(Math.max(1, Math.round(seconds / 3_600))), unit: "hours" };
}

/** The scope picked in the form (`kind` is one of the server's scope kinds, from the vocabulary). */
function scopeOf(kind: string, id: string): ScopeRef {
  return kind === "global" ? { kind } : { kind: kind as ScopeKind, id: id.trim() };
}

/**
 * Create a secret, or write a new version of one state (value plus attributes). An update sends
 * the version it was opened at as `If-Match`; when someone wrote in between, the server refuses
 * (412) and the form says so, writing nothing.
 */
export function SecretForm({
  client,
  vocabulary,
  providers,
  mode,
  onSaved,
  onCancel,
  onReload,
}: {
  client: CofferClient;
  vocabulary: ApiVocabulary;
  providers: string[];
  mode: SecretFormMode;
  onSaved: (result: WriteResult) => void;
  onCancel: () => void;
  /** Reload the secret (offered after a conflict). */
  onReload?: () => void;
}) {
  const current = mode.kind === "update" ? mode.state : undefined;
  const [name, setName] = useState("");
  const [scopeKind, setScopeKind] = useState("global");
  const [scopeId, setScopeId] = useState("");
  const [provider, setProvider] = useState("");
  const [env, setEnv] = useState("");
  const [value, setValue] = useState("");
  const [encoding, setEncoding] = useState<string>(current?.encoding ?? "utf-8");
  const [description, setDescription] = useState(current?.description ?? "");
  const [tags, setTags] = useState(tagText(current?.tags));
  const initialTtl = ttlFields(current?.ttlSeconds);
  const [ttlAmount, setTtlAmount] = useState(initialTtl.amount);
  const [ttlUnit, setTtlUnit] = useState<"days" | "hours">(initialTtl.unit);
  const initialExpiry = isoToLocalInput(current?.expiresAt);
  const [expiresAt, setExpiresAt] = useState(initialExpiry);
  const [rotationFormat, setRotationFormat] = useState(current?.rotationFormat ?? "");
  const [rotationPrefix, setRotationPrefix] = useState(current?.rotationPrefix ?? "");
  const [writeOnly, setWriteOnly] = useState(current?.writeOnly ?? false);
  const action = useAction();
  const field = useFieldIds();

  const submit = async (e: Event) => {
    e.preventDefault();
    const body: PutSecretBody = { value, encoding, description, tags: parseTagText(tags) };
    const stateEnv = mode.kind === "update" ? mode.state.env : env.trim() || undefined;
    if (stateEnv) body.env = stateEnv;
    // An update resends the TTL and hard expiry only when edited: the inputs round them (hours,
    // minutes), and a save should not move them by itself.
    const amount = Number(ttlAmount);
    const ttlEdited = ttlAmount !== initialTtl.amount || ttlUnit !== initialTtl.unit;
    if ((mode.kind === "create" || ttlEdited) && ttlAmount.trim() !== "" && Number.isFinite(amount) && amount > 0) {
      body.ttlSeconds = Math.round(amount * (ttlUnit === "days" ? 86_400 : 3_600));
    }
    const expiry = localInputToIso(expiresAt);
    if (expiry && (mode.kind === "create" || expiresAt !== initialExpiry)) body.expiresAt = expiry;
    if (rotationFormat) body.rotationFormat = rotationFormat;
    if (rotationPrefix) body.rotationPrefix = rotationPrefix;
    if (writeOnly || current?.writeOnly) body.writeOnly = writeOnly;
    await action.run(async () => {
      const result =
        mode.kind === "create"
          ? await client.putSecret(name.trim(), scopeOf(scopeKind, scopeId), provider || undefined, body, {
              createOnly: true,
            })
          : await client.putSecret(mode.name, mode.scope, mode.provider, body, { ifVersion: mode.state.version });
      setValue("");
      onSaved(result);
    });
  };

  const { error } = action;

  return (
    <form class="secret-form" onSubmit={submit} aria-describedby={error ? field("error") : undefined}>
      {mode.kind === "create" ? (
        <fieldset>
          <legend>Where</legend>
          <TextField
            id={field("name")}
            label="Name"
            required
            maxLength={128}
            autocomplete="off"
            spellcheck={false}
            value={name}
            onValue={setName}
            hint={
              <>
                Letters, digits, <code>_ . / -</code>; starts with a letter or <code>_</code>.
              </>
            }
          />
          <div class="field-row">
            <SelectField
              id={field("scope")}
              label="Scope"
              value={scopeKind}
              onValue={setScopeKind}
              options={vocabulary.scopeKinds}
            />
            {scopeKind !== "global" ? (
              <TextField
                id={field("scope-id")}
                label={SCOPE_ID_LABEL[scopeKind] ?? "Scope id"}
                required={scopeKind !== "project" && scopeKind !== "user"}
                autocomplete="off"
                spellcheck={false}
                value={scopeId}
                onValue={setScopeId}
              />
            ) : null}
            <SelectField
              id={field("provider")}
              label="Provider"
              value={provider}
              onValue={setProvider}
              emptyOption="Default provider"
              options={providers}
            />
            <TextField
              id={field("env")}
              label="Env state"
              placeholder="default"
              autocomplete="off"
              spellcheck={false}
              value={env}
              onValue={setEnv}
              hint={
                <>
                  Empty: the default state. Or <code>dev</code>, <code>prod</code>…
                </>
              }
            />
          </div>
        </fieldset>
      ) : null}

      <fieldset>
        <legend>{mode.kind === "create" ? "Value" : `New value for ${mode.state.env ?? "the default state"}`}</legend>
        <SecretValueField
          id={field("value")}
          label="Value"
          value={value}
          onValue={setValue}
          hint={
            mode.kind === "update"
              ? `Every update writes a new version (now ${mode.state.version}). To keep the value, rotate or leave this page.`
              : "At most 64 KiB. Never shown back unless revealed."
          }
        />
        <SelectField
          id={field("encoding")}
          label="Encoding"
          value={encoding}
          onValue={setEncoding}
          options={ENCODINGS}
        />
      </fieldset>

      <fieldset>
        <legend>Details</legend>
        <div class="field">
          <label for={field("description")}>Description</label>
          <textarea
            id={field("description")}
            rows={2}
            maxLength={1024}
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        </div>
        <TextField
          id={field("tags")}
          label="Tags"
          autocomplete="off"
          value={tags}
          onValue={setTags}
          hint={
            <>
              Comma-separated: <code>payments, prod</code>
            </>
          }
        />
        <div class="field-row">
          <TextField
            id={field("ttl")}
            label="TTL"
            type="number"
            min={1}
            step={1}
            inputMode="numeric"
            value={ttlAmount}
            onValue={setTtlAmount}
            hint={<>Stale at 75%, expired after. {mode.kind === "update" ? "Empty keeps the current TTL." : ""}</>}
          />
          <SelectField
            id={field("ttl-unit")}
            label="TTL unit"
            value={ttlUnit}
            onValue={(unit) => setTtlUnit(unit as "days" | "hours")}
            options={TTL_UNITS}
          />
          <TextField
            id={field("expires")}
            label="Hard expiry"
            type="datetime-local"
            value={expiresAt}
            onValue={setExpiresAt}
          />
        </div>
        <GeneratorFields
          field={field}
          labels={{ format: "Rotation format", prefix: "Rotation prefix" }}
          format={rotationFormat}
          onFormat={setRotationFormat}
          emptyFormat={mode.kind === "update" && current?.rotationFormat ? "Keep current" : "None"}
          formats={vocabulary.secretFormats}
          prefix={rotationPrefix}
          onPrefix={setRotationPrefix}
        />
        <CheckField
          id={field("write-only")}
          label="Write-only: can be injected into processes, never revealed"
          checked={writeOnly}
          onChecked={setWriteOnly}
        />
      </fieldset>

      {error ? <FormError id={field("error")} error={error} mode={mode} onReload={onReload} /> : null}

      <FormActions
        submitLabel={mode.kind === "create" ? "Create secret" : "Save new version"}
        busy={action.busy}
        busyLabel="Saving…"
        onCancel={onCancel}
      />
    </form>
  );
}

function FormError({
  id,
  error,
  mode,
  onReload,
}: {
  id: string;
  error: ApiError;
  mode: SecretFormMode;
  onReload?: () => void;
}) {
  if (mode.kind === "update" && error.status === 412) {
    const now = typeof error.details.currentVersion === "number" ? error.details.currentVersion : undefined;
    return (
      <div id={id} class="state state-error conflict" role="alert">
        <p>
          <strong>Conflict: “{mode.name}” changed since you opened it.</strong>
        </p>
        <p>
          You edited version {mode.state.version}
          {now !== undefined ? `, but it is now at version ${now}` : ", but someone has written a newer one"}. Nothing
          was saved. Reload to see the latest version, then make your change again.
        </p>
        {onReload ? (
          <button type="button" onClick={onReload}>
            Reload latest version
          </button>
        ) : null}
      </div>
    );
  }
  if (mode.kind === "create" && error.code === "ALREADY_EXISTS") {
    return (
      <div id={id} class="state state-error" role="alert">
        <p>
          <strong>That secret already exists in this scope.</strong>
        </p>
        <p>Open it from the secrets list to write a new version, or pick another name or scope.</p>
      </div>
    );
  }
  return (
    <div id={id} class="state state-error" role="alert">
      <p>
        <strong>Not saved.</strong> {errorText(error)}
      </p>
    </div>
  );
}
