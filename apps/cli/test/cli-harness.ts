import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built bin (tests spawn it as users do; `pnpm run build` first). */
export const COFFER_BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "coffer.js");

if (!existsSync(COFFER_BIN)) throw new Error(`build the CLI first (pnpm run build): ${COFFER_BIN} is missing`);

/** What one invocation printed and how it ended. */
export interface CliResult {
  /** Exit code. */
  code: number | null;
  /** Everything on stdout. */
  stdout: string;
  /** Everything on stderr. */
  stderr: string;
  /** Terminal runs: the output with colour escapes kept (stdout has them removed). */
  raw?: string;
}

/** An isolated Coffer world: temp COFFER_HOME, temp HOME and a temp project directory. */
export interface CliWorld {
  /** Temp root (removed by `cleanup`). */
  root: string;
  /** COFFER_HOME. */
  home: string;
  /** Project directory (cwd of every run). */
  cwd: string;
  /** Environment every run gets (plus per-call additions). */
  env: NodeJS.ProcessEnv;
  /** Every stdout/stderr seen so far, for sentinel sweeps. */
  transcript: string[];
  /** Run `coffer args...` with optional stdin text (stdin is always closed). */
  run(
    args: string[],
    options?: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
  ): Promise<CliResult>;
  /** Run `coffer args...` inside a pseudo-terminal (`script`), answering prompts as they appear. */
  runInTerminal(
    args: string[],
    answers: Array<{ when: RegExp; send: string }>,
    options?: { env?: NodeJS.ProcessEnv },
  ): Promise<CliResult>;
  /** Remove the temp directories. */
  cleanup(): void;
}

/** Make a new isolated world. `extraEnv` is added to every run. */
export function createWorld(extraEnv: NodeJS.ProcessEnv = {}): CliWorld {
  const root = mkdtempSync(join(tmpdir(), "coffer-cli-"));
  const home = join(root, "coffer-home");
  const cwd = join(root, "project");
  const userHome = join(root, "user-home");
  mkdirSync(cwd, { mode: 0o700 });
  mkdirSync(userHome, { mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: userHome,
    COFFER_HOME: home,
    LANG: "C.UTF-8",
    ...extraEnv,
  };
  const transcript: string[] = [];

  const run: CliWorld["run"] = (args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [COFFER_BIN, ...args], {
        cwd: options.cwd ?? cwd,
        env: { ...env, ...options.env },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
      const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        transcript.push(stdout, stderr);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(options.input ?? "");
    });

  const runInTerminal: CliWorld["runInTerminal"] = (args, answers, options = {}) =>
    new Promise((resolve, reject) => {
      const quoted = [process.execPath, COFFER_BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
      const child = spawn("script", ["-qfec", quoted, "/dev/null"], {
        cwd,
        env: { ...env, ...options.env, TERM: "xterm" },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let output = "";
      let stderr = "";
      let next = 0;
      const onOutput = (c: Buffer) => {
        output += c.toString("utf8");
        // Answer each prompt only once it is on screen (so the terminal is no longer echoing).
        while (next < answers.length && answers[next]!.when.test(output)) {
          const answer = answers[next++]!;
          setTimeout(() => child.stdin.write(answer.send), 50);
        }
      };
      child.stdout.on("data", onOutput);
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        transcript.push(output, stderr);
        resolve({ code, stdout: output.replace(/\u001b\[[0-9;]*m/g, "").replace(/\r\n/g, "\n"), stderr, raw: output });
      });
    });

  return {
    root,
    home,
    cwd,
    env,
    transcript,
    run,
    runInTerminal,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Parse a `--json` envelope from stdout. */
export function envelope<T = Record<string, unknown>>(
  result: CliResult,
): { ok: boolean; data: T; error: { code: string; message: string; hint?: string } } {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  }
}

/** Every regular file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const stat = statSync(path);
    if (stat.isDirectory()) out.push(...filesUnder(path));
    else if (stat.isFile()) out.push(path);
  }
  return out;
}

/** Files under `dir` whose bytes contain `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  const bytes = Buffer.from(needle, "utf8");
  return filesUnder(dir).filter((f) => readFileSync(f).includes(bytes));
}
