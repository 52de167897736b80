import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, defined, scopeFlag, stringFlag } from "../cli/flag-values.js";
import { readSecretValue } from "../cli/write-options.js";
import { confirmDeletion, deletionTargets, requireTargets } from "./delete.js";

/**
 * `coffer secret set NAME`: value from stdin (or a hidden prompt); prints `Set secret "NAME"`.
 * Tenant secrets are write-only (injected by run/exec, never read back) unless `--readable`.
 */
export const secretSetCommand: CommandHandler = async (ctx, args) => {
  const name = args.positionals[0]!;
  const value = await readSecretValue(ctx, name, undefined, "");
  const coffer = await ctx.coffer();
  const result = await coffer.set(
    name,
    value,
    defined({
      ...scopeFlag(args, ctx.cwd),
      provider: stringFlag(args, "provider"),
      env: stringFlag(args, "env"),
      description: stringFlag(args, "description"),
      writeOnly: !booleanFlag(args, "readable"),
    }),
  );
  const lines = [`Set secret ${JSON.stringify(name)}`];
  if (result.replacedDeleted) lines.push("(replaced a deleted secret of that name)");
  return { data: result, lines };
};

/** `coffer secret ls`: secret names, one per line. */
export const secretListCommand: CommandHandler = async (ctx) => {
  const coffer = await ctx.coffer();
  const names = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await coffer.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) names.add(item.name);
    cursor = page.nextCursor;
  } while (cursor);
  const sorted = [...names].sort();
  return { data: { names: sorted }, lines: sorted };
};

/** `coffer secret rm NAME`: delete after confirmation (`--confirm` without a terminal). */
export const secretRemoveCommand: CommandHandler = async (ctx, args) => {
  const name = args.positionals[0]!;
  const provider = stringFlag(args, "provider");
  const coffer = await ctx.coffer();
  const targets = await deletionTargets(coffer, name, provider, {});
  requireTargets(name, provider, targets);
  if (!(await confirmDeletion(ctx, args, name, targets, false))) {
    ctx.note("Cancelled; nothing was deleted.");
    return { data: { deleted: false, name }, exitCode: 1 };
  }
  const result = await coffer.delete(name, defined({ provider }));
  return { data: { deleted: true, name, ...result }, lines: [`Deleted secret ${JSON.stringify(name)}`] };
};
