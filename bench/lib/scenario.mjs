// The contract between bench/run.mjs and one scenario process.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { quick: { type: "boolean", default: false }, out: { type: "string" } } });

/** Settings passed by the runner: `--quick` and `--out FILE` (without it, the JSON goes to stdout). */
export const settings = { quick: values.quick, out: values.out };

/** Pick the full or the quick value. */
export function pick(full, quick) {
  return settings.quick ? quick : full;
}

/**
 * Run a scenario body and hand its figures (and notes) to the runner. A body may return
 * `{ skipped: "reason" }` when a piece it needs is not built or not installed.
 */
export async function scenario(body) {
  const figures = [];
  const notes = [];
  const api = {
    /** Record one figure: samples of one measurement, repeated. */
    figure(figure) {
      if (
        !Array.isArray(figure.samples) ||
        figure.samples.length === 0 ||
        figure.samples.some((s) => !Number.isFinite(s))
      ) {
        throw new Error(`figure ${figure.id} has no valid samples`);
      }
      figures.push(figure);
    },
    /** A line of context shown under the scenario's table. */
    note(text) {
      notes.push(text);
    },
  };
  let result;
  try {
    result = (await body(api)) ?? {};
  } catch (err) {
    result = { error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  const payload = { figures, notes, ...result };
  if (settings.out) writeFileSync(settings.out, JSON.stringify(payload));
  else console.log(JSON.stringify(payload, null, 2));
  process.exit(result.error ? 1 : 0);
}
