import type { CommandContext } from "./command-context.js";

/** One flag of a command. */
export interface OptionSpec {
  /** `string` takes a value, `boolean` does not. */
  type: "string" | "boolean";
  /** One-letter alias. */
  short?: string;
  /** Placeholder shown in help (`N`, `FILE`). */
  value?: string;
  /** Help text. */
  description: string;
  /** Hidden from help (aliases). */
  hidden?: boolean;
  /** A string flag that may be given several times; every value is kept (see `listOf`). @default false */
  repeatable?: boolean;
}

/** One positional argument. */
export interface PositionalSpec {
  /** Name shown in usage. */
  name: string;
  /** Must be given. */
  required?: boolean;
  /** Completes with secret names. */
  secretName?: boolean;
  /** Fixed choices (completion). */
  choices?: string[];
  /** Takes every remaining argument (the last positional only). @default false */
  variadic?: boolean;
}

/** Parsed arguments of one invocation. */
export interface ParsedArguments {
  /** Flag values by long name (the last value of a repeated flag). */
  options: Record<string, string | boolean | undefined>;
  /** Every value of each repeatable flag, in order. */
  repeated?: Record<string, string[]>;
  /** Positional arguments. */
  positionals: string[];
  /** Arguments after `--` (or after the first positional, for commands taking a command line). */
  tail: string[];
}

/** What a command returns: data for `--json` and lines for people. */
export interface CommandOutcome {
  /** The `data` of the `--json` envelope. */
  data: unknown;
  /** Lines printed to stdout without `--json` (already styled). */
  lines?: string[];
  /** Exit code. @default 0 */
  exitCode?: number;
  /** The command already wrote its output as it went (a loop, a JSON Lines stream): print nothing more. @default false */
  streamed?: boolean;
}

/** A command handler. */
export type CommandHandler = (context: CommandContext, args: ParsedArguments) => Promise<CommandOutcome>;

/** A command: its interface (parsed eagerly) and its handler (loaded lazily). */
export interface CommandSpec {
  /** Words that invoke it: `get`, `secret set`, `key rotate`. */
  name: string;
  /** Other spellings (`secret ls` for `secret list`). */
  aliases?: string[];
  /** One line for the command list. */
  summary: string;
  /** Positionals. */
  positionals: PositionalSpec[];
  /** Flags (global flags are added to every command). */
  options: Record<string, OptionSpec>;
  /** Takes a command line after `--` (run). */
  commandLine?: boolean;
  /** Example invocations for help. */
  examples?: string[];
  /** Not listed in help (completion helper). */
  hidden?: boolean;
  /** Loads the handler. */
  load: () => Promise<CommandHandler>;
}
