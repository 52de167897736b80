import { CofferError, isCofferError } from "../errors/index.js";
import { NUMERIC_RANGES } from "../inputs/numeric-ranges.js";
import type { Coffer, ScanReport } from "../service/types.js";

/** Longest interval between scans, seconds (one day). */
export const MAX_AGENT_INTERVAL_SECONDS = NUMERIC_RANGES.agentIntervalSeconds.max;

/** Options of {@link runExpiryAgent}. */
export interface ExpiryAgentOptions {
  /** Seconds between scans. @default 60 */
  intervalSeconds?: number;
  /** Regenerate expired secrets that have a rotation format. @default false */
  autoRotate?: boolean;
  /** Scan once and return (`coffer agent --once`, MCP `agent_scan`). @default false */
  once?: boolean;
  /** Stops the loop (after the scan in progress, if any). */
  signal?: AbortSignal;
  /** Called with each report and its run number (1-based). */
  onReport?: (report: ScanReport, run: number) => void | Promise<void>;
  /** Called when a scan fails in loop mode (the loop goes on). @default a process warning naming the error code */
  onError?: (error: CofferError, run: number) => void;
}

/** What the agent did. */
export interface ExpiryAgentResult {
  /** Scans completed. */
  runs: number;
  /** Report of the last completed scan. */
  lastReport?: ScanReport;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * The expiry agent: scan for stale and expired secrets (firing `expire` hooks, optionally
 * rotating), once or every `intervalSeconds` until `signal` aborts. In loop mode a failed scan
 * is reported through `onError` and the loop continues; with `once` it throws.
 * @throws CofferError INVALID_ARGUMENT for a bad interval; with `once`, the scan's error
 */
export async function runExpiryAgent(
  coffer: Pick<Coffer, "scan">,
  options: ExpiryAgentOptions = {},
): Promise<ExpiryAgentResult> {
  const interval = options.intervalSeconds ?? 60;
  if (
    typeof interval !== "number" ||
    !Number.isFinite(interval) ||
    interval < 1 ||
    interval > MAX_AGENT_INTERVAL_SECONDS
  ) {
    throw new CofferError("INVALID_ARGUMENT", `interval must be from 1 to ${MAX_AGENT_INTERVAL_SECONDS} seconds`, {
      field: "interval",
    });
  }
  const onError =
    options.onError ??
    ((err: CofferError) => process.emitWarning(`coffer agent: scan failed (${err.code}); retrying in ${interval}s`));
  const result: ExpiryAgentResult = { runs: 0 };
  while (!options.signal?.aborted) {
    try {
      const report = await coffer.scan({ autoRotate: options.autoRotate === true });
      result.runs++;
      result.lastReport = report;
      await options.onReport?.(report, result.runs);
    } catch (err) {
      if (options.once) throw err;
      onError(
        isCofferError(err) ? err : new CofferError("INTERNAL", "the scan failed", {}, { cause: err }),
        result.runs + 1,
      );
    }
    if (options.once) break;
    await sleep(interval * 1000, options.signal);
  }
  return result;
}
