// Library on the local store: get and set per second through the service (`createCoffer` over
// `local()`), broken down (service without audit, provider alone) against raw SQLite point reads
// and durable writes on the same table shape.
import { randomBytes } from "node:crypto";
import { pick, scenario } from "../lib/scenario.mjs";
import { openRawStore } from "../lib/sqlite-baseline.mjs";
import { cofferDirs, diskTemp } from "../lib/temp-dirs.mjs";
import { opsPerSecond, opsPerSecondSync } from "../lib/timing.mjs";
import { workspacePackage } from "../lib/workspace.mjs";

const GROUP = "Library on the local store";
const SECRETS = 1000;

await scenario(async ({ figure, note }) => {
  const { createCoffer } = await workspacePackage("core");
  const { local } = await workspacePackage("provider-local");
  const samples = pick(7, 3);
  const windowMs = pick(500, 250);
  const names = Array.from({ length: SECRETS }, (_, i) => `BENCH_SECRET_${String(i).padStart(4, "0")}`);
  const nameAt = (i) => names[(i * 7919) % SECRETS];
  const value = (i) => `v-${i}-${randomBytes(16).toString("hex")}`;

  const { home, project } = cofferDirs(diskTemp("library"));
  const store = local({ home });
  const open = (extra = {}) =>
    createCoffer({ providers: [store], cwd: project, projectRoot: project, env: {}, ...extra });
  const coffer = open();
  await coffer.import(names.map((n, i) => `${n}=${value(i)}`).join("\n"));

  const raw = openRawStore(diskTemp("sqlite"), names);
  const rawGet = opsPerSecondSync((i) => raw.get(nameAt(i)), { samples, windowMs });
  figure({
    id: "library.sqlite-get",
    group: GROUP,
    label: "raw SQLite point read (baseline)",
    unit: "ops/s",
    better: "higher",
    samples: rawGet,
  });

  const get = await opsPerSecond((i) => coffer.get(nameAt(i)), {
    samples,
    windowMs,
    // Drain the batched read-audit entries inside the window: their cost belongs to get.
    settle: () => coffer.audit({ limit: 1 }),
  });
  figure({
    id: "library.get",
    group: GROUP,
    label: "coffer.get, warm (audited)",
    unit: "ops/s",
    better: "higher",
    samples: get,
    baseline: "library.sqlite-get",
    target: { on: "value", op: ">=", value: 100_000, text: ">= 100,000/s" },
  });

  const direct = await opsPerSecond((i) => coffer.get(nameAt(i), { scope: "global" }), {
    samples,
    windowMs,
    settle: () => coffer.audit({ limit: 1 }),
  });
  figure({
    id: "library.get-global",
    group: GROUP,
    label: "coffer.get with scope global (no cascade), audited",
    unit: "ops/s",
    better: "higher",
    samples: direct,
    baseline: "library.sqlite-get",
  });

  const unaudited = open({ audit: false });
  const getNoAudit = await opsPerSecond((i) => unaudited.get(nameAt(i)), { samples, windowMs });
  figure({
    id: "library.get-no-audit",
    group: GROUP,
    label: "coffer.get, audit disabled",
    unit: "ops/s",
    better: "higher",
    samples: getNoAudit,
    baseline: "library.sqlite-get",
  });

  const providerGet = await opsPerSecond((i) => store.get({ name: nameAt(i), scope: { kind: "global" } }), {
    samples,
    windowMs,
  });
  figure({
    id: "library.provider-get",
    group: GROUP,
    label: "local provider get (decrypt, no service)",
    unit: "ops/s",
    better: "higher",
    samples: providerGet,
    baseline: "library.sqlite-get",
  });

  const blob = randomBytes(60);
  const rawSet = opsPerSecondSync((i) => raw.set(nameAt(i), blob), { samples, windowMs });
  figure({
    id: "library.sqlite-set",
    group: GROUP,
    label: "raw SQLite durable write (baseline)",
    unit: "ops/s",
    better: "higher",
    samples: rawSet,
  });

  const set = await opsPerSecond((i) => coffer.set(nameAt(i), value(i)), { samples, windowMs, yieldEvery: 10 });
  figure({
    id: "library.set",
    group: GROUP,
    label: "coffer.set, durable commit (audited)",
    unit: "ops/s",
    better: "higher",
    samples: set,
    baseline: "library.sqlite-set",
  });

  const providerSet = await opsPerSecond(
    (i) => store.set({ name: nameAt(i), scope: { kind: "global" } }, { value: value(i), encoding: "utf-8" }),
    { samples, windowMs, yieldEvery: 10 },
  );
  figure({
    id: "library.provider-set",
    group: GROUP,
    label: "local provider set (encrypt, no service)",
    unit: "ops/s",
    better: "higher",
    samples: providerSet,
    baseline: "library.sqlite-set",
  });

  note(
    `${SECRETS} secrets; values ~40 bytes; reads cycle through every name without a scope, so the read cascade (project, then global) applies. ` +
      "Every write is its own WAL transaction with synchronous=FULL (one fsync per commit), baseline included.",
  );
  raw.close();
  await unaudited.dispose().catch(() => undefined);
  await coffer.dispose();
});
