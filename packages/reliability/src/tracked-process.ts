import { type ChildProcess, spawn } from "node:child_process";

/** How a tracked process ended. */
export interface ProcessExit {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  /** Signal that ended it, or null. */
  signal: NodeJS.Signals | null;
}

/** A child process whose output is kept whole (for assertions and leak scans). */
export interface TrackedProcess {
  /** The node child process. */
  readonly child: ChildProcess;
  /** Label used in messages. */
  readonly label: string;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves when the process has exited and its streams are closed. */
  readonly exited: Promise<ProcessExit>;
  /** Send a signal (default SIGKILL) if it still runs. */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves on the first stdout line matching `pattern` (rejects if the process exits first). */
  waitForLine(pattern: RegExp | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
}

/** Options of {@link startTracked}. */
export interface StartTrackedOptions {
  /** Environment (complete: nothing is inherited). */
  env: Record<string, string>;
  /** Working directory. */
  cwd: string;
  /** Text written to stdin, which is then closed. @default stdin closed at once */
  input?: string | Buffer;
  /** Keep stdin open for writing. @default false */
  keepStdinOpen?: boolean;
  /** Label. @default the script name */
  label?: string;
}

const live = new Set<ChildProcess>();
let exitHook = false;

/** Every tracked process still running. */
export function liveProcessCount(): number {
  return live.size;
}

/** SIGKILL every tracked process still running (afterAll, and on test-process exit). */
export async function killAllTracked(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) {
      waits.push(new Promise((resolve) => child.once("exit", resolve)));
      child.kill("SIGKILL");
    }
  }
  await Promise.all(waits);
}

/**
 * Spawn `node` with `args` (a script and its arguments), tracking it so no test leaves it
 * running. Output is captured entirely.
 */
export function startTracked(args: string[], options: StartTrackedOptions): TrackedProcess {
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => {
      for (const child of live) child.kill("SIGKILL");
    });
  }
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  live.add(child);
  let out = "";
  let err = "";
  const lineWaiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = [];
  let pendingLine = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    out += text;
    if (lineWaiters.length === 0) return;
    pendingLine += text;
    const lines = pendingLine.split("\n");
    pendingLine = lines.pop() ?? "";
    for (const line of lines) {
      for (let i = lineWaiters.length - 1; i >= 0; i--) {
        const w = lineWaiters[i]!;
        if (w.test(line)) {
          lineWaiters.splice(i, 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  child.stdin!.on("error", () => undefined);
  if (options.input !== undefined) child.stdin!.end(options.input);
  else if (!options.keepStdinOpen) child.stdin!.end();
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once("close", (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once("error", () => {
      live.delete(child);
      resolve({ code: null, signal: null });
    });
  });
  const label = options.label ?? args[0] ?? "node";
  return {
    child,
    label,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill(signal = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    waitForLine(pattern, timeoutMs = 30_000) {
      const test = typeof pattern === "function" ? pattern : (line: string) => pattern.test(line);
      const complete = out.slice(0, out.lastIndexOf("\n") + 1);
      const already = complete.split("\n").find((l) => l !== "" && test(l));
      if (already !== undefined) return Promise.resolve(already);
      pendingLine = out.slice(out.lastIndexOf("\n") + 1);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${label}: no line matching ${pattern} within ${timeoutMs} ms\n${err.slice(-2000)}`)),
          timeoutMs,
        );
        lineWaiters.push({
          test,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then((e) => {
          clearTimeout(timer);
          reject(new Error(`${label} exited (${e.code ?? e.signal}) before printing ${pattern}\n${err.slice(-2000)}`));
        });
      });
    },
  };
}

/** Run a process to completion. */
export async function runTracked(
  args: string[],
  options: StartTrackedOptions & { timeoutMs?: number },
): Promise<ProcessExit & { stdout: string; stderr: string }> {
  const p = startTracked(args, options);
  const timer = setTimeout(() => p.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const exit = await p.exited;
  clearTimeout(timer);
  return { ...exit, stdout: p.stdout(), stderr: p.stderr() };
}
