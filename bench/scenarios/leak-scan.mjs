// Leak scan: `findLeaks` over a generated tree (100 MB full, 10 MB quick) of text files with
// 1,000 stored values to look for, a few of them planted. Figures: throughput in MB/s (the
// target is >= 50 MB/s), the growth of the process's resident memory while scanning (bounded:
// the current and previous chunk of one file at a time), and a baseline of reading the same
// files without matching.
import { createReadStream, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pick, scenario } from "../lib/scenario.mjs";
import { diskTemp } from "../lib/temp-dirs.mjs";
import { workspacePackage } from "../lib/workspace.mjs";

await scenario(async ({ figure, note }) => {
  const { ValueScanner, findLeaks } = await workspacePackage("core");
  const totalMb = pick(100, 10);
  const fileMb = 1;
  const valueCount = 1000;
  const rounds = pick(3, 2);

  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const token = (n) => Array.from({ length: n }, () => alphabet[rand() % 64]).join("");
  const values = Array.from({ length: valueCount }, (_, i) => ({
    value: `sk_${token(29)}`,
    name: `SECRET_${i}`,
    scope: "global",
    version: 1,
  }));
  const words = ["const", "return", "function", "value", "config", "import", "export", "await", "the", "data", "user"];

  const root = diskTemp("leak-scan");
  let planted = 0;
  for (let f = 0; f < totalMb / fileMb; f++) {
    const dir = join(root, `dir${f % 10}`);
    mkdirSync(dir, { recursive: true });
    const lines = [];
    let size = 0;
    while (size < fileMb * 1e6) {
      const line =
        rand() % 7 === 0
          ? `  token: "${token(32)}", // ${words[rand() % words.length]}`
          : Array.from({ length: 8 }, () => words[rand() % words.length]).join(" ");
      lines.push(line);
      size += line.length + 1;
    }
    if (f % 10 === 0) {
      lines[lines.length >> 1] += ` ${values[f % valueCount].value}`;
      planted++;
    }
    writeFileSync(join(dir, `file${f}.txt`), `${lines.join("\n")}\n`);
  }

  const scanner = new ValueScanner(values);
  const readOnly = [];
  const mbps = [];
  const rssGrowth = [];
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    let bytes = 0;
    for (let f = 0; f < totalMb / fileMb; f++) {
      for await (const c of createReadStream(join(root, `dir${f % 10}`, `file${f}.txt`), { highWaterMark: 1 << 20 }))
        bytes += c.length;
    }
    readOnly.push(bytes / 1e6 / ((performance.now() - t) / 1000));
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    t = performance.now();
    const report = await findLeaks(scanner, { root, paths: ["."] });
    const seconds = (performance.now() - t) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (report.findings.length !== planted) throw new Error(`found ${report.findings.length}, planted ${planted}`);
    mbps.push(report.bytes / 1e6 / seconds);
    rssGrowth.push((peak - rss0) / 1e6);
  }
  figure({
    id: "leakscan.read",
    group: "Leak scan",
    label: `read ${totalMb} MB of files (no matching)`,
    unit: "MB/s",
    better: "higher",
    samples: readOnly,
  });
  figure({
    id: "leakscan.throughput",
    group: "Leak scan",
    label: `scan ${totalMb} MB for ${valueCount} values`,
    unit: "MB/s",
    better: "higher",
    samples: mbps,
    baseline: "leakscan.read",
    target: { on: "value", op: ">=", value: 50, text: ">= 50 MB/s" },
  });
  figure({
    id: "leakscan.rss",
    group: "Leak scan",
    label: `resident memory growth while scanning ${totalMb} MB`,
    unit: "MB",
    better: "lower",
    samples: rssGrowth,
  });
  note(`${totalMb / fileMb} files of ${fileMb} MB, ${planted} planted values, all found in every round`);
});
