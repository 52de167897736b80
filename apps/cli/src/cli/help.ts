import type { CommandSpec } from "./command-spec.js";
import { GLOBAL_OPTIONS } from "./parse-arguments.js";

function optionLines(options: CommandSpec["options"]): string[] {
  const rows = Object.entries(options)
    .filter(([, o]) => !o.hidden)
    .map(([name, o]) => {
      const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
      return [flag, o.description] as const;
    });
  const width = Math.max(0, ...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`);
}

/** Usage line of a command: `coffer get <name> [options]`. */
export function usageOf(spec: CommandSpec): string {
  const args = spec.positionals
    .map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`) + (p.variadic ? "..." : ""))
    .join(" ");
  const tail = spec.commandLine ? " -- <command> [args...]" : "";
  return `coffer ${spec.name}${args ? ` ${args}` : ""} [options]${tail}`;
}

/** Help text of one command. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${usageOf(spec)}`, "", spec.summary];
  const own = optionLines(spec.options);
  if (own.length > 0) lines.push("", "Options:", ...own);
  lines.push("", "Global options:", ...optionLines(GLOBAL_OPTIONS));
  if (spec.examples?.length) lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  return `${lines.join("\n")}\n`;
}

/** The top-level help: every command with its summary. */
export function generalHelp(commands: CommandSpec[], version: string): string {
  const visible = commands.filter((c) => !c.hidden);
  const width = Math.max(...visible.map((c) => c.name.length));
  return [
    `coffer ${version}: secrets for developers and AI agents`,
    "",
    "Usage: coffer <command> [arguments] [options]",
    "",
    "Commands:",
    ...visible.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Global options:",
    ...optionLines(GLOBAL_OPTIONS),
    "  -V, --version          print the version",
    "",
    "Run 'coffer <command> --help' for a command's options. Docs: docs/cli.md",
    "",
  ].join("\n");
}
