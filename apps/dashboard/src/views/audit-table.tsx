import type { AuditEntry } from "@coffer/core";
import { formatDateTime } from "../format/time";
import { routeHref } from "../routing/hash-route";

/** Audit entries, newest first. */
export function AuditTable({
  entries,
  showName,
  caption,
}: {
  entries: AuditEntry[];
  showName: boolean;
  caption: string;
}) {
  return (
    <div class="table-wrap">
      <table class="audit-table cards-on-narrow">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            {showName ? <th scope="col">Secret</th> : null}
            <th scope="col">Env</th>
            <th scope="col">Result</th>
            <th scope="col">Purpose</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.seq} class={entry.success ? "" : "failed"}>
              <th scope="row" data-label="#">
                {entry.seq}
              </th>
              <td data-label="Time">
                <time dateTime={entry.time}>{formatDateTime(entry.time)}</time>
              </td>
              <td data-label="Who">
                {entry.accessor} <span class="hint">via {entry.frontEnd}</span>
              </td>
              <td data-label="Action">{entry.action}</td>
              {showName ? (
                <td data-label="Secret">
                  {entry.name ? (
                    <a href={routeHref({ view: "audit", name: entry.name })} title={`Entries for ${entry.name}`}>
                      {entry.name}
                    </a>
                  ) : (
                    <span class="hint">—</span>
                  )}
                  {entry.scope && entry.scope !== "global" ? <span class="hint"> [{entry.scope}]</span> : null}
                </td>
              ) : null}
              <td data-label="Env">{entry.env ?? <span class="hint">default</span>}</td>
              <td data-label="Result">
                {entry.success ? (
                  <span class="badge badge-fresh">ok</span>
                ) : (
                  <span class="badge badge-expired">failed{entry.errorCode ? `: ${entry.errorCode}` : ""}</span>
                )}
                {entry.version !== undefined ? <span class="hint"> v{entry.version}</span> : null}
              </td>
              <td data-label="Purpose">{entry.purpose ?? <span class="hint">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
