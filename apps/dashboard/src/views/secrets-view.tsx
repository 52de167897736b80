import type { ListItem } from "@coffer/core";
import { useState } from "preact/hooks";
import type { CofferClient, ListFilters } from "../api/coffer-client";
import { type SecretAddress, scopeText } from "../api/secret-address";
import type { ApiVocabulary } from "../api/types";
import { ExpiryBadge } from "../components/expiry";
import { CheckField, FormActions, SelectField, TextField, useFieldIds } from "../components/form-fields";
import { Empty, errorText, Loaded } from "../components/load-state";
import { useNotify } from "../components/notices";
import { TagList } from "../components/tag-list";
import { asApiError, useLoad } from "../components/use-load";
import { parseTagText, tagText } from "../format/tag-text";
import { formatDateTime, formatRelative } from "../format/time";
import { routeHref } from "../routing/hash-route";

/** Page sizes offered. */
const PAGE_SIZES = [25, 50, 100, 250];

/** The list's filters and paging, kept by the app so they survive a visit to a secret. */
export interface SecretsListState {
  /** Applied filters. */
  filters: ListFilters;
  /** Page size. */
  limit: number;
  /** Cursors of the pages before the current one, and the current one (undefined: first page). */
  cursors: Array<string | undefined>;
}

/** The initial list state. */
export const INITIAL_LIST_STATE: SecretsListState = { filters: {}, limit: 50, cursors: [undefined] };

function addressOf(item: ListItem): SecretAddress {
  return { name: item.name, scope: item.scope, provider: item.provider };
}

/** The secrets list: filters, a page of metadata rows, paging. */
export function SecretsView({
  client,
  vocabulary,
  providers,
  state,
  onState,
}: {
  client: CofferClient;
  vocabulary: ApiVocabulary;
  providers: string[];
  state: SecretsListState;
  onState: (state: SecretsListState) => void;
}) {
  const notify = useNotify();
  const cursor = state.cursors.at(-1);
  const [page, reload] = useLoad(
    () => client.listSecrets(state.filters, state.limit, cursor),
    [client, JSON.stringify(state.filters), state.limit, cursor],
  );
  const [restoring, setRestoring] = useState<string | undefined>();

  const restore = async (item: ListItem) => {
    setRestoring(item.name);
    try {
      const result = await client.restore(addressOf(item));
      notify({
        kind: "success",
        text: `Restored “${item.name}” (${result.versionsRestored} version${result.versionsRestored === 1 ? "" : "s"}) at ${result.provider}.`,
      });
      reload();
    } catch (err) {
      notify({ kind: "error", text: `“${item.name}” was not restored: ${errorText(asApiError(err))}` });
    } finally {
      setRestoring(undefined);
    }
  };

  const pageNumber = state.cursors.length;
  return (
    <section aria-labelledby="secrets-title">
      <div class="view-header">
        <h1 id="secrets-title">Secrets</h1>
        <a class="button primary" href={routeHref({ view: "new" })}>
          New secret
        </a>
      </div>
      <FilterForm
        vocabulary={vocabulary}
        providers={providers}
        filters={state.filters}
        onApply={(filters) => onState({ ...state, filters, cursors: [undefined] })}
      />
      <Loaded load={page} what="secrets" errorTitle="Secrets could not be listed" onRetry={reload}>
        {(data) => (
          <>
            {data.errors.map((failure) => (
              <div key={failure.provider} class="state state-warning" role="alert">
                <p>
                  <strong>Provider {failure.provider} could not be listed</strong>
                  {failure.message ? `: ${failure.message}` : ""}
                  {failure.code ? ` (${failure.code})` : ""}. Secrets it holds are missing below.
                </p>
              </div>
            ))}
            {data.items.length === 0 ? (
              <Empty>
                {Object.values(state.filters).some((v) => v !== undefined && v !== false) ? (
                  <p>No secret matches these filters.</p>
                ) : (
                  <p>
                    No secrets yet. <a href={routeHref({ view: "new" })}>Create the first one</a>.
                  </p>
                )}
              </Empty>
            ) : (
              <SecretsTable items={data.items} restoring={restoring} onRestore={restore} />
            )}
            <nav class="pager" aria-label="Pages of secrets">
              <button
                type="button"
                disabled={pageNumber <= 1}
                onClick={() => onState({ ...state, cursors: state.cursors.slice(0, -1) })}
              >
                Previous page
              </button>
              <span>
                Page {pageNumber}
                {data.total === undefined
                  ? " · more follow"
                  : ` · ${data.total} secret${data.total === 1 ? "" : "s"} in all`}
              </span>
              <button
                type="button"
                disabled={!data.nextCursor}
                onClick={() => onState({ ...state, cursors: [...state.cursors, data.nextCursor] })}
              >
                Next page
              </button>
              <label class="inline">
                Per page{" "}
                <select
                  value={String(state.limit)}
                  onChange={(e) => onState({ ...state, limit: Number(e.currentTarget.value), cursors: [undefined] })}
                >
                  {PAGE_SIZES.map((size) => (
                    <option key={size} value={String(size)}>
                      {size}
                    </option>
                  ))}
                </select>
              </label>
            </nav>
          </>
        )}
      </Loaded>
    </section>
  );
}

function FilterForm({
  vocabulary,
  providers,
  filters,
  onApply,
}: {
  vocabulary: ApiVocabulary;
  providers: string[];
  filters: ListFilters;
  onApply: (filters: ListFilters) => void;
}) {
  const field = useFieldIds();
  const [pattern, setPattern] = useState(filters.pattern ?? "");
  const [tags, setTags] = useState(tagText(filters.tags));
  const [scope, setScope] = useState(filters.scope ?? "");
  const [provider, setProvider] = useState(filters.provider ?? "");
  const [includeDeleted, setIncludeDeleted] = useState(filters.includeDeleted ?? false);
  const [staleOnly, setStaleOnly] = useState(filters.staleOnly ?? false);

  const apply = (e: Event) => {
    e.preventDefault();
    const tagList = parseTagText(tags);
    onApply({
      ...(pattern.trim() ? { pattern: pattern.trim() } : {}),
      ...(tagList.length > 0 ? { tags: tagList } : {}),
      ...(scope ? { scope } : {}),
      ...(provider ? { provider } : {}),
      ...(includeDeleted ? { includeDeleted: true } : {}),
      ...(staleOnly ? { staleOnly: true } : {}),
    });
  };
  const clear = () => {
    setPattern("");
    setTags("");
    setScope("");
    setProvider("");
    setIncludeDeleted(false);
    setStaleOnly(false);
    onApply({});
  };

  return (
    <search aria-label="Filter secrets">
      <form class="filters" onSubmit={apply}>
        <TextField
          id={field("pattern")}
          label="Name pattern"
          placeholder="api-*"
          autocomplete="off"
          spellcheck={false}
          value={pattern}
          onValue={setPattern}
        />
        <TextField
          id={field("tags")}
          label="Tags"
          placeholder="payments, prod"
          autocomplete="off"
          value={tags}
          onValue={setTags}
        />
        <SelectField
          id={field("scope")}
          label="Scope"
          value={scope}
          onValue={setScope}
          emptyOption="Any scope"
          options={vocabulary.scopeKinds}
        />
        {providers.length > 0 ? (
          <SelectField
            id={field("provider")}
            label="Provider"
            value={provider}
            onValue={setProvider}
            emptyOption="Any provider"
            options={providers}
          />
        ) : (
          <TextField
            id={field("provider")}
            label="Provider"
            autocomplete="off"
            value={provider}
            onValue={setProvider}
          />
        )}
        <CheckField id={field("stale")} label="Stale or expired only" checked={staleOnly} onChecked={setStaleOnly} />
        <CheckField id={field("deleted")} label="Show deleted" checked={includeDeleted} onChecked={setIncludeDeleted} />
        <FormActions submitLabel="Apply filters" cancelLabel="Clear" onCancel={clear} />
      </form>
    </search>
  );
}

function SecretsTable({
  items,
  restoring,
  onRestore,
}: {
  items: ListItem[];
  restoring?: string;
  onRestore: (item: ListItem) => void;
}) {
  return (
    <div class="table-wrap">
      <table class="secrets-table cards-on-narrow">
        <caption class="visually-hidden">Secrets, one row per name, scope and provider</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scope</th>
            <th scope="col">Provider</th>
            <th scope="col">Version</th>
            <th scope="col">Env states</th>
            <th scope="col">Tags</th>
            <th scope="col">Expiry</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={`${item.provider}\u0000${item.scopeLabel}\u0000${item.scope.id ?? ""}\u0000${item.name}`}>
              <th scope="row" data-label="Name">
                {item.deletedAt ? (
                  <span class="deleted-name">
                    <span>{item.name}</span>{" "}
                    <span class="badge badge-deleted">Deleted {formatRelative(item.deletedAt)}</span>{" "}
                    <button
                      type="button"
                      disabled={restoring === item.name}
                      aria-label={`Restore ${item.name}`}
                      onClick={() => onRestore(item)}
                    >
                      Restore
                    </button>
                    {item.purgeAt ? <span class="hint"> until {formatDateTime(item.purgeAt)}</span> : null}
                  </span>
                ) : (
                  <a href={routeHref({ view: "secret", name: item.name, scope: item.scope, provider: item.provider })}>
                    {item.name}
                  </a>
                )}
                {item.description ? <span class="row-description">{item.description}</span> : null}
              </th>
              <td data-label="Scope">{scopeText(item.scope)}</td>
              <td data-label="Provider">
                {item.provider}
                {item.shadowed ? <span class="hint"> (shadowed)</span> : null}
              </td>
              <td data-label="Version">v{item.version}</td>
              <td data-label="Env states">{item.envs.length > 0 ? item.envs.join(", ") : "default"}</td>
              <td data-label="Tags">
                <TagList tags={item.tags} empty={<span class="hint">none</span>} />
              </td>
              <td data-label="Expiry">
                <ExpiryBadge decay={item.decay} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
