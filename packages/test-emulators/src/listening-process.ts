import { type ChildProcess, spawn } from "node:child_process";

/** How to start a server script under test (a front end's built bin) and find its URL. */
export interface StartListeningOptions {
  /** Script and arguments, run with this Node (`[bin, "--port", "0"]`). */
  args: readonly string[];
  /** The whole environment (nothing of the test process's own is inherited). */
  env: Record<string, string | undefined>;
  /** Working directory. */
  cwd: string;
  /** The line announcing the URL; its first group is the URL. @default /listening (?:at|on) (https?:\/\/[A-Za-z0-9.:[\]-]+)/ */
  urlPattern?: RegExp;
  /** Give up (and kill the process) when no URL was printed after this long. @default 30000 */
  timeoutMs?: number;
}

/** A server process that printed its URL. */
export interface ListeningProcess {
  /** The URL it listens on, without a trailing slash. */
  readonly url: string;
  /** The node child process. */
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_URL_PATTERN = /listening (?:at|on) (https?:\/\/[A-Za-z0-9.:[\]-]+)/;

/**
 * Spawn a server script with this Node and wait until it prints the line with its URL (on stdout
 * or stderr): how the tests and benchmarks start `coffer-server` and `coffer-mcp --http`.
 * @throws Error quoting its output when it exits first or prints no URL within `timeoutMs`
 */
export async function startListeningProcess(options: StartListeningOptions): Promise<ListeningProcess> {
  const pattern = options.urlPattern ?? DEFAULT_URL_PATTERN;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(process.execPath, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no URL line (${pattern}) within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const found = pattern.exec(output)?.[1];
      if (found !== undefined) {
        clearTimeout(timer);
        resolve(found.replace(/\/$/, ""));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing its URL:\n${output}`));
    });
  });
  return { url, child, exited, output: () => output, stop };
}
