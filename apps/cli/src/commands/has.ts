import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, defined, scopeFlag, stringFlag } from "../cli/flag-values.js";

/** `coffer has <name>`: exit 0 when the secret exists and is not expired, else 1. */
export const hasCommand: CommandHandler = async (ctx, args) => {
  const name = args.positionals[0]!;
  const coffer = await ctx.coffer();
  const exists = await coffer.has(
    name,
    defined({ ...scopeFlag(args, ctx.cwd), env: stringFlag(args, "env"), provider: stringFlag(args, "provider") }),
  );
  const quiet = booleanFlag(args, "quiet");
  return {
    data: { name, exists },
    lines: quiet ? [] : [exists ? `Secret '${name}' exists` : `Secret '${name}' does not exist (or is expired)`],
    exitCode: exists ? 0 : 1,
  };
};
