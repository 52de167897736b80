import { CofferError } from "@coffer/core";
import type { CommandHandler } from "../cli/command-spec.js";
import { defined, integerFlag, scopeFlag, stringFlag } from "../cli/flag-values.js";
import { reportHooks } from "../cli/write-options.js";

/** `coffer rollback <name> --to N`: write version N again as a new version. */
export const rollbackCommand: CommandHandler = async (ctx, args) => {
  const name = args.positionals[0]!;
  const to = integerFlag(args, "to", "version");
  if (to === undefined)
    throw new CofferError("INVALID_ARGUMENT", "--to N is required (the version to roll back to)", { field: "to" });
  const coffer = await ctx.coffer();
  const result = await coffer.rollback(
    name,
    to,
    defined({ ...scopeFlag(args, ctx.cwd), env: stringFlag(args, "env"), provider: stringFlag(args, "provider") }),
  );
  reportHooks(ctx, result.hooks);
  return {
    data: { ...result, rolledBackTo: to },
    lines: [
      `${ctx.style.green("✓")} Secret '${result.name}' rolled back to version ${to}`,
      `  New version: ${result.version}`,
      `  Provider: ${result.provider}`,
      `  Scope: ${result.scopeLabel}`,
    ],
  };
};
