import { useId, useState } from "preact/hooks";
import type { ApiError } from "../api/api-error";
import type { CofferClient, PutSecretBody } from "../api/coffer-client";
import type { ApiVocabulary, ScopeRef, SecretView, WriteResult } from "../api/types";
import { errorText } from "../components/load-state";
import { asApiError } from "../components/use-load";
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

function ttlFields(seconds: number | undefined): { amount: string; unit: "days" | "hours" } {
  if (!seconds) return { amount: "", unit: "days" };
  return seconds % 86_400 === 0
    ? { amount: String(seconds / 86_400), unit: "days" }
    : { amount: String(Math.max(1, Math.round(seconds / 3_600))), unit: "hours" };
}

function scopeOf(kind: string, id: string): ScopeRef {
  return kind === "global" ? { kind } : { kind, id: id.trim() };
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
  const [encoding, setEncoding] = useState(current?.encoding ?? "utf-8");
  const [description, setDescription] = useState(current?.description ?? "");
  const [tags, setTags] = useState((current?.tags ?? []).join(", "));
  const initialTtl = ttlFields(current?.ttlSeconds);
  const [ttlAmount, setTtlAmount] = useState(initialTtl.amount);
  const [ttlUnit, setTtlUnit] = useState<"days" | "hours">(initialTtl.unit);
  const initialExpiry = isoToLocalInput(current?.expiresAt);
  const [expiresAt, setExpiresAt] = useState(initialExpiry);
  const [rotationFormat, setRotationFormat] = useState(current?.rotationFormat ?? "");
  const [rotationPrefix, setRotationPrefix] = useState(current?.rotationPrefix ?? "");
  const [writeOnly, setWriteOnly] = useState(current?.writeOnly ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const id = useId();

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const body: PutSecretBody = {
      value,
      encoding,
      description,
      tags: tags
        .split(",")
        .map((t) => t.trim())
        .filter((t) => t.length > 0),
    };
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
    setBusy(true);
    try {
      const result =
        mode.kind === "create"
          ? await client.putSecret(name.trim(), scopeOf(scopeKind, scopeId), provider || undefined, body, {
              createOnly: true,
            })
          : await client.putSecret(mode.name, mode.scope, mode.provider, body, { ifVersion: mode.state.version });
      setValue("");
      onSaved(result);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const field = (suffix: string) => `${id}-${suffix}`;
  const formats = vocabulary.secretFormats;

  return (
    <form class="secret-form" onSubmit={submit} aria-describedby={error ? field("error") : undefined}>
      {mode.kind === "create" ? (
        <fieldset>
          <legend>Where</legend>
          <div class="field">
            <label for={field("name")}>Name</label>
            <input
              id={field("name")}
              required
              maxLength={128}
              autocomplete="off"
              spellcheck={false}
              aria-describedby={field("name-hint")}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
            <span id={field("name-hint")} class="hint">
              Letters, digits, <code>_ . / -</code>; starts with a letter or <code>_</code>.
            </span>
          </div>
          <div class="field-row">
            <div class="field">
              <label for={field("scope")}>Scope</label>
              <select id={field("scope")} value={scopeKind} onChange={(e) => setScopeKind(e.currentTarget.value)}>
                {vocabulary.scopeKinds.map((kind) => (
                  <option key={kind} value={kind}>
                    {kind}
                  </option>
                ))}
              </select>
            </div>
            {scopeKind !== "global" ? (
              <div class="field">
                <label for={field("scope-id")}>{SCOPE_ID_LABEL[scopeKind] ?? "Scope id"}</label>
                <input
                  id={field("scope-id")}
                  required={scopeKind !== "project" && scopeKind !== "user"}
                  autocomplete="off"
                  spellcheck={false}
                  value={scopeId}
                  onInput={(e) => setScopeId(e.currentTarget.value)}
                />
              </div>
            ) : null}
            <div class="field">
              <label for={field("provider")}>Provider</label>
              <select id={field("provider")} value={provider} onChange={(e) => setProvider(e.currentTarget.value)}>
                <option value="">Default provider</option>
                {providers.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for={field("env")}>Env state</label>
              <input
                id={field("env")}
                placeholder="default"
                autocomplete="off"
                spellcheck={false}
                aria-describedby={field("env-hint")}
                value={env}
                onInput={(e) => setEnv(e.currentTarget.value)}
              />
              <span id={field("env-hint")} class="hint">
                Empty: the default state. Or <code>dev</code>, <code>prod</code>…
              </span>
            </div>
          </div>
        </fieldset>
      ) : null}

      <fieldset>
        <legend>{mode.kind === "create" ? "Value" : `New value for ${mode.state.env ?? "the default state"}`}</legend>
        <div class="field">
          <label for={field("value")}>Value</label>
          <input
            id={field("value")}
            type="password"
            required
            autocomplete="new-password"
            spellcheck={false}
            aria-describedby={field("value-hint")}
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
          <span id={field("value-hint")} class="hint">
            {mode.kind === "update"
              ? `Every update writes a new version (now ${mode.state.version}). To keep the value, rotate or leave this page.`
              : "At most 64 KiB. Never shown back unless revealed."}
          </span>
        </div>
        <div class="field">
          <label for={field("encoding")}>Encoding</label>
          <select id={field("encoding")} value={encoding} onChange={(e) => setEncoding(e.currentTarget.value)}>
            <option value="utf-8">Text (UTF-8)</option>
            <option value="base64">Bytes as base64</option>
          </select>
        </div>
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
        <div class="field">
          <label for={field("tags")}>Tags</label>
          <input
            id={field("tags")}
            autocomplete="off"
            aria-describedby={field("tags-hint")}
            value={tags}
            onInput={(e) => setTags(e.currentTarget.value)}
          />
          <span id={field("tags-hint")} class="hint">
            Comma-separated: <code>payments, prod</code>
          </span>
        </div>
        <div class="field-row">
          <div class="field">
            <label for={field("ttl")}>TTL</label>
            <input
              id={field("ttl")}
              type="number"
              min={1}
              step={1}
              inputMode="numeric"
              aria-describedby={field("ttl-hint")}
              value={ttlAmount}
              onInput={(e) => setTtlAmount(e.currentTarget.value)}
            />
            <span id={field("ttl-hint")} class="hint">
              Stale at 75%, expired after. {mode.kind === "update" ? "Empty keeps the current TTL." : ""}
            </span>
          </div>
          <div class="field">
            <label for={field("ttl-unit")}>TTL unit</label>
            <select
              id={field("ttl-unit")}
              value={ttlUnit}
              onChange={(e) => setTtlUnit(e.currentTarget.value as "days" | "hours")}
            >
              <option value="days">days</option>
              <option value="hours">hours</option>
            </select>
          </div>
          <div class="field">
            <label for={field("expires")}>Hard expiry</label>
            <input
              id={field("expires")}
              type="datetime-local"
              value={expiresAt}
              onInput={(e) => setExpiresAt(e.currentTarget.value)}
            />
          </div>
        </div>
        <div class="field-row">
          <div class="field">
            <label for={field("format")}>Rotation format</label>
            <select
              id={field("format")}
              value={rotationFormat}
              onChange={(e) => setRotationFormat(e.currentTarget.value)}
            >
              <option value="">{mode.kind === "update" && current?.rotationFormat ? "Keep current" : "None"}</option>
              {formats.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for={field("prefix")}>Rotation prefix</label>
            <input
              id={field("prefix")}
              maxLength={64}
              autocomplete="off"
              spellcheck={false}
              value={rotationPrefix}
              onInput={(e) => setRotationPrefix(e.currentTarget.value)}
            />
          </div>
        </div>
        <div class="field checkbox">
          <input
            id={field("write-only")}
            type="checkbox"
            checked={writeOnly}
            onChange={(e) => setWriteOnly(e.currentTarget.checked)}
          />
          <label for={field("write-only")}>Write-only: can be injected into processes, never revealed</label>
        </div>
      </fieldset>

      {error ? <FormError id={field("error")} error={error} mode={mode} onReload={onReload} /> : null}

      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Saving…" : mode.kind === "create" ? "Create secret" : "Save new version"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
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
