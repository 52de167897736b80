// Turn scenario outputs into latest.json and the Markdown table.
import { cpus, freemem, totalmem } from "node:os";
import { summarize } from "./stats.mjs";

/** Compute median/min/max, the ratio to the baseline measured in the same run, and the target verdict. */
export function finishFigures(figures) {
  const byId = new Map();
  const out = figures.map((f) => {
    const s = summarize(f.samples);
    const done = { ...f, median: s.median, min: s.min, max: s.max, runs: s.n };
    byId.set(f.id, done);
    return done;
  });
  for (const f of out) {
    if (f.baseline) {
      const b = byId.get(f.baseline);
      if (b && b.median !== 0) f.ratio = f.median / b.median;
    }
    if (f.target) {
      const subject = f.target.on === "ratio" ? f.ratio : f.median;
      f.targetMet =
        subject === undefined ? null : f.target.op === "<=" ? subject <= f.target.value : subject >= f.target.value;
    }
  }
  return out;
}

/** Facts about the machine the numbers come from. */
export function machine() {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    freeMemoryGiB: Math.round(freemem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A value in its unit, short. */
export function formatValue(value, unit) {
  if (value === undefined || value === null || Number.isNaN(value)) return "-";
  switch (unit) {
    case "ops/s":
    case "req/s":
      return `${int.format(value)}/s`;
    case "ms":
      return value >= 100
        ? `${int.format(value)} ms`
        : value >= 10
          ? `${value.toFixed(1)} ms`
          : `${value.toFixed(2)} ms`;
    case "us":
      return value >= 100 ? `${int.format(value)} µs` : `${value.toFixed(1)} µs`;
    case "MB":
      return `${value.toFixed(value >= 100 ? 0 : 1)} MB`;
    case "count":
      return int.format(value);
    default:
      return `${value.toFixed(2)} ${unit}`;
  }
}

function ratioText(f) {
  return f.ratio === undefined ? "-" : `${f.ratio >= 10 ? f.ratio.toFixed(0) : f.ratio.toFixed(2)}x`;
}

function targetText(f) {
  if (!f.target) return "";
  const verdict = f.targetMet === null ? "n/a" : f.targetMet ? "met" : "**missed**";
  return `${f.target.text}: ${verdict}`;
}

/** The Markdown report: a title, then {@link markdownBody}. */
export function markdown(result) {
  return [`# Coffer benchmark results`, "", markdownBody(result, "##")].join("\n");
}

/** One table per group (headings at `level`), then notes and skipped scenarios. */
export function markdownBody(result, level) {
  const lines = [];
  const m = result.machine;
  lines.push(
    `${result.mode === "quick" ? "Quick" : "Full"} run of ${result.generatedAt}, ${result.durationSeconds.toFixed(0)} s, on ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.`,
    "Each figure is the median (min-max) of the repeated runs; the ratio compares medians with the baseline measured in the same run.",
    "",
  );
  const byId = new Map(result.figures.map((f) => [f.id, f]));
  const groups = [...new Set(result.figures.map((f) => f.group))];
  for (const group of groups) {
    lines.push(`${level} ${group}`, "");
    lines.push(
      "| Figure | Median | Min | Max | Runs | Baseline | Ratio | Target |",
      "|---|---:|---:|---:|---:|---|---:|---|",
    );
    for (const f of result.figures.filter((x) => x.group === group)) {
      const base = f.baseline ? (byId.get(f.baseline)?.label ?? f.baseline) : "";
      lines.push(
        `| ${f.label} | ${formatValue(f.median, f.unit)} | ${formatValue(f.min, f.unit)} | ${formatValue(f.max, f.unit)} | ${f.runs} | ${base} | ${ratioText(f)} | ${targetText(f)} |`,
      );
    }
    lines.push("");
    const notes = result.scenarios.filter((s) => s.group === group).flatMap((s) => s.notes ?? []);
    for (const n of notes) lines.push(`- ${n}`);
    if (notes.length) lines.push("");
  }
  const missing = result.scenarios.filter((s) => s.status !== "ok");
  if (missing.length) {
    lines.push(`${level} Not measured`, "");
    for (const s of missing) lines.push(`- **${s.name}** (${s.status}): ${String(s.reason ?? "").split("\n")[0]}`);
    lines.push("");
  }
  return lines.join("\n");
}
