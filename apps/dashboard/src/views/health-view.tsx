import type { ProviderStatus } from "@coffer/core";
import type { CofferClient } from "../api/coffer-client";
import { Empty, Loaded } from "../components/load-state";
import { useLoad } from "../components/use-load";
import { formatDateTime, formatRelative } from "../format/time";

/** Provider health: the fallback chain in read order, then each provider's status. */
export function HealthView({ client }: { client: CofferClient }) {
  const [report, reload] = useLoad(() => client.providers(), [client]);
  return (
    <section aria-labelledby="health-title">
      <div class="view-header">
        <h1 id="health-title">Health</h1>
        <button type="button" onClick={reload}>
          Check again
        </button>
      </div>
      <Loaded load={report} what="provider health" errorTitle="Provider health could not be read" onRetry={reload}>
        {(health) =>
          health.providers.length === 0 ? (
            <Empty>
              <p>No providers are configured.</p>
            </Empty>
          ) : (
            <>
              <p class={`verification ${health.ok ? "verification-ok" : "verification-broken"}`} role="status">
                <strong>{health.ok ? "All providers healthy." : "Some providers are unavailable."}</strong>{" "}
                {health.ok
                  ? "Reads go down the chain below until one answers."
                  : "Reads skip a dead provider and go on down the chain; secrets only it holds cannot be read."}
              </p>
              <section aria-labelledby="chain-title" class="panel">
                <h2 id="chain-title">Fallback chain</h2>
                <p class="hint">
                  Read order: the first provider that holds a secret answers. Writes go to the default.
                </p>
                <ol class="chain">
                  {health.chain.map((name, index) => {
                    const provider = health.providers.find((p) => p.name === name);
                    return (
                      <li key={name} class={`chain-step ${provider?.ok === false ? "down" : "up"}`}>
                        <span class="chain-order" aria-hidden="true">
                          {index + 1}
                        </span>
                        <span class="chain-name">{name}</span>
                        <span class="chain-detail">
                          {provider ? `priority ${provider.priority}` : ""}
                          {provider?.isDefault ? " · default for writes" : ""}
                          {provider ? (provider.ok ? " · up" : " · DOWN") : ""}
                        </span>
                      </li>
                    );
                  })}
                </ol>
              </section>
              <section aria-labelledby="providers-title" class="panel">
                <h2 id="providers-title">Providers</h2>
                <div class="provider-cards">
                  {health.providers.map((p) => (
                    <ProviderCard key={p.name} provider={p} />
                  ))}
                </div>
              </section>
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function ProviderCard({ provider }: { provider: ProviderStatus }) {
  return (
    <article class={`provider-card ${provider.ok ? "up" : "down"}`} aria-label={`Provider ${provider.name}`}>
      <h3>
        {provider.name}{" "}
        <span class={`badge ${provider.ok ? "badge-fresh" : "badge-hard-expired"}`}>
          {provider.ok ? "Healthy" : "Unavailable"}
        </span>
      </h3>
      {provider.message ? <p class={provider.ok ? "hint" : "error-text"}>{provider.message}</p> : null}
      <dl class="metadata compact">
        <div>
          <dt>Kind</dt>
          <dd>{provider.kind}</dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd>{provider.priority}</dd>
        </div>
        <div>
          <dt>Default for writes</dt>
          <dd>{provider.isDefault ? "yes" : "no"}</dd>
        </div>
        <div>
          <dt>Latency</dt>
          <dd>{provider.latencyMs === undefined ? "—" : `${provider.latencyMs.toFixed(1)} ms`}</dd>
        </div>
        <div>
          <dt>Checked</dt>
          <dd>
            {formatDateTime(provider.lastCheck)} ({formatRelative(provider.lastCheck)})
          </dd>
        </div>
      </dl>
    </article>
  );
}
