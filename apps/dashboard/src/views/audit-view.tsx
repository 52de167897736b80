import { useId, useState } from "preact/hooks";
import type { AuditFilters, CofferClient } from "../api/coffer-client";
import type { ApiVocabulary } from "../api/types";
import { Empty, ErrorState, Loading } from "../components/load-state";
import { useLoad } from "../components/use-load";
import { localInputToIso } from "../format/time";
import { AuditTable } from "./audit-table";

const PAGE_SIZE = 50;

/** The audit log: chain verification, filters, entries newest first, older pages. */
export function AuditView({
  client,
  vocabulary,
  initialName,
}: {
  client: CofferClient;
  vocabulary: ApiVocabulary;
  initialName?: string;
}) {
  const [filters, setFilters] = useState<AuditFilters>(initialName ? { name: initialName } : {});
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const cursor = cursors.at(-1);
  const [verification, reverify] = useLoad(() => client.verifyAudit(), [client]);
  const [page, reload] = useLoad(
    () => client.audit(filters, PAGE_SIZE, cursor),
    [client, JSON.stringify(filters), cursor],
  );

  return (
    <section aria-labelledby="audit-title">
      <div class="view-header">
        <h1 id="audit-title">Audit log</h1>
        <button
          type="button"
          onClick={() => {
            reverify();
            reload();
          }}
        >
          Refresh
        </button>
      </div>

      <section aria-label="Chain verification" class="panel">
        {verification.status === "loading" ? <Loading what="the chain verification" /> : null}
        {verification.status === "error" ? (
          <ErrorState title="The chain could not be verified" error={verification.error} onRetry={reverify} />
        ) : null}
        {verification.status === "ready" ? (
          verification.data.ok ? (
            <p class="verification verification-ok" role="status">
              <strong>Chain intact.</strong> {verification.data.checked} entr
              {verification.data.checked === 1 ? "y" : "ies"} checked: each links to the one before and hashes
              correctly.
            </p>
          ) : (
            <div class="verification verification-broken" role="alert">
              <p>
                <strong>Chain broken</strong>
                {verification.data.brokenAt
                  ? ` at entry ${verification.data.brokenAt.seq} (${verification.data.brokenAt.reason})`
                  : ""}
                , after checking {verification.data.checked} entries.
              </p>
              <p>Entries may have been edited, removed or inserted outside Coffer.</p>
            </div>
          )
        ) : null}
      </section>

      <AuditFilterForm
        vocabulary={vocabulary}
        filters={filters}
        onApply={(next) => {
          setFilters(next);
          setCursors([undefined]);
        }}
      />

      {page.status === "loading" ? <Loading what="audit entries" /> : null}
      {page.status === "error" ? (
        <ErrorState title="The audit log could not be read" error={page.error} onRetry={reload} />
      ) : null}
      {page.status === "ready" ? (
        <>
          {page.data.items.length === 0 ? (
            <Empty>
              <p>{cursors.length > 1 ? "No older entries." : "No audit entries match these filters."}</p>
            </Empty>
          ) : (
            <AuditTable entries={page.data.items} showName={true} caption="Audit entries, newest first" />
          )}
          <nav class="pager" aria-label="Pages of audit entries">
            <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors([undefined])}>
              Newest
            </button>
            <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Newer
            </button>
            <span>Page {cursors.length}</span>
            <button
              type="button"
              disabled={!page.data.nextCursor}
              onClick={() => setCursors([...cursors, page.data.nextCursor])}
            >
              Older
            </button>
          </nav>
        </>
      ) : null}
    </section>
  );
}

function AuditFilterForm({
  vocabulary,
  filters,
  onApply,
}: {
  vocabulary: ApiVocabulary;
  filters: AuditFilters;
  onApply: (filters: AuditFilters) => void;
}) {
  const id = useId();
  const field = (s: string) => `${id}-${s}`;
  const [name, setName] = useState(filters.name ?? "");
  const [accessor, setAccessor] = useState(filters.accessor ?? "");
  const [action, setAction] = useState(filters.action ?? "");
  const [failed, setFailed] = useState(filters.failed ?? false);
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");

  const apply = (e: Event) => {
    e.preventDefault();
    const sinceIso = localInputToIso(since);
    const untilIso = localInputToIso(until);
    onApply({
      ...(name.trim() ? { name: name.trim() } : {}),
      ...(accessor.trim() ? { accessor: accessor.trim() } : {}),
      ...(action ? { action } : {}),
      ...(failed ? { failed: true } : {}),
      ...(sinceIso ? { since: sinceIso } : {}),
      ...(untilIso ? { until: untilIso } : {}),
    });
  };

  return (
    <search aria-label="Filter audit entries">
      <form class="filters" onSubmit={apply}>
        <div class="field">
          <label for={field("name")}>Secret</label>
          <input
            id={field("name")}
            autocomplete="off"
            spellcheck={false}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for={field("accessor")}>Who</label>
          <input
            id={field("accessor")}
            placeholder="token, user or agent"
            autocomplete="off"
            spellcheck={false}
            value={accessor}
            onInput={(e) => setAccessor(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for={field("action")}>Action</label>
          {vocabulary.auditActions.length > 0 ? (
            <select id={field("action")} value={action} onChange={(e) => setAction(e.currentTarget.value)}>
              <option value="">Any action</option>
              {vocabulary.auditActions.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={field("action")}
              placeholder="reveal"
              autocomplete="off"
              spellcheck={false}
              value={action}
              onInput={(e) => setAction(e.currentTarget.value.trim())}
            />
          )}
        </div>
        <div class="field">
          <label for={field("since")}>From</label>
          <input
            id={field("since")}
            type="datetime-local"
            value={since}
            onInput={(e) => setSince(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for={field("until")}>Until</label>
          <input
            id={field("until")}
            type="datetime-local"
            value={until}
            onInput={(e) => setUntil(e.currentTarget.value)}
          />
        </div>
        <div class="field checkbox">
          <input
            id={field("failed")}
            type="checkbox"
            checked={failed}
            onChange={(e) => setFailed(e.currentTarget.checked)}
          />
          <label for={field("failed")}>Failed attempts only</label>
        </div>
        <div class="actions">
          <button type="submit" class="primary">
            Apply filters
          </button>
          <button
            type="button"
            onClick={() => {
              setName("");
              setAccessor("");
              setAction("");
              setFailed(false);
              setSince("");
              setUntil("");
              onApply({});
            }}
          >
            Clear
          </button>
        </div>
      </form>
    </search>
  );
}
