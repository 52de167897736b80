import type { Inspection, SecretView as StateView } from "@coffer/core";
import { useEffect, useState } from "preact/hooks";
import type { CofferClient } from "../api/coffer-client";
import { type SecretAddress, scopeText } from "../api/secret-address";
import type { ApiVocabulary } from "../api/types";
import { DecayBar, ExpiryBadge } from "../components/expiry";
import { TextField, useFieldIds } from "../components/form-fields";
import { Empty, ErrorState, errorText, Loaded, Loading } from "../components/load-state";
import { useNotify } from "../components/notices";
import { RevealValue } from "../components/reveal-value";
import { TagList } from "../components/tag-list";
import { asApiError, useLoad } from "../components/use-load";
import { formatDateTime, formatDuration, formatRelative } from "../format/time";
import { navigate, routeHref } from "../routing/hash-route";
import { AuditTable } from "./audit-table";
import { EXPIRED_NOTE } from "./create-secret-view";
import { DeleteDialog } from "./delete-dialog";
import { restoreCommand } from "./restore-command";
import { RotateDialog } from "./rotate-dialog";
import { SecretForm } from "./secret-form";

/** Entries of the secret's own audit trail shown on its page. */
const AUDIT_ROWS = 20;

function stateLabel(state: StateView): string {
  return state.env ?? "default";
}

/**
 * One secret: its states with masked values (revealable for a purpose), description, tags,
 * metadata, decay, entanglement, versions and audit trail; update, rotate and delete.
 */
export function SecretView({
  client,
  vocabulary,
  providers,
  address,
}: {
  client: CofferClient;
  vocabulary: ApiVocabulary;
  providers: string[];
  address: SecretAddress;
}) {
  const notify = useNotify();
  const key = `${address.name}\u0000${address.scope.kind}\u0000${address.scope.id ?? ""}\u0000${address.provider ?? ""}`;
  const [inspection, reload] = useLoad(() => client.inspect(address), [client, key]);
  const [audit, reloadAudit] = useLoad(() => client.audit({ name: address.name }, AUDIT_ROWS), [client, address.name]);
  const [editing, setEditing] = useState<StateView | undefined>();
  const [rotating, setRotating] = useState<StateView | undefined>();
  const [deleting, setDeleting] = useState(false);

  // A new address closes open forms.
  useEffect(() => {
    setEditing(undefined);
    setRotating(undefined);
    setDeleting(false);
  }, [key]);

  const refresh = () => {
    reload();
    reloadAudit();
  };

  if (inspection.status === "loading") return <Loading what={`“${address.name}”`} />;
  if (inspection.status === "error") {
    if (inspection.error.code === "NOT_FOUND") {
      return (
        <section aria-labelledby="secret-title">
          <h1 id="secret-title">{address.name}</h1>
          <Empty>
            <p>
              No secret “{address.name}” in scope {scopeText(address.scope)}
              {address.provider ? ` at ${address.provider}` : ""}. It may have been deleted: deleted secrets are listed
              with “Show deleted” and can be restored there.
            </p>
            <p>
              <a href={routeHref({ view: "secrets" })}>Back to the secrets list</a>
            </p>
          </Empty>
        </section>
      );
    }
    return <ErrorState title={`“${address.name}” could not be loaded`} error={inspection.error} onRetry={refresh} />;
  }

  const data = inspection.data;
  const here: SecretAddress = { name: data.name, scope: data.scope, provider: data.provider };
  const inForce = (s: StateView): boolean => (s.env ?? "default") === data.stateInForce;
  const primary = data.states.find(inForce) ?? data.states.find((s) => s.env === undefined) ?? data.states[0];

  return (
    <section aria-labelledby="secret-title" class="secret-page">
      <div class="view-header">
        <div>
          <h1 id="secret-title">{data.name}</h1>
          <p class="subtitle">
            Scope {scopeText(data.scope)} · provider {data.provider}
            {primary ? ` · version ${primary.version}` : ""}
          </p>
        </div>
        <div class="actions">
          <button type="button" class="danger" onClick={() => setDeleting(true)}>
            Delete…
          </button>
        </div>
      </div>

      {primary?.description ? <p class="description">{primary.description}</p> : null}
      <TagList tags={primary?.tags} label="Tags" />

      <section aria-labelledby="states-title" class="panel">
        <h2 id="states-title">Value{data.states.length > 1 ? "s by env state" : ""}</h2>
        <div class="state-cards">
          {data.states.map((state) => (
            <article key={stateLabel(state)} class="state-card" aria-label={`Env state ${stateLabel(state)}`}>
              <h3>
                {stateLabel(state)} <span class="hint">v{state.version}</span> <ExpiryBadge decay={state.decay} />
                {inForce(state) ? <span class="badge in-force">In force</span> : null}
              </h3>
              <RevealValue
                client={client}
                address={here}
                {...(state.env === undefined ? {} : { env: state.env })}
                maskedValue={state.maskedValue}
                writeOnly={state.writeOnly === true}
              />
              <p class="hint">Updated {formatDateTime(state.updatedAt)}</p>
              <div class="actions">
                <button type="button" onClick={() => setEditing(state)}>
                  Write new version
                </button>
                <button type="button" onClick={() => setRotating(state)}>
                  Rotate…
                </button>
              </div>
            </article>
          ))}
        </div>
      </section>

      {editing ? (
        <section aria-labelledby="edit-title" class="panel">
          <h2 id="edit-title">
            Update “{data.name}” ({stateLabel(editing)}, from version {editing.version})
          </h2>
          <SecretForm
            client={client}
            vocabulary={vocabulary}
            providers={providers}
            mode={{ kind: "update", name: data.name, scope: data.scope, provider: data.provider, state: editing }}
            onSaved={(result) => {
              setEditing(undefined);
              notify({
                kind: "success",
                text: `Saved “${result.name}”: now version ${result.version}.${result.alreadyExpired ? EXPIRED_NOTE : ""}`,
              });
              refresh();
            }}
            onCancel={() => setEditing(undefined)}
            onReload={() => {
              setEditing(undefined);
              refresh();
            }}
          />
        </section>
      ) : null}

      {primary ? (
        <section aria-labelledby="decay-title" class="panel">
          <h2 id="decay-title">Freshness</h2>
          <DecayBar decay={primary.decay} />
        </section>
      ) : null}

      <section aria-labelledby="meta-title" class="panel">
        <h2 id="meta-title">Metadata</h2>
        <Metadata data={data} primary={primary} />
      </section>

      <section aria-labelledby="entangled-title" class="panel">
        <h2 id="entangled-title">Entanglement</h2>
        <Entanglement
          data={data}
          onLink={async (other) => {
            try {
              await client.entangle(here, other);
              notify({ kind: "success", text: `Entangled “${data.name}” with “${other}”.` });
              refresh();
              return true;
            } catch (err) {
              notify({ kind: "error", text: `Could not entangle: ${errorText(asApiError(err))}` });
              return false;
            }
          }}
          onUnlink={async (other) => {
            try {
              await client.disentangle(here, other);
              notify({ kind: "success", text: `“${data.name}” and “${other}” are no longer entangled.` });
              refresh();
            } catch (err) {
              notify({ kind: "error", text: `Could not disentangle: ${errorText(asApiError(err))}` });
            }
          }}
        />
      </section>

      <section aria-labelledby="versions-title" class="panel">
        <h2 id="versions-title">Versions</h2>
        <Versions
          data={data}
          onRollback={async (to) => {
            const env = data.versionsOf === "default" ? undefined : data.versionsOf;
            try {
              const result = await client.rollback(here, to, env);
              notify({
                kind: "success",
                text: `Rolled “${data.name}” back to version ${to}: now version ${result.version}.`,
              });
              refresh();
            } catch (err) {
              notify({ kind: "error", text: `“${data.name}” was not rolled back: ${errorText(asApiError(err))}` });
            }
          }}
        />
      </section>

      <section aria-labelledby="trail-title" class="panel">
        <div class="view-header">
          <h2 id="trail-title">Audit trail</h2>
          <a href={routeHref({ view: "audit", name: data.name })}>Full audit log for {data.name}</a>
        </div>
        <Loaded
          load={audit}
          what="audit entries"
          errorTitle="The audit trail could not be loaded"
          onRetry={reloadAudit}
        >
          {(trail) =>
            trail.items.length === 0 ? (
              <Empty>
                <p>No audit entries for this secret.</p>
              </Empty>
            ) : (
              <AuditTable entries={trail.items} showName={false} caption={`Latest audit entries for ${data.name}`} />
            )
          }
        </Loaded>
      </section>

      {rotating ? (
        <RotateDialog
          client={client}
          vocabulary={vocabulary}
          address={here}
          {...(rotating.env === undefined ? {} : { env: rotating.env })}
          {...(rotating.rotationFormat ? { rotationFormat: rotating.rotationFormat } : {})}
          onClose={() => setRotating(undefined)}
          onDone={(result) => {
            setRotating(undefined);
            notify({
              kind: "success",
              text: `Rotated “${result.name}”: version ${result.oldVersion} → ${result.newVersion}${result.generated ? " (generated)" : ""}. ${
                result.oldValidUntil
                  ? `The old version stays readable until ${formatDateTime(result.oldValidUntil)}.`
                  : "The old version is no longer readable."
              }`,
            });
            refresh();
          }}
        />
      ) : null}

      {deleting ? (
        <DeleteDialog
          client={client}
          address={here}
          onClose={() => setDeleting(false)}
          onDone={(result) => {
            setDeleting(false);
            navigate({ view: "secrets" });
            notify({
              kind: "info",
              text: `Deleted “${data.name}” (${result.versionsDeleted} version${result.versionsDeleted === 1 ? "" : "s"})${
                result.purgeAt ? `; restorable until ${formatDateTime(result.purgeAt)}` : ""
              }. To undo: Restore here, “Show deleted” in the list, or ${restoreCommand(here)}.`,
              action: {
                label: `Restore ${data.name}`,
                run: () => {
                  client.restore(here).then(
                    (restored) => {
                      navigate({ view: "secret", name: here.name, scope: here.scope, provider: restored.provider });
                      notify({
                        kind: "success",
                        text: `Restored “${data.name}” (${restored.versionsRestored} version${restored.versionsRestored === 1 ? "" : "s"}).`,
                      });
                    },
                    (err: unknown) =>
                      notify({ kind: "error", text: `“${data.name}” was not restored: ${errorText(asApiError(err))}` }),
                  );
                },
              },
            });
          }}
        />
      ) : null}
    </section>
  );
}

function Metadata({ data, primary }: { data: Inspection; primary?: StateView }) {
  const rows: Array<[string, string]> = [
    ["Scope", scopeText(data.scope)],
    ["Provider", data.provider],
    ["Env states", data.states.map(stateLabel).join(", ")],
    [
      "Env in force",
      `${data.envInForce ?? "default"} (${data.stateInForce ? `reads return the ${data.stateInForce} state` : "no state for it: reads fail"})`,
    ],
  ];
  if (primary) {
    rows.push(
      ["Version", String(primary.version)],
      ["Encoding", primary.encoding],
      ["Created", formatDateTime(primary.createdAt)],
      ["Updated", formatDateTime(primary.updatedAt)],
      ["TTL", primary.ttlSeconds ? formatDuration(primary.ttlSeconds) : "none"],
      ["Hard expiry", primary.expiresAt ? formatDateTime(primary.expiresAt) : "none"],
      ["Rotation format", primary.rotationFormat ?? "none (rotate generates a token)"],
      ["Rotation prefix", primary.rotationPrefix ?? "none"],
      ["Allowed agents", (primary.allowedAgentIds ?? []).join(", ") || "any"],
      ["Write-only", primary.writeOnly ? "yes: never revealed" : "no"],
    );
  }
  rows.push(
    ["Reads and reveals", String(data.accessCount)],
    [
      "Last access",
      data.lastAccess ? `${formatDateTime(data.lastAccess)} (${formatRelative(data.lastAccess)})` : "never",
    ],
  );
  return (
    <dl class="metadata">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The secret name and scope label of an entanglement label (`NAME` or `NAME [scope]`). */
function parseLinkLabel(label: string): { name: string; scope: string } {
  const i = label.indexOf(" [");
  return i < 0 ? { name: label, scope: "global" } : { name: label.slice(0, i), scope: label.slice(i + 2, -1) };
}

function Entanglement({
  data,
  onLink,
  onUnlink,
}: {
  data: Inspection;
  onLink: (other: string) => Promise<boolean>;
  onUnlink: (other: string) => Promise<void>;
}) {
  const field = useFieldIds();
  const [other, setOther] = useState("");
  const [busy, setBusy] = useState(false);
  return (
    <>
      {data.entangledWith.length === 0 ? (
        <p class="hint">Not entangled: writing this secret writes no other.</p>
      ) : (
        <>
          <p>Writing or rotating this secret also writes:</p>
          <ul>
            {data.entangledWith.map((label) => {
              const link = parseLinkLabel(label);
              return (
                <li key={label}>
                  <code>{label}</code>{" "}
                  {link.scope === data.scopeLabel ? (
                    <button type="button" disabled={busy} onClick={() => onUnlink(link.name)}>
                      Disentangle {link.name}
                    </button>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </>
      )}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          if (await onLink(other.trim())) setOther("");
          setBusy(false);
        }}
      >
        <TextField
          id={field("entangle")}
          label="Entangle with (same scope)"
          autocomplete="off"
          required
          value={other}
          onValue={setOther}
        />
        <button type="submit" disabled={busy}>
          Entangle
        </button>
      </form>
    </>
  );
}

function Versions({ data, onRollback }: { data: Inspection; onRollback: (to: number) => Promise<void> }) {
  const [confirming, setConfirming] = useState<number | undefined>();
  const [busy, setBusy] = useState(false);
  if (data.versions.length === 0) {
    return <p class="hint">Provider {data.provider} keeps no version history.</p>;
  }
  const now = Date.now();
  return (
    <div class="table-wrap">
      <table class="cards-on-narrow">
        <caption class="visually-hidden">Versions of {data.name}, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Written</th>
            <th scope="col">How</th>
            <th scope="col">Status</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {data.versions.map((v) => (
            <tr key={v.version}>
              <th scope="row" data-label="Version">
                v{v.version}
              </th>
              <td data-label="Written">{formatDateTime(v.createdAt, true)}</td>
              <td data-label="How">{v.reason ?? "write"}</td>
              <td data-label="Status">
                {v.current
                  ? "current"
                  : v.validUntil
                    ? new Date(v.validUntil).getTime() > now
                      ? `readable until ${formatDateTime(v.validUntil, true)}`
                      : `expired ${formatDateTime(v.validUntil, true)}`
                    : "superseded"}
              </td>
              <td data-label="Action">
                {v.current ? null : confirming === v.version ? (
                  <span class="actions">
                    <button
                      type="button"
                      disabled={busy}
                      onClick={async () => {
                        setBusy(true);
                        await onRollback(v.version);
                        setBusy(false);
                        setConfirming(undefined);
                      }}
                    >
                      Confirm rollback to v{v.version}
                    </button>
                    <button type="button" onClick={() => setConfirming(undefined)}>
                      Cancel
                    </button>
                  </span>
                ) : (
                  <button type="button" onClick={() => setConfirming(v.version)}>
                    Roll back to v{v.version}…
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
