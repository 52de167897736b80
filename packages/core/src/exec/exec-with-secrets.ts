import type { ChildProcess } from "node:child_process";
import { constants as osConstants } from "node:os";
import { CofferError } from "../errors/index.js";
import { createRedactor, type Redactor } from "../redact/index.js";
import { buildChildEnvironment } from "./child-environment.js";

/** Largest output captured per stream when no stream is given, in bytes. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** Time between SIGTERM and SIGKILL when a timed-out process group does not exit, in ms. */
export const KILL_GRACE_MS = 2000;

/** Options of {@link execWithSecrets}. */
export interface ExecWithSecretsOptions {
  /** Program to run (looked up on PATH; never run through a shell). */
  command: string;
  /** Arguments, passed as an array (no shell parsing). */
  args: string[];
  /** Env var name -> value injected into the child's environment. Values never go into argv. */
  vars: Record<string, string>;
  /**
   * Env var name -> secret name, the label that replaces a masked value; a var left out is masked
   * as `[REDACTED]` (pass `InjectionSet.maskNames`). @default every var labelled by its env var name
   */
  names?: Record<string, string>;
  /** Mask injected values in the child's stdout/stderr. @default true */
  redact?: boolean;
  /** Environment the child inherits (Coffer's credentials are stripped from it). @default process.env */
  baseEnv?: NodeJS.ProcessEnv;
  /** Working directory. @default process.cwd() */
  cwd?: string;
  /**
   * Kill the child's process group after this many ms (SIGTERM, then SIGKILL after 2 s). With a
   * timeout the child runs in its own process group. @default no timeout
   */
  timeoutMs?: number;
  /** Bytes captured per stream when no stream is given; more sets `truncated`. @default 1 MiB */
  maxOutputBytes?: number;
  /** Where the child's (masked) stdout goes, forwarded as it arrives. @default captured into the result */
  stdout?: NodeJS.WritableStream;
  /** Where the child's (masked) stderr goes, forwarded as it arrives. @default captured into the result */
  stderr?: NodeJS.WritableStream;
  /** The child's stdin. @default "ignore" */
  stdin?: "inherit" | "ignore";
  /**
   * Forward SIGTERM and SIGHUP received by this process to the child (and SIGINT/SIGQUIT when it
   * runs in its own process group), and ignore them here while it runs. For CLIs. @default false
   */
  forwardSignals?: boolean;
}

/** What the child did. Output is already masked. */
export interface ExecWithSecretsResult {
  /** Exit code, `null` when killed by a signal. */
  exitCode: number | null;
  /** Signal that ended the child (`SIGTERM`...), else `null`. */
  signal: string | null;
  /** Captured, masked stdout (empty when a stdout stream was given). */
  stdout: string;
  /** Captured, masked stderr (empty when a stderr stream was given). */
  stderr: string;
  /** True when captured output was cut at `maxOutputBytes`. */
  truncated: boolean;
  /** True when the child was killed by the timeout. */
  timedOut: boolean;
}

/** Output is handled as "binary strings" (one char per byte) so masking is byte-exact and bytes pass through unchanged. */
const BYTES = "latin1";

/**
 * A redactor over the binary-string form of the values, labelled with secret names
 * (`[REDACTED:NAME]`). With `names`, a value without a name is masked as `[REDACTED]` (never by
 * its env var), and a value shared by a named and an unnamed secret takes the named label, so
 * the output reads the same whatever the unnamed secret holds. Without `names`, env var names
 * label the values. Values shorter than 4 characters are not masked (see `createRedactor`).
 */
function byteRedactor(vars: Record<string, string>, names: Record<string, string> | undefined): Redactor {
  const labels = new Map<string, string>();
  const unnamed: string[] = [];
  for (const [envVar, value] of Object.entries(vars)) {
    const bytes = Buffer.from(value, "utf8").toString(BYTES);
    const label = names === undefined ? envVar : names[envVar];
    if (label === undefined) unnamed.push(bytes);
    else if (!labels.has(bytes)) labels.set(bytes, label);
  }
  return createRedactor([...labels.keys(), ...unnamed], { names: labels });
}

/** One output channel of the child: mask, then forward or capture. */
class OutputChannel {
  readonly #newMasker: (() => Redactor) | undefined;
  #masker: Redactor | undefined;
  readonly #target: NodeJS.WritableStream | undefined;
  readonly #limit: number;
  #captured = "";
  truncated = false;

  /** `newMasker` is called on the first output only: a silent child never pays for the matcher. */
  constructor(newMasker: (() => Redactor) | undefined, target: NodeJS.WritableStream | undefined, limit: number) {
    this.#newMasker = newMasker;
    this.#target = target;
    this.#limit = limit;
  }

  /** Feed a chunk; false when the target asks the writer to wait for `drain`. */
  push(chunk: Buffer): boolean {
    const text = chunk.toString(BYTES);
    if (this.#newMasker) this.#masker ??= this.#newMasker();
    return this.#emit(this.#masker ? this.#masker.transform(text) : text);
  }

  end(): void {
    if (this.#masker) this.#emit(this.#masker.flush());
  }

  #emit(text: string): boolean {
    if (text.length === 0) return true;
    if (this.#target) return this.#target.write(Buffer.from(text, BYTES));
    const room = this.#limit - this.#captured.length;
    if (room <= 0) {
      this.truncated = true;
      return true;
    }
    if (text.length > room) this.truncated = true;
    this.#captured += text.length > room ? text.slice(0, room) : text;
    return true;
  }

  /** The stream written to, if any (for back-pressure). */
  get target(): NodeJS.WritableStream | undefined {
    return this.#target;
  }

  get text(): string {
    return Buffer.from(this.#captured, BYTES).toString("utf8");
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return (osConstants.signals as Record<string, number>)[signal] ?? 0;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals, ownGroup: boolean): void {
  if (child.pid === undefined) return;
  try {
    if (ownGroup) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // Already gone.
  }
}

function spawnError(command: string, err: NodeJS.ErrnoException): CofferError {
  const quoted = JSON.stringify(command.length > 200 ? `${command.slice(0, 200)}…` : command);
  if (err.code === "ENOENT") {
    return new CofferError("NOT_FOUND", `command ${quoted} was not found`, {
      field: "command",
      exitCode: 127,
      hint: "check the command name and PATH",
    });
  }
  if (err.code === "EACCES" || err.code === "EPERM") {
    return new CofferError("PERMISSION_DENIED", `command ${quoted} is not executable`, {
      field: "command",
      exitCode: 126,
    });
  }
  return new CofferError("INTERNAL", `command ${quoted} could not be started (${err.code ?? "unknown error"})`, {
    field: "command",
    exitCode: 126,
  });
}

/**
 * Run a program with secrets injected as environment variables. The program is spawned
 * without a shell; Coffer's own credentials are stripped from its environment (see
 * `isCofferCredentialVar`); every injected value is masked in its stdout and stderr as the
 * output streams, also when a value is split across writes. Exit code and signal pass through.
 *
 * @throws CofferError INVALID_ARGUMENT for an empty command; NOT_FOUND when the command does
 *   not exist; PERMISSION_DENIED when it is not executable.
 */
export async function execWithSecrets(options: ExecWithSecretsOptions): Promise<ExecWithSecretsResult> {
  if (typeof options.command !== "string" || options.command.length === 0) {
    throw new CofferError("INVALID_ARGUMENT", "a command is required", { field: "command" });
  }
  if (options.command.includes("\0") || options.args.some((a) => typeof a !== "string" || a.includes("\0"))) {
    throw new CofferError("INVALID_ARGUMENT", "command and arguments must be strings without NUL bytes", {
      field: "command",
    });
  }
  const redact = options.redact ?? true;
  const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const env = buildChildEnvironment(options.baseEnv ?? process.env, options.vars);
  const ownGroup = options.timeoutMs !== undefined;

  // Without masking, a stream that is this process's own stdout/stderr is handed to the child
  // directly, so it keeps its terminal.
  const inheritOut = !redact && options.stdout === process.stdout;
  const inheritErr = !redact && options.stderr === process.stderr;

  const newMasker = redact ? () => byteRedactor(options.vars, options.names) : undefined;
  const out = new OutputChannel(newMasker, options.stdout, limit);
  const err = new OutputChannel(newMasker, options.stderr, limit);

  // Loaded on first use: CLIs that bundle this module should not pay for it at start-up.
  const { spawn } = await import("node:child_process");
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env,
      shell: false,
      detached: ownGroup,
      windowsHide: true,
      stdio: [options.stdin ?? "ignore", inheritOut ? "inherit" : "pipe", inheritErr ? "inherit" : "pipe"],
    });
  } catch (e) {
    throw spawnError(options.command, e as NodeJS.ErrnoException);
  }

  return await new Promise<ExecWithSecretsResult>((resolve, reject) => {
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const forwarded: Array<[NodeJS.Signals, () => void]> = [];

    const cleanup = () => {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      for (const [signal, handler] of forwarded) process.off(signal, handler);
    };

    if (options.forwardSignals) {
      const signals: NodeJS.Signals[] = ownGroup ? ["SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT"] : ["SIGTERM", "SIGHUP"];
      for (const signal of signals) {
        const handler = () => killGroup(child, signal, ownGroup);
        process.on(signal, handler);
        forwarded.push([signal, handler]);
      }
      if (!ownGroup) {
        // The terminal already delivers these to the child (same process group); stay alive
        // so its remaining output is still masked.
        for (const signal of ["SIGINT", "SIGQUIT"] as NodeJS.Signals[]) {
          const handler = () => {};
          process.on(signal, handler);
          forwarded.push([signal, handler]);
        }
      }
    }

    if (options.timeoutMs !== undefined) {
      timer = setTimeout(
        () => {
          timedOut = true;
          killGroup(child, "SIGTERM", ownGroup);
          killTimer = setTimeout(() => killGroup(child, "SIGKILL", ownGroup), KILL_GRACE_MS);
          killTimer.unref();
        },
        Math.max(0, options.timeoutMs),
      );
    }

    // Back-pressure: a slow reader of the output pauses the child's pipe instead of buffering.
    const forward = (source: NodeJS.ReadableStream | null, channel: OutputChannel) => {
      source?.on("data", (chunk: Buffer) => {
        if (!channel.push(chunk) && channel.target) {
          source.pause();
          channel.target.once("drain", () => source.resume());
        }
      });
    };
    forward(child.stdout, out);
    forward(child.stderr, err);

    child.once("error", (e: NodeJS.ErrnoException) => {
      cleanup();
      reject(spawnError(options.command, e));
    });

    // `close` fires after the child exited and its stdio streams ended.
    child.once("close", (code, signal) => {
      cleanup();
      out.end();
      err.end();
      if (timedOut && ownGroup) killGroup(child, "SIGKILL", true);
      resolve({
        exitCode: code,
        signal: signal ?? null,
        stdout: out.text,
        stderr: err.text,
        truncated: out.truncated || err.truncated,
        timedOut,
      });
    });
  });
}

/** Exit status a shell would report for a child result: the code, or 128 + signal number. */
export function shellExitStatus(result: Pick<ExecWithSecretsResult, "exitCode" | "signal">): number {
  if (result.exitCode !== null) return result.exitCode;
  if (result.signal) return 128 + signalNumber(result.signal as NodeJS.Signals);
  return 1;
}
