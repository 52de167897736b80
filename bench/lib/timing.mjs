// Timing loops: operations per second over fixed windows, and wall time of whole processes.
import { spawn } from "node:child_process";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";

/**
 * Run `op` back to back for `windowMs`, `samples` times (after one warm-up window), and return
 * operations per second of each window. Every `yieldEvery` operations the loop yields to the
 * event loop, as a real program does, so background work (batched audit writes) runs inside the
 * measured window; `settle` (awaited inside the window) drains what is still pending.
 */
export async function opsPerSecond(op, { samples, windowMs, yieldEvery = 100, settle, warmupMs = windowMs }) {
  const run = async (ms) => {
    let count = 0;
    const started = performance.now();
    const deadline = started + ms;
    while (performance.now() < deadline) {
      for (let i = 0; i < yieldEvery; i++) await op(count++);
      await yieldToEventLoop();
    }
    if (settle) await settle();
    return count / ((performance.now() - started) / 1000);
  };
  await run(warmupMs);
  const out = [];
  for (let s = 0; s < samples; s++) out.push(await run(windowMs));
  return out;
}

/** The same for a synchronous operation (better-sqlite3 baselines). */
export function opsPerSecondSync(op, { samples, windowMs, warmupMs = windowMs }) {
  const run = (ms) => {
    let count = 0;
    const started = performance.now();
    const deadline = started + ms;
    while (performance.now() < deadline) for (let i = 0; i < 100; i++) op(count++);
    return count / ((performance.now() - started) / 1000);
  };
  run(warmupMs);
  const out = [];
  for (let s = 0; s < samples; s++) out.push(run(windowMs));
  return out;
}

/**
 * Wall time (ms) of one process from spawn to exit. Output is read and discarded; a non-zero
 * exit is an error carrying the output's tail, so a broken command never yields a fast figure.
 */
export function timeProcess(command, args, { env, cwd, input } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, cwd, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let tail = "";
    const keep = (chunk) => {
      tail = (tail + chunk.toString("utf8")).slice(-2000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    if (input !== undefined) child.stdin.end(input);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`${[command, ...args].join(" ")} exited with ${code ?? signal}:\n${tail}`));
    });
  });
}

/**
 * Time several commands interleaved (A B C, A B C, ...) so drift in machine load hits each the
 * same way. Returns ms samples per key, after `warmup` untimed rounds.
 */
export async function timeInterleaved(commands, { runs, warmup = 1 }) {
  const out = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (const [key, c] of Object.entries(commands)) {
      const ms = await timeProcess(c.command, c.args, c);
      if (round >= warmup) out[key].push(ms);
    }
  }
  return out;
}
