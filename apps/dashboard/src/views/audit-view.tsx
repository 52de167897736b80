import { useState } from "preact/hooks";
import type { AuditFilters, CofferClient } from "../api/coffer-client";
import type { ApiVocabulary } from "../api/types";
import { CheckField, FormActions, SelectField, TextField, useFieldIds } from "../components/form-fields";
import { Empty, Loaded } from "../components/load-state";
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
        <Loaded
          load={verification}
          what="the chain verification"
          errorTitle="The chain could not be verified"
          onRetry={reverify}
        >
          {(result) =>
            result.ok ? (
              <p class="verification verification-ok" role="status">
                <strong>Chain intact.</strong> {result.checked} entr
                {result.checked === 1 ? "y" : "ies"} checked: each links to the one before and hashes correctly.
              </p>
            ) : (
              <div class="verification verification-broken" role="alert">
                <p>
                  <strong>Chain broken</strong>
                  {result.brokenAt ? ` at entry ${result.brokenAt.seq} (${result.brokenAt.reason})` : ""}, after
                  checking {result.checked} entries.
                </p>
                <p>Entries may have been edited, removed or inserted outside Coffer.</p>
              </div>
            )
          }
        </Loaded>
      </section>

      <AuditFilterForm
        vocabulary={vocabulary}
        filters={filters}
        onApply={(next) => {
          setFilters(next);
          setCursors([undefined]);
        }}
      />

      <Loaded load={page} what="audit entries" errorTitle="The audit log could not be read" onRetry={reload}>
        {(data) => (
          <>
            {data.items.length === 0 ? (
              <Empty>
                <p>{cursors.length > 1 ? "No older entries." : "No audit entries match these filters."}</p>
              </Empty>
            ) : (
              <AuditTable entries={data.items} showName={true} caption="Audit entries, newest first" />
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
                disabled={!data.nextCursor}
                onClick={() => setCursors([...cursors, data.nextCursor])}
              >
                Older
              </button>
            </nav>
          </>
        )}
      </Loaded>
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
  const field = useFieldIds();
  const [name, setName] = useState(filters.name ?? "");
  const [accessor, setAccessor] = useState(filters.accessor ?? "");
  const [action, setAction] = useState(filters.action ?? "");
  const [failed, setFailed] = useState(filters.failed ?? false);
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");

  const clear = () => {
    setName("");
    setAccessor("");
    setAction("");
    setFailed(false);
    setSince("");
    setUntil("");
    onApply({});
  };

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
        <TextField
          id={field("name")}
          label="Secret"
          autocomplete="off"
          spellcheck={false}
          value={name}
          onValue={setName}
        />
        <TextField
          id={field("accessor")}
          label="Who"
          placeholder="token, user or agent"
          autocomplete="off"
          spellcheck={false}
          value={accessor}
          onValue={setAccessor}
        />
        {vocabulary.auditActions.length > 0 ? (
          <SelectField
            id={field("action")}
            label="Action"
            value={action}
            onValue={setAction}
            emptyOption="Any action"
            options={vocabulary.auditActions}
          />
        ) : (
          <TextField
            id={field("action")}
            label="Action"
            placeholder="reveal"
            autocomplete="off"
            spellcheck={false}
            value={action}
            onValue={(typed) => setAction(typed.trim())}
          />
        )}
        <TextField id={field("since")} label="From" type="datetime-local" value={since} onValue={setSince} />
        <TextField id={field("until")} label="Until" type="datetime-local" value={until} onValue={setUntil} />
        <CheckField id={field("failed")} label="Failed attempts only" checked={failed} onChecked={setFailed} />
        <FormActions submitLabel="Apply filters" cancelLabel="Clear" onCancel={clear} />
      </form>
    </search>
  );
}
