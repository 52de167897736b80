import { APPROVAL_STATUSES, CofferError, HOOK_EVENTS, SCOPE_KINDS, SECRET_FORMATS } from "@coffer/core";
import type { CommandContext } from "../cli/command-context.js";
import type { CommandHandler, CommandSpec } from "../cli/command-spec.js";
import { MCP_CLIENTS } from "../cli/mcp-client-config.js";
import { optionsOf } from "../cli/parse-arguments.js";
import { writeStdout } from "../cli/stdout.js";
import { COMMAND_GROUPS, COMMANDS, findCommand } from "../command-table.js";

const BASH = `# coffer completion for bash: source this file, or save it as
# ~/.local/share/bash-completion/completions/coffer
_coffer_complete() {
  local IFS=$'\\n'
  COMPREPLY=( $(coffer __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) )
}
complete -o default -F _coffer_complete coffer
`;

const ZSH = `#compdef coffer
# coffer completion for zsh: save as _coffer in a directory on $fpath (e.g. ~/.zfunc)
_coffer() {
  local -a candidates
  candidates=("\${(@f)$(coffer __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -a candidates
}
if [[ "\${funcstack[1]}" = "_coffer" ]]; then _coffer "$@"; else compdef _coffer coffer; fi
`;

const FISH = `# coffer completion for fish: save as ~/.config/fish/completions/coffer.fish
function __coffer_complete
    set -l words (commandline -opc) (commandline -ct)
    coffer __complete -- $words[2..-1] 2>/dev/null
end
complete -c coffer -f -a '(__coffer_complete)'
`;

const SCRIPTS: Record<string, string> = { bash: BASH, zsh: ZSH, fish: FISH };

/** `coffer completion bash|zsh|fish`: print the script. */
export const completionCommand: CommandHandler = async (ctx, args) => {
  const shell = args.positionals[0]!;
  const script = SCRIPTS[shell];
  if (!script) throw new CofferError("INVALID_ARGUMENT", "shell must be one of bash, zsh, fish", { field: "shell" });
  if (!ctx.json) writeStdout(script);
  return { data: { shell, script } };
};

/** Values a flag can take, when known. */
async function flagValues(ctx: CommandContext, spec: CommandSpec, flag: string): Promise<string[]> {
  switch (flag) {
    case "provider":
      return (await ctx.coffer()).providers().map((p) => p.name);
    case "scope":
      return spec.name === "mcp install" ? ["project", "user"] : [...SCOPE_KINDS];
    case "client":
      return [...MCP_CLIENTS];
    case "status":
      return [...APPROVAL_STATUSES, "all"];
    case "event":
      return [...HOOK_EVENTS];
    case "format":
      if (spec.name === "import") return ["env", "json", "yaml"];
      if (spec.name === "export") return ["json", "yaml", "csv", "env"];
      return [...SECRET_FORMATS];
    case "generate":
    case "rotation-format":
      return spec.name === "set" ? [...SECRET_FORMATS] : [];
    default:
      return [];
  }
}

async function secretNames(ctx: CommandContext): Promise<string[]> {
  const coffer = await ctx.coffer();
  const page = await coffer.list({ limit: 1000 });
  return [...new Set(page.items.map((i) => i.name))];
}

/**
 * Candidates for the word being completed (the last of `words`): command names, flags, flag
 * values and secret names. Never values.
 */
async function candidates(ctx: CommandContext, words: string[]): Promise<string[]> {
  const current = words.at(-1) ?? "";
  const before = words.slice(0, -1);
  const found = findCommand(before.filter((w) => !w.startsWith("-")));
  if (!found) {
    if (before.length === 1 && COMMAND_GROUPS.includes(before[0]!)) {
      return COMMANDS.filter((c) => c.name.startsWith(`${before[0]} `) && !c.hidden).map((c) => c.name.split(" ")[1]!);
    }
    if (before.length > 0) return [];
    const names = COMMANDS.filter((c) => !c.hidden).map((c) => c.name.split(" ")[0]!);
    return [...new Set(names)];
  }
  const { spec } = found;
  const options = optionsOf(spec);
  if (current.startsWith("-")) return Object.keys(options).map((o) => `--${o}`);
  const previous = before.at(-1);
  if (previous?.startsWith("--") && options[previous.slice(2)]?.type === "string") {
    return flagValues(ctx, spec, previous.slice(2));
  }
  // Count positionals typed after the command words.
  const commandWords = spec.name.split(" ").length;
  let index = 0;
  let skippedCommand = 0;
  for (let i = 0; i < before.length; i++) {
    const w = before[i]!;
    if (w.startsWith("--")) {
      if (options[w.slice(2)]?.type === "string") i++;
      continue;
    }
    if (w.startsWith("-")) continue;
    if (skippedCommand < commandWords) skippedCommand++;
    else index++;
  }
  const positional = spec.positionals[index];
  if (!positional) return [];
  if (positional.choices) return positional.choices;
  if (positional.secretName) return secretNames(ctx);
  return [];
}

/** Hidden `coffer __complete -- <words...>`: one candidate per line, filtered by the typed prefix. */
export const completeCommand: CommandHandler = async (ctx, args) => {
  const words = args.tail.length > 0 ? args.tail : [""];
  const current = words.at(-1) ?? "";
  let list: string[] = [];
  try {
    list = await candidates(ctx, words);
  } catch {
    // Completion never prints errors into the shell.
  }
  const matching = list.filter((c) => c.startsWith(current));
  return { data: { candidates: matching }, lines: matching };
};
