import type { CommandHandler } from "../cli/command-spec.js";
import { defined, scopeFlag, stringFlag } from "../cli/flag-values.js";

/** `coffer restore <name>`: bring back a deleted secret during its recovery window. */
export const restoreCommand: CommandHandler = async (ctx, args) => {
  const name = args.positionals[0]!;
  const coffer = await ctx.coffer();
  const result = await coffer.restore(
    name,
    defined({ ...scopeFlag(args, ctx.cwd), provider: stringFlag(args, "provider") }),
  );
  return {
    data: { name, ...result },
    lines: [
      `${ctx.style.green("✓")} Secret '${name}' restored successfully`,
      `  Provider: ${result.provider}`,
      `  Versions restored: ${result.versionsRestored}`,
    ],
  };
};
