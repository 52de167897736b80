import { CofferError } from "@coffer/core";
import type { CommandSpec, OptionSpec, ParsedArguments } from "./command-spec.js";

/** Flags every command accepts. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  json: { type: "boolean", description: 'print a JSON envelope { "ok": ..., "data" | "error" }' },
  "non-interactive": { type: "boolean", description: "never prompt; a needed answer is an error" },
  "no-color": { type: "boolean", description: "no colour (also NO_COLOR)" },
  debug: { type: "boolean", description: "show stack traces of internal errors" },
  offline: {
    type: "boolean",
    description: "do not contact remote providers; serve their secrets from the last-known-good cache",
  },
  help: { type: "boolean", short: "h", description: "show help" },
};

/** Every flag of a command, global ones included. */
export function optionsOf(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...spec.options, ...GLOBAL_OPTIONS };
}

/**
 * Split a command line at the program to run: everything from `--`, or from the first argument
 * that is neither a flag nor a flag's value.
 */
function splitCommandLine(argv: string[], options: Record<string, OptionSpec>): { own: string[]; tail: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") return { own: argv.slice(0, i), tail: argv.slice(i + 1) };
    if (token.startsWith("--")) {
      const name = token.slice(2).split("=", 1)[0]!;
      if (options[name]?.type === "string" && !token.includes("=")) i++;
      continue;
    }
    if (token.startsWith("-") && token.length > 1) {
      const short = token.slice(1, 2);
      const spec = Object.values(options).find((o) => o.short === short);
      if (spec?.type === "string" && token.length === 2) i++;
      continue;
    }
    return { own: argv.slice(0, i), tail: argv.slice(i) };
  }
  return { own: argv, tail: [] };
}

function usageError(message: string, spec: CommandSpec): CofferError {
  return new CofferError("INVALID_ARGUMENT", message, { hint: `see 'coffer ${spec.name} --help'` });
}

/** A flag as it may be echoed in an error: only flag-like names (a mistyped flag could be a value). */
function shownFlag(flag: string): string {
  return /^-{1,2}[A-Za-z][A-Za-z0-9-]{0,30}$/.test(flag) ? ` ${flag}` : "";
}

/**
 * Strict flag parsing: `--name value`, `--name=value`, `-x value`, `-xVALUE`, grouped boolean
 * shorts (`-qy`), `--` ending the flags. Hand-written rather than `node:util` `parseArgs`, whose
 * first use costs about a millisecond of start-up.
 */
function parseFlags(
  args: string[],
  options: Record<string, OptionSpec>,
  spec: CommandSpec,
): { values: Record<string, string | boolean | undefined>; repeated: Record<string, string[]>; positionals: string[] } {
  const values: Record<string, string | boolean | undefined> = {};
  const repeated: Record<string, string[]> = {};
  const keep = (name: string, value: string): void => {
    values[name] = value;
    if (!options[name]?.repeatable) return;
    repeated[name] ??= [];
    repeated[name].push(value);
  };
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, o] of Object.entries(options)) if (o.short) byShort.set(o.short, name);
  const takeValue = (flag: string, next: string | undefined): string => {
    if (next === undefined || (next.startsWith("--") && next.length > 2)) {
      throw usageError(`option${shownFlag(flag)} needs a value`, spec);
    }
    return next;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const option = Object.hasOwn(options, name) ? options[name] : undefined;
      if (!option) throw usageError(`unknown option${shownFlag(`--${name}`)} for 'coffer ${spec.name}'`, spec);
      if (option.type === "boolean") {
        if (eq !== -1) throw usageError(`option --${name} does not take a value`, spec);
        values[name] = true;
      } else keep(name, eq !== -1 ? arg.slice(eq + 1) : takeValue(`--${name}`, args[++i]));
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const name = byShort.get(arg[j]!);
        if (!name) throw usageError(`unknown option${shownFlag(`-${arg[j]}`)} for 'coffer ${spec.name}'`, spec);
        if (options[name]!.type === "boolean") {
          values[name] = true;
          continue;
        }
        const rest = arg.slice(j + 1);
        keep(name, rest !== "" ? rest : takeValue(`-${arg[j]}`, args[++i]));
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { values, repeated, positionals };
}

/**
 * Parse the arguments of one command (strict: unknown flags are errors).
 * @throws CofferError INVALID_ARGUMENT for an unknown flag, a missing value or argument, or extra arguments
 */
export function parseCommandArguments(spec: CommandSpec, argv: string[]): ParsedArguments {
  const options = optionsOf(spec);
  const { own, tail } = spec.commandLine ? splitCommandLine(argv, options) : { own: argv, tail: [] };
  const parsed = parseFlags(own, options, spec);
  const positionals = parsed.positionals;
  if (!parsed.values.help) {
    const required = spec.positionals.filter((p) => p.required).length;
    if (positionals.length < required) {
      const missing = spec.positionals[positionals.length]!;
      throw usageError(`missing argument <${missing.name}> for 'coffer ${spec.name}'`, spec);
    }
    if (positionals.length > spec.positionals.length && !spec.positionals.at(-1)?.variadic) {
      throw usageError(`too many arguments for 'coffer ${spec.name}'`, spec);
    }
  }
  return { options: parsed.values, repeated: parsed.repeated, positionals, tail };
}
