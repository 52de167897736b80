import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isCofferError, type SecretAddress } from "@coffer/core";
import { defaultAccessor, type OpenedCoffer, openCoffer } from "@coffer/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createWorkspace,
  frontEndAvailable,
  killAllTracked,
  parseAcks,
  runCli,
  startTracked,
  type Workspace,
} from "../src/index.js";
import { tally } from "./scenario-tally.js";
import { runSeed, seededRandom } from "./seeded-random.js";
import { LIBRARY_WORKER } from "./worker-scripts.js";

const seed = runSeed();
const random = seededRandom(seed);
const IMPORT_KILLS = 10;
const ROTATE_KILLS = 10;
const KEY_ROTATE_KILLS = 5;
const CLI_IMPORT_KILLS = 4;
const IMPORT_SIZE = 3000;
const ROTATED = ["ROT_A", "ROT_B", "ROT_C", "ROT_D"];

const importValue = (prefix: string, i: number) => `val-${prefix}-${i}-${"q".repeat(20)}`;
const global = (name: string): SecretAddress => ({ name, scope: { kind: "global" } });

let ws: Workspace;

beforeAll(async () => {
  ws = createWorkspace("crash");
  const opened = await open();
  for (const name of ROTATED) await opened.coffer.set(name, `initial-${name}`);
  await opened.coffer.dispose();
});

afterAll(async () => {
  await killAllTracked();
  ws?.cleanup();
});

function open(): Promise<OpenedCoffer> {
  return openCoffer({ accessor: defaultAccessor("library"), cwd: ws.project, env: ws.env() });
}

/**
 * Open the store afresh (as the next process after a crash would) and check it whole: no false
 * tamper report (the commitment matches the secret records and audit head, and the store is not
 * older than its anchor file, whatever point the kill landed on), and the anchor file private.
 */
async function reopenAndCheck(): Promise<OpenedCoffer> {
  const opened = await open();
  const integrity = await opened.local!.verifyIntegrity();
  expect(integrity.problems, `seed ${seed}`).toEqual([]);
  const audit = await opened.coffer.verifyAudit();
  expect(audit.ok, `audit chain, seed ${seed}: ${audit.brokenAt?.reason} ${audit.detail ?? ""}`).toBe(true);
  const anchors = readdirSync(ws.home).filter((f) => f.endsWith(".anchor"));
  expect(anchors, "one anchor file beside the key file").toHaveLength(1);
  expect(statSync(join(ws.home, anchors[0]!)).mode & 0o777).toBe(0o600);
  return opened;
}

/**
 * Start a worker, wait until it has acknowledged a random number of writes (1 to `maxAcks`),
 * let it run a random 0-30 ms more -- so the kill lands anywhere in the next write, commit
 * included -- then SIGKILL it. Ack-based rather than time-based, so the kill point is random
 * within the work on fast and slow machines alike.
 */
async function killMidway(mode: string, config: unknown, maxAcks: number) {
  const worker = startTracked([LIBRARY_WORKER, mode, JSON.stringify(config)], {
    cwd: ws.project,
    env: ws.env(),
    label: `${mode} worker`,
  });
  await worker.waitForLine(/^READY$/);
  const target = 1 + Math.floor(random() * maxAcks);
  let seen = 0;
  await worker.waitForLine((line) => line.startsWith("ACK ") && ++seen >= target, 60_000).catch(() => undefined);
  await sleep(Math.floor(random() * 30));
  worker.kill("SIGKILL");
  const exit = await worker.exited;
  return { worker, exit };
}

describe(`kill -9 at random points (seed ${seed}; replay with RELIABILITY_SEED=${seed})`, () => {
  it(`a large import killed ${IMPORT_KILLS} times: the store reopens intact and holds the whole import or none of it; a finished import is whole`, async (context) => {
    // An import is one transaction (all or nothing), so a kill can leave no partial import. The
    // first import runs to the end and times a whole run; the others are killed at a random point
    // of that duration, counted from the worker's READY.
    let checked = 0;
    let interrupted = 0;
    let fullMs = 0;
    for (let iter = 0; iter <= IMPORT_KILLS; iter++) {
      const prefix = `IMP${iter}`;
      const completes = iter === 0;
      const worker = startTracked([LIBRARY_WORKER, "import", JSON.stringify({ prefix, count: IMPORT_SIZE })], {
        cwd: ws.project,
        env: ws.env(),
        label: "import worker",
      });
      await worker.waitForLine(/^READY$/);
      const started = performance.now();
      if (completes) {
        await worker.waitForLine((line) => line.includes('"finished":true'), 120_000);
        fullMs = performance.now() - started;
      } else {
        await sleep(Math.floor(fullMs * (0.1 + 0.85 * random())));
        worker.kill("SIGKILL");
      }
      const exit = await worker.exited;
      const finished = parseAcks<{ finished?: boolean }>(worker.stdout()).some((a) => a.finished);
      if (!completes && exit.signal === "SIGKILL" && !finished) interrupted++;
      const opened = await reopenAndCheck();
      const results = await opened.local!.getMany(
        Array.from({ length: IMPORT_SIZE }, (_, i) => global(`${prefix}_${i}`)),
      );
      for (const [i, r] of results.entries()) {
        if (r.ok) expect(r.secret.value).toBe(importValue(prefix, i));
        else expect(isCofferError(r.error, "NOT_FOUND"), `${prefix}_${i}: ${r.error.code}`).toBe(true);
      }
      const present = results.filter((r) => r.ok).length;
      expect(
        [0, IMPORT_SIZE],
        `${prefix}: ${present} of ${IMPORT_SIZE} items present (an import is all or nothing)`,
      ).toContain(present);
      if (finished) expect(present, `${prefix} finished but is not whole`).toBe(IMPORT_SIZE);
      checked += IMPORT_SIZE;
      await opened.coffer.dispose();
    }
    // The schedule must really have killed imports before they finished, or this test proves nothing.
    expect(interrupted, "imports killed before they finished").toBeGreaterThanOrEqual(IMPORT_KILLS / 2);
    tally(context, { operations: IMPORT_KILLS + 1 + checked });
  });

  it(`rotations killed ${ROTATE_KILLS} times: each acknowledged rotation survives with its value, versions only move forward`, async (context) => {
    let acked = 0;
    let killedWhileRotating = 0;
    const lastSeen = new Map<string, number>();
    for (let iter = 0; iter < ROTATE_KILLS; iter++) {
      const { worker } = await killMidway("rotate", { names: ROTATED }, 200);
      const acks = parseAcks<{ name: string; version: number; value: string }>(worker.stdout());
      acked += acks.length;
      if (acks.length > 0) killedWhileRotating++;
      const opened = await reopenAndCheck();
      for (const name of ROTATED) {
        const current = await opened.coffer.get(name, { reveal: true, purpose: "crash check" });
        const mine = acks.filter((a) => a.name === name);
        const last = mine.at(-1);
        if (last) {
          expect(current.version).toBeGreaterThanOrEqual(last.version);
          if (current.version === last.version) expect(current.value).toBe(last.value);
        }
        expect(current.version).toBeGreaterThanOrEqual(lastSeen.get(name) ?? 1);
        lastSeen.set(name, current.version);
        // Every acknowledged version still kept in history reads back as written.
        const kept = new Set((await opened.coffer.history(name)).map((v) => v.version));
        for (const a of mine.filter((x) => kept.has(x.version))) {
          const old = await opened.coffer.get(name, { version: a.version, reveal: true, purpose: "crash check" });
          expect(old.value).toBe(a.value);
        }
      }
      await opened.coffer.dispose();
    }
    expect(killedWhileRotating, "rotation workers killed after they started rotating").toBeGreaterThanOrEqual(
      ROTATE_KILLS / 2,
    );
    tally(context, { operations: ROTATE_KILLS + acked });
  });

  it(`master-key rotations killed ${KEY_ROTATE_KILLS} times: the store always unlocks from the key file and decrypts everything`, async (context) => {
    let rotations = 0;
    for (let iter = 0; iter < KEY_ROTATE_KILLS; iter++) {
      const { worker } = await killMidway("key-rotate", {}, 60);
      rotations += parseAcks(worker.stdout()).length;
      const opened = await reopenAndCheck();
      const probe = await opened.coffer.get(ROTATED[0]!, { reveal: true, purpose: "crash check" });
      expect(probe.value).toMatch(/^(initial|rot)-ROT_A/);
      await opened.coffer.dispose();
    }
    tally(context, { operations: KEY_ROTATE_KILLS + rotations });
  });

  it.skipIf(!frontEndAvailable("cli"))(
    `coffer import processes killed ${CLI_IMPORT_KILLS} times: the store stays intact, each import is whole or absent, and a completed import is whole`,
    async (context) => {
      let interrupted = 0;
      let fullMs = 0;
      // The first two imports run to the end (the second, with the CLI's code cache warm, times a
      // whole run); the others are killed at a random point of that duration.
      for (let iter = 0; iter <= CLI_IMPORT_KILLS + 1; iter++) {
        const prefix = `CLI${iter}`;
        const file = join(ws.project, `${prefix}.env`);
        writeFileSync(
          file,
          Array.from({ length: IMPORT_SIZE }, (_, i) => `${prefix}_${i}=${importValue(prefix, i)}`).join("\n"),
          { mode: 0o600 },
        );
        const completes = iter <= 1;
        const started = performance.now();
        const result = await runCli(ws, ["import", file, "--json"], {
          timeoutMs: completes ? 120_000 : Math.floor(fullMs * (0.1 + 0.85 * random())),
        });
        if (completes) fullMs = performance.now() - started;
        const opened = await reopenAndCheck();
        const results = await opened.local!.getMany(
          Array.from({ length: IMPORT_SIZE }, (_, i) => global(`${prefix}_${i}`)),
        );
        for (const [i, r] of results.entries()) {
          if (r.ok) expect(r.secret.value).toBe(importValue(prefix, i));
          else expect(r.error.code).toBe("NOT_FOUND");
        }
        const present = results.filter((r) => r.ok).length;
        expect(
          [0, IMPORT_SIZE],
          `${prefix}: ${present} of ${IMPORT_SIZE} items present (an import is all or nothing)`,
        ).toContain(present);
        if (!completes && result.code !== 0) interrupted++;
        if (result.code === 0) expect(present, "an import that exited 0 is complete").toBe(IMPORT_SIZE);
        if (completes) expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
        await opened.coffer.dispose();
      }
      expect(interrupted, "coffer import processes killed before they finished").toBeGreaterThanOrEqual(1);
      tally(context, { operations: (CLI_IMPORT_KILLS + 2) * (IMPORT_SIZE + 1) });
    },
  );
});
