import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/** How to start a long-running helper process (an emulator) and how to tell it is ready. */
export interface StartProcessOptions {
  /** Executable, looked up on PATH. */
  command: string;
  /** Arguments (never put a secret here: arguments are visible to every local user). */
  args?: readonly string[];
  /** Extra environment variables, merged over the test process's own environment. */
  env?: Record<string, string | undefined>;
  /** Working directory. @default the test process's cwd */
  cwd?: string;
  /** Resolves true once the process serves requests; polled until then. */
  readyCheck: () => Promise<boolean>;
  /** Give up (and stop the process) when not ready after this long. @default 60000 */
  timeoutMs?: number;
  /** Label used in error messages. @default command */
  name?: string;
}

/** A started process: its process group is killed by `stop()` and when the test process exits. */
export interface StartedProcess {
  /** Pid of the process-group leader (a small watchdog that runs the command). */
  readonly pid: number;
  /** Stop the whole process group: SIGTERM, then SIGKILL after a grace period. Idempotent. */
  stop(): Promise<void>;
  /** Everything the process wrote to stdout and stderr so far (the last 256 KiB). */
  logs(): string;
}

const LOG_LIMIT = 256 * 1024;
const STOP_GRACE_MS = 5_000;
const POLL_MS = 150;

/**
 * The group leader. It runs the command in its own process group and kills that group when its
 * stdin closes (the test process died, even by SIGKILL), on SIGTERM/SIGINT, or when the command
 * exits. Plain CommonJS, run with `node -e`.
 */
const WATCHDOG = `
const { spawn } = require("node:child_process");
const [command, ...args] = process.argv.slice(1);
const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
let stopping = false;
const killGroup = (signal) => { try { process.kill(-process.pid, signal); } catch {} };
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  killGroup("SIGTERM");
  setTimeout(() => killGroup("SIGKILL"), ${STOP_GRACE_MS}).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
process.stdin.on("end", shutdown);
process.stdin.on("error", shutdown);
process.stdin.resume();
child.on("error", (err) => { process.stderr.write("cannot start " + command + ": " + err.message + "\\n"); process.exit(127); });
child.on("exit", (code, signal) => {
  // Leftover grandchildren go too; SIGTERM because this process (same group) handles it.
  stopping = true;
  process.stdin.destroy();
  killGroup("SIGTERM");
  process.exit(code ?? (signal ? 128 : 1));
});
`;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of live) {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Start `command` in a new process group and wait until `readyCheck` resolves true.
 * The group is killed by `stop()`, on the test process's normal exit, and by a watchdog when the
 * test process dies abruptly, so no emulator outlives its test run.
 * @throws Error when the process exits before it is ready or is not ready within `timeoutMs`
 * (the message ends with the tail of its logs).
 */
export async function startProcess(options: StartProcessOptions): Promise<StartedProcess> {
  const name = options.name ?? options.command;
  const timeoutMs = options.timeoutMs ?? 60_000;
  let log = "";
  const append = (chunk: Buffer) => {
    log += chunk.toString("utf8");
    if (log.length > LOG_LIMIT) log = log.slice(log.length - LOG_LIMIT);
  };

  const child = spawn(process.execPath, ["-e", WATCHDOG, options.command, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`${name}: could not spawn a process`);
  }
  live.add(child);
  installExitHook();
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  // Never let the harness keep the test process alive on its own.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exitInfo = { code, signal };
      live.delete(child);
      resolve();
    });
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (exitInfo) return;
      try {
        process.kill(-pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = sleep(STOP_GRACE_MS + 1_000).then(() => "timeout" as const);
      if ((await Promise.race([exited.then(() => "exited" as const), timer])) === "timeout") {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          // already gone
        }
        await Promise.race([exited, sleep(2_000)]);
      }
    })();
    return stopped;
  };

  const tail = () => {
    const text = log.trim();
    return text.length > 0 ? `\n--- last output of ${name} ---\n${text.slice(-4_000)}` : "";
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitInfo) {
      const how = exitInfo.signal ? `signal ${exitInfo.signal}` : `code ${exitInfo.code}`;
      throw new Error(`${name} exited (${how}) before it was ready${tail()}`);
    }
    let ready = false;
    try {
      ready = await options.readyCheck();
    } catch {
      ready = false;
    }
    if (ready) break;
    if (Date.now() >= deadline) {
      await stop();
      throw new Error(`${name} was not ready after ${timeoutMs} ms${tail()}`);
    }
    await Promise.race([sleep(POLL_MS), exited]);
  }

  return { pid, stop, logs: () => log };
}

/** Full path of `command` found on PATH (executable regular file), or undefined. */
export function findExecutable(command: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
