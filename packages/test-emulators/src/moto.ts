import { freePort } from "./free-port.js";
import { findExecutable, startProcess } from "./process.js";

/** A running moto server (AWS emulator) on 127.0.0.1. */
export interface MotoServer {
  /** Base URL to pass as the AWS SDK `endpoint`, for example `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  /** Forget every resource moto holds (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Everything moto wrote so far (its request log included). */
  logs(): string;
  /** Stop the server and its process group. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startMoto}. */
export interface StartMotoOptions {
  /** Executable to run. @default "moto_server" */
  command?: string;
  /** Give up when moto does not answer within this long. @default 60000 */
  timeoutMs?: number;
}

/** Name of the moto executable looked up on PATH. */
export const MOTO_COMMAND = "moto_server";

/** True when `CI=true` (or `1`): emulators must then start, and failing to is an error. */
export function isCi(): boolean {
  const ci = process.env.CI?.toLowerCase();
  return ci === "true" || ci === "1";
}

/**
 * Why moto-backed suites cannot run here, or undefined when they can. Use it synchronously with
 * `describe.skipIf(motoUnavailableReason() !== undefined)`. When a reason is returned, a loud
 * banner is printed so the skip is never mistaken for a pass. Under CI it always returns
 * undefined: a missing emulator then fails the suite in `startMoto` instead of skipping it.
 */
export function motoUnavailableReason(command = MOTO_COMMAND): string | undefined {
  if (isCi()) return undefined;
  if (findExecutable(command) !== undefined) return undefined;
  const reason = `${command} is not on PATH (install it with \`pip install 'moto[server]'\`)`;
  console.warn(
    [
      "",
      "!".repeat(78),
      `!! SKIPPED: tests against the AWS emulator did not run: ${reason}.`,
      "!! They are reported as skipped, not passed. Set CI=true to make this an error.",
      "!".repeat(78),
      "",
    ].join("\n"),
  );
  return reason;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Start `moto_server -H 127.0.0.1 -p <free port>` and wait until it answers.
 * Call it in `beforeAll` and `stop()` it in `afterAll`.
 * @throws Error when moto is not installed, exits early, or is not ready in time (always thrown,
 * so under CI the suite fails; outside CI guard the suite with {@link motoUnavailableReason}).
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const command = options.command ?? MOTO_COMMAND;
  if (findExecutable(command) === undefined) {
    throw new Error(`cannot start the AWS emulator: ${command} is not on PATH (pip install 'moto[server]')`);
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const started = await startProcess({
    name: "moto_server",
    command,
    args: ["-H", "127.0.0.1", "-p", String(port)],
    env: { PYTHONUNBUFFERED: "1", MOTO_ALLOW_NONEXISTENT_REGION: "true" },
    readyCheck: () => answers(`${endpoint}/moto-api/data.json`),
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  return {
    endpoint,
    logs: started.logs,
    stop: started.stop,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`moto reset failed with HTTP ${response.status}`);
    },
  };
}
