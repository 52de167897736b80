import { fstatSync } from "node:fs";

/** What the CLI knows about the terminal it runs in. */
export interface Terminal {
  /** stdin is a terminal and prompting is allowed. */
  interactive: boolean;
  /** Colour escapes may be written to stdout. */
  color: boolean;
  /** Colour escapes may be written to stderr. */
  colorErr: boolean;
  /** Width tables must fit, or undefined for no limit (not a terminal). */
  width: number | undefined;
  /** stderr is a terminal (progress bars). */
  stderrIsTTY: boolean;
}

/** True for `1`, `true`, `yes` (any case). */
export function envFlag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

/**
 * True when `fd` is a terminal. Files, pipes and sockets are told apart by `fstat` alone; only a
 * character device (a terminal, or /dev/null) is asked to `node:tty`, whose loading also loads
 * `net` (a millisecond or two).
 */
export function isTerminal(fd: number): boolean {
  let isCharacterDevice = true;
  // Windows consoles are asked directly.
  if (process.platform !== "win32") {
    try {
      isCharacterDevice = fstatSync(fd).isCharacterDevice();
    } catch {
      return false;
    }
  }
  // Required here, not imported: the bin is a CommonJS bundle and most runs never get here.
  return isCharacterDevice && (require("node:tty") as typeof import("node:tty")).isatty(fd);
}

/**
 * Decide interactivity, colour and width. Prompts need a terminal on stdin and neither
 * `--non-interactive` nor `COFFER_NON_INTERACTIVE`; colour needs a terminal and no `NO_COLOR`.
 * Each fact is found on first use (most commands never prompt, and `NO_COLOR` settles colour).
 */
export function detectTerminal(options: {
  nonInteractive: boolean;
  noColor: boolean;
  env: NodeJS.ProcessEnv;
}): Terminal {
  const { env } = options;
  const noColor = options.noColor || (env.NO_COLOR !== undefined && env.NO_COLOR !== "") || env.TERM === "dumb";
  const once = <T>(fact: () => T): (() => T) => {
    let known: { value: T } | undefined;
    return () => {
      known ??= { value: fact() };
      return known.value;
    };
  };
  const stdoutTTY = once(() => isTerminal(1));
  const stderrTTY = once(() => isTerminal(2));
  const interactive = once(() => !options.nonInteractive && !envFlag(env.COFFER_NON_INTERACTIVE) && isTerminal(0));
  const width = once(() => {
    const columns = stdoutTTY() ? process.stdout.columns : Number.parseInt(env.COLUMNS ?? "", 10);
    return Number.isFinite(columns) && columns > 20 ? columns : undefined;
  });
  return {
    get interactive() {
      return interactive();
    },
    get color() {
      return !noColor && stdoutTTY();
    },
    get colorErr() {
      return !noColor && stderrTTY();
    },
    get width() {
      return width();
    },
    get stderrIsTTY() {
      return stderrTTY();
    },
  };
}
