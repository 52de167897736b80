import type { Coffer } from "@coffer/core";
import { CofferError } from "@coffer/core";
import type { OpenedCoffer } from "@coffer/runtime";
import { isYes, promptHidden, promptLine, readAllStdin } from "./prompts.js";
import { writeStdout } from "./stdout.js";
import { holdStoreOpen } from "./store-hold.js";
import type { Style } from "./style.js";
import type { Terminal } from "./terminal.js";
import { isTerminal } from "./terminal.js";

/** An open Coffer service and what came with it (config, local store, documents). */
export type CofferSession = OpenedCoffer;

/** Largest piped input read, bytes (a value is at most 64 KiB; import files may be larger). */
export const MAX_STDIN_BYTES = 16 * 1024 * 1024;

/** Everything a command handler needs besides its arguments. */
export class CommandContext {
  /** Process environment. */
  readonly env: NodeJS.ProcessEnv;
  /** Working directory. */
  readonly cwd: string;
  /** `--json` given. */
  readonly json: boolean;
  /** `--debug` given. */
  readonly debug: boolean;
  /** Terminal facts. */
  readonly terminal: Terminal;
  /** Styling for stdout. */
  readonly style: Style;
  /** Styling for stderr. */
  readonly errStyle: Style;
  #session: Promise<CofferSession> | undefined;
  #openSession: () => Promise<CofferSession>;

  constructor(init: {
    env: NodeJS.ProcessEnv;
    cwd: string;
    json: boolean;
    debug: boolean;
    terminal: Terminal;
    style: Style;
    errStyle: Style;
    openSession: () => Promise<CofferSession>;
  }) {
    this.env = init.env;
    this.cwd = init.cwd;
    this.json = init.json;
    this.debug = init.debug;
    this.terminal = init.terminal;
    this.style = init.style;
    this.errStyle = init.errStyle;
    this.#openSession = init.openSession;
  }

  /** The Coffer service, opened on first use. */
  session(): Promise<CofferSession> {
    this.#session ??= this.#openSession();
    return this.#session;
  }

  /** Shorthand for `(await session()).coffer`. */
  async coffer(): Promise<Coffer> {
    return (await this.session()).coffer;
  }

  /**
   * Close the service if it was opened: pending audit entries are committed, the store is closed
   * and its keys wiped. The CLI exits soon after, so the close-time WAL checkpoint is left out
   * (see {@link holdStoreOpen}).
   */
  async close(): Promise<void> {
    if (!this.#session) return;
    const session = await this.#session.catch(() => undefined);
    this.#session = undefined;
    if (session?.local) holdStoreOpen(session.local.storePath);
    await session?.coffer.dispose();
  }

  /** Write one line to stdout. */
  print(line = ""): void {
    writeStdout(`${line}\n`);
  }

  /** Write a warning line to stderr (`⚠ Warning: ...`). */
  warn(message: string): void {
    process.stderr.write(`${this.errStyle.yellow("⚠ Warning:")} ${message}\n`);
  }

  /** Write an informational line to stderr (kept off stdout so it never mixes with data). */
  note(message: string): void {
    process.stderr.write(`${message}\n`);
  }

  /**
   * Error for an answer that cannot be asked for, naming the flag that supplies it.
   */
  needsFlag(what: string, flag: string): CofferError {
    return new CofferError("INVALID_ARGUMENT", `${what} needs confirmation or input, and prompting is off`, {
      field: flag,
      hint: `pass ${flag} (prompts need a terminal and no --non-interactive / COFFER_NON_INTERACTIVE)`,
    });
  }

  /**
   * Ask a yes/no question on the terminal. Without a terminal (or with --non-interactive) this
   * is an error naming `flag`, never a silent yes.
   * @throws CofferError INVALID_ARGUMENT when prompting is off
   */
  async confirm(question: string, flag: string): Promise<boolean> {
    if (!this.terminal.interactive) throw this.needsFlag(question.replace(/\?.*$/, ""), flag);
    return isYes(await promptLine(`${question} (yes/no): `));
  }

  /**
   * Read a secret from a hidden prompt.
   * @throws CofferError INVALID_ARGUMENT when prompting is off (naming `flag`)
   */
  async promptSecret(question: string, flag: string): Promise<string> {
    if (!this.terminal.interactive) throw this.needsFlag(question.replace(/[:?].*$/, ""), flag);
    return await promptHidden(question);
  }

  /** True when input is piped (stdin is not a terminal). */
  get stdinIsPiped(): boolean {
    return !isTerminal(0);
  }

  /** All of piped stdin. */
  readStdin(): Promise<string> {
    return readAllStdin(MAX_STDIN_BYTES);
  }
}
