import { isatty } from "node:tty";

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
 * Decide interactivity, colour and width. Prompts need a terminal on stdin and neither
 * `--non-interactive` nor `COFFER_NON_INTERACTIVE`; colour needs a terminal and no `NO_COLOR`.
 */
export function detectTerminal(options: {
  nonInteractive: boolean;
  noColor: boolean;
  env: NodeJS.ProcessEnv;
}): Terminal {
  const { env } = options;
  const noColor = options.noColor || (env.NO_COLOR !== undefined && env.NO_COLOR !== "") || env.TERM === "dumb";
  // isatty() on the descriptors: touching process.stdin would build a stream (milliseconds).
  const stdoutTTY = isatty(1);
  const stderrTTY = isatty(2);
  const columns = stdoutTTY ? process.stdout.columns : Number.parseInt(env.COLUMNS ?? "", 10);
  return {
    interactive: isatty(0) && !options.nonInteractive && !envFlag(env.COFFER_NON_INTERACTIVE),
    color: stdoutTTY && !noColor,
    colorErr: stderrTTY && !noColor,
    width: Number.isFinite(columns) && columns > 20 ? columns : undefined,
    stderrIsTTY: stderrTTY,
  };
}
