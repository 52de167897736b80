import { CofferError } from "@coffer/core";
import { type CofferSession, CommandContext } from "./cli/command-context.js";
import type { CommandOutcome } from "./cli/command-spec.js";
import { asCofferError, errorLines, exitCodeOf, jsonErrorOf } from "./cli/error-report.js";
import { EXIT_INTERRUPTED } from "./cli/exit-codes.js";
import { commandHelp, generalHelp } from "./cli/help.js";
import { parseCommandArguments } from "./cli/parse-arguments.js";
import { PromptInterrupted } from "./cli/prompts.js";
import { writeStdout } from "./cli/stdout.js";
import { createStyle } from "./cli/style.js";
import { detectTerminal } from "./cli/terminal.js";
import { COMMANDS, findCommand } from "./command-table.js";

declare const __COFFER_VERSION__: string;
/** Version of this build. */
export const VERSION = typeof __COFFER_VERSION__ === "string" ? __COFFER_VERSION__ : "0.0.0-dev";

/** Flags that apply before the command is known (scanned up to `--`). */
function scanGlobalFlags(argv: string[]): {
  json: boolean;
  debug: boolean;
  noColor: boolean;
  nonInteractive: boolean;
  offline: boolean;
} {
  const end = argv.indexOf("--");
  const head = end === -1 ? argv : argv.slice(0, end);
  return {
    json: head.includes("--json"),
    debug: head.includes("--debug"),
    noColor: head.includes("--no-color"),
    nonInteractive: head.includes("--non-interactive"),
    offline: head.includes("--offline"),
  };
}

async function openSession(cwd: string, env: NodeJS.ProcessEnv, offline: boolean): Promise<CofferSession> {
  const { openCoffer, defaultAccessor } = await import("@coffer/runtime");
  return (await openCoffer({ cwd, env, accessor: defaultAccessor("cli"), offline })) as CofferSession;
}

function writeJson(value: unknown): void {
  writeStdout(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Run `coffer` with these arguments and return the exit code. Output goes to
 * stdout/stderr; nothing here calls `process.exit`, but the caller should exit soon after it
 * returns (the bin does): an extra connection keeps the store's WAL from being checkpointed.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const flags = scanGlobalFlags(argv);
  const terminal = detectTerminal({ nonInteractive: flags.nonInteractive, noColor: flags.noColor, env });
  const errStyle = createStyle(terminal.colorErr);
  const first = argv[0];

  if (first === undefined || first === "help" || first === "--help" || first === "-h") {
    const topic = first === "help" && argv[1] ? findCommand(argv.slice(1)) : undefined;
    writeStdout(topic ? commandHelp(topic.spec) : generalHelp(COMMANDS, VERSION));
    return first === undefined ? 2 : 0;
  }
  if (first === "--version" || first === "-V" || first === "version") {
    if (flags.json) writeJson({ ok: true, data: { version: VERSION } });
    else writeStdout(`${VERSION}\n`);
    return 0;
  }

  let context: CommandContext | undefined;
  let json = flags.json;
  let debug = flags.debug;
  try {
    const found = findCommand(argv);
    if (!found) {
      // Echo the word only when it looks like a command: a mistyped value must not be printed.
      const shown = /^-{0,2}[a-z][a-z0-9-]{0,30}$/.test(first) ? ` ${JSON.stringify(first)}` : "";
      throw new CofferError("INVALID_ARGUMENT", `unknown command${shown}`, {
        hint: "run 'coffer --help' for the list of commands",
      });
    }
    const args = parseCommandArguments(found.spec, found.rest);
    // Flags after a `run` command line belong to the command, so trust the parse from here on.
    json = args.options.json === true;
    debug = args.options.debug === true;
    if (args.options.help) {
      writeStdout(commandHelp(found.spec));
      return 0;
    }
    const term = detectTerminal({
      nonInteractive: args.options["non-interactive"] === true,
      noColor: args.options["no-color"] === true,
      env,
    });
    context = new CommandContext({
      env,
      cwd: process.cwd(),
      json,
      debug,
      terminal: term,
      style: createStyle(term.color && !json),
      errStyle: createStyle(term.colorErr),
      openSession: () => openSession(process.cwd(), env, flags.offline),
    });
    const handler = await found.spec.load();
    const outcome: CommandOutcome = await handler(context, args);
    // A streamed outcome was printed as the command went.
    if (!outcome.streamed && json) writeJson({ ok: true, data: outcome.data ?? null });
    else if (!outcome.streamed && outcome.lines) for (const line of outcome.lines) context.print(line);
    return outcome.exitCode ?? 0;
  } catch (thrown) {
    if (thrown instanceof PromptInterrupted) {
      process.stderr.write("interrupted\n");
      return EXIT_INTERRUPTED;
    }
    const err = asCofferError(thrown);
    if (json) writeJson({ ok: false, error: jsonErrorOf(err) });
    else process.stderr.write(`${errorLines(err, errStyle, debug).join("\n")}\n`);
    return exitCodeOf(err);
  } finally {
    await context?.close().catch(() => undefined);
  }
}
