// Scale: stores of 1k, 10k and 100k secrets. Each store is grown through the library in batches
// (coffer.import of 5,000 lines) in memory, then copied to the temp disk where every figure is
// taken: get p50/p99, the first page of a metadata listing, the size on disk, audit verification
// and the full integrity check, and the import of a 10,000-line .env into a copy of the store
// (durable commits). Ratios compare with the 1k store.
import { copyFileSync, existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { pick, scenario } from "../lib/scenario.mjs";
import { percentiles } from "../lib/stats.mjs";
import { cofferDirs, diskTemp, memoryTemp } from "../lib/temp-dirs.mjs";
import { workspacePackage } from "../lib/workspace.mjs";

const GROUP = "Scale";
const BATCH = 5000;

const label = (n) => (n >= 1000 ? `${n / 1000}k` : String(n));
const nameOf = (i) => `SCALE_SECRET_${String(i).padStart(6, "0")}`;

await scenario(async ({ figure, note }) => {
  const { createCoffer } = await workspacePackage("core");
  const { local } = await workspacePackage("provider-local");
  const sizes = pick([1_000, 10_000, 100_000], [1_000, 10_000]);
  const importLines = pick(10_000, 2_000);
  const rounds = pick(5, 3);
  const getsPerRound = pick(2_000, 500);
  const importRuns = pick(3, 1);
  const verifyRuns = pick(3, 1);

  const open = (home, project) =>
    createCoffer({ providers: [local({ home })], cwd: project, projectRoot: project, env: {} });
  const copyStore = (fromHome, toHome) => {
    for (const f of ["store.db", "master.key"]) copyFileSync(join(fromHome, f), join(toHome, f));
  };

  const build = cofferDirs(memoryTemp("scale-build"));
  let count = 0;
  let buildSeconds = 0;
  for (const size of sizes) {
    const started = performance.now();
    const grower = open(build.home, build.project);
    while (count < size) {
      const n = Math.min(BATCH, size - count);
      const lines = [];
      for (let j = 0; j < n; j++) lines.push(`${nameOf(count + j)}=value-${count + j}-${"x".repeat(24)}`);
      await grower.import(lines.join("\n"));
      count += n;
    }
    await grower.dispose(); // checkpoints the WAL into store.db
    buildSeconds += (performance.now() - started) / 1000;
    const tag = label(size);
    const first = size === sizes[0];
    const base = (id) => (first ? undefined : `${id}.${label(sizes[0])}`);

    const disk = cofferDirs(diskTemp(`scale-${tag}`));
    copyStore(build.home, disk.home);
    const bytes = statSync(join(disk.home, "store.db")).size;
    figure({
      id: `scale.size.${tag}`,
      group: GROUP,
      label: `store size on disk, ${tag} secrets`,
      unit: "MB",
      better: "lower",
      samples: [bytes / 1e6],
      baseline: base("scale.size"),
    });

    const store = local({ home: disk.home });
    const coffer = createCoffer({ providers: [store], cwd: disk.project, projectRoot: disk.project, env: {} });
    const p50s = [];
    const p99s = [];
    let seed = 12345;
    for (let r = 0; r < rounds; r++) {
      const lat = [];
      for (let i = 0; i < getsPerRound; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        const name = nameOf(seed % size);
        const t = performance.now();
        await coffer.get(name);
        lat.push((performance.now() - t) * 1000);
        if (i % 50 === 49) await yieldToEventLoop();
      }
      const p = percentiles(lat);
      p50s.push(p.p50);
      p99s.push(p.p99);
    }
    figure({
      id: `scale.get-p50.${tag}`,
      group: GROUP,
      label: `get p50, ${tag} secrets`,
      unit: "us",
      better: "lower",
      samples: p50s,
      baseline: base("scale.get-p50"),
    });
    figure({
      id: `scale.get-p99.${tag}`,
      group: GROUP,
      label: `get p99, ${tag} secrets`,
      unit: "us",
      better: "lower",
      samples: p99s,
      baseline: base("scale.get-p99"),
    });

    const listMs = [];
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      const page = await coffer.list({ limit: 100 });
      listMs.push(performance.now() - t);
      if (page.items.length !== 100 || page.items[0].name !== nameOf(0) || !page.nextCursor)
        throw new Error(`list's first page has ${page.items.length} secrets, expected 100 of ${size}`);
    }
    figure({
      id: `scale.list.${tag}`,
      group: GROUP,
      label: `list metadata (first page of 100), ${tag} secrets`,
      unit: "ms",
      better: "lower",
      samples: listMs,
      baseline: base("scale.list"),
      ...(size >= 100_000 ? { target: { on: "ratio", op: "<=", value: 2, text: "<= 2x the 1k page" } } : {}),
    });

    // Verification streams the audit chain and every secret state against the store commitment
    // (`coffer audit --verify`); the integrity check (`coffer doctor`) also decrypts every version.
    const verifyMs = [];
    const doctorMs = [];
    for (let r = 0; r < verifyRuns; r++) {
      let t = performance.now();
      const verified = await coffer.verifyAudit();
      verifyMs.push(performance.now() - t);
      if (!verified.ok) throw new Error(`audit verification failed: ${JSON.stringify(verified)}`);
      t = performance.now();
      const report = await store.verifyIntegrity();
      doctorMs.push(performance.now() - t);
      if (!report.ok) throw new Error(`integrity check failed: ${report.problems.slice(0, 3).join("; ")}`);
    }
    figure({
      id: `scale.verify.${tag}`,
      group: GROUP,
      label: `audit --verify (chain + commitment), ${tag} secrets and audit entries`,
      unit: "ms",
      better: "lower",
      samples: verifyMs,
      baseline: base("scale.verify"),
    });
    figure({
      id: `scale.doctor.${tag}`,
      group: GROUP,
      label: `integrity check (doctor: decrypt all + commitment + chain), ${tag} secrets`,
      unit: "ms",
      better: "lower",
      samples: doctorMs,
      baseline: base("scale.doctor"),
    });
    await coffer.dispose();

    const envText = Array.from(
      { length: importLines },
      (_, i) => `IMPORTED_${String(i).padStart(5, "0")}=import-value-${i}-${"y".repeat(20)}`,
    ).join("\n");
    const importMs = [];
    for (let r = 0; r < importRuns; r++) {
      const target = cofferDirs(diskTemp(`scale-import-${tag}`));
      copyStore(disk.home, target.home);
      const importer = open(target.home, target.project);
      const t = performance.now();
      const report = await importer.import(envText);
      importMs.push(performance.now() - t);
      if (report.created !== importLines) throw new Error(`import created ${report.created} of ${importLines}`);
      await importer.dispose();
      rmSync(join(target.home, ".."), { recursive: true, force: true });
    }
    figure({
      id: `scale.import.${tag}`,
      group: GROUP,
      label: `import a ${label(importLines)}-line .env into the ${tag} store`,
      unit: "ms",
      better: "lower",
      samples: importMs,
      baseline: base("scale.import"),
    });
    if (existsSync(disk.home)) rmSync(join(disk.home, ".."), { recursive: true, force: true });
  }
  note(
    `Stores grown with coffer.import in batches of ${BATCH} lines (in memory, ${buildSeconds.toFixed(0)} s in all), then copied to the temp disk for every figure. ` +
      `get: ${rounds} rounds of ${getsPerRound} random reads (p50/p99 per round). Ratios compare with the ${label(sizes[0])} store (growth). ` +
      "Store size includes the audit log (one entry per imported secret).",
  );
});
