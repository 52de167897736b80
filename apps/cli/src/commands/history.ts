import type { CommandHandler } from "../cli/command-spec.js";
import { defined, scopeFlag, stringFlag } from "../cli/flag-values.js";
import { renderTable } from "../cli/table.js";

/** `coffer history <name>`: versions, newest first, with why each was written. */
export const historyCommand: CommandHandler = async (ctx, args) => {
  const name = args.positionals[0]!;
  const coffer = await ctx.coffer();
  const versions = await coffer.history(
    name,
    defined({ ...scopeFlag(args, ctx.cwd), env: stringFlag(args, "env"), provider: stringFlag(args, "provider") }),
  );
  const now = Date.now();
  const rows = versions.map((v) => [
    String(v.version),
    v.createdAt,
    v.reason ?? "-",
    v.current
      ? ctx.style.green("current")
      : v.validUntil
        ? Date.parse(v.validUntil) > now
          ? `valid until ${v.validUntil}`
          : "expired"
        : "valid",
  ]);
  return {
    data: { name, versions },
    lines: [
      `History: ${name} (${versions.length} version${versions.length === 1 ? "" : "s"})`,
      "",
      ...renderTable(["Version", "Created", "Reason", "State"], rows, ctx.terminal.width),
    ],
  };
};
