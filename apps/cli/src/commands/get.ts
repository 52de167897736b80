import { CofferError, isCofferError } from "@coffer/core";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, defined, integerFlag, scopeFlag, stringFlag } from "../cli/flag-values.js";
import { secretBlock } from "../cli/secret-view-lines.js";
import { writeStdout } from "../cli/stdout.js";

/** `coffer get <name>`: the masked block, the full value with --show-full, or only the value with --plain. */
export const getCommand: CommandHandler = async (ctx, args) => {
  const name = args.positionals[0]!;
  const showFull = booleanFlag(args, "show-full");
  const plain = booleanFlag(args, "plain");
  const required = booleanFlag(args, "required");
  const reveal = showFull || plain;
  const coffer = await ctx.coffer();
  let result: Awaited<ReturnType<typeof coffer.get>>;
  try {
    result = await coffer.get(
      name,
      defined({
        ...scopeFlag(args, ctx.cwd),
        env: stringFlag(args, "env"),
        version: integerFlag(args, "version", "version"),
        provider: stringFlag(args, "provider"),
        allowExpired: booleanFlag(args, "allow-expired") || undefined,
        reveal: reveal || undefined,
        purpose: stringFlag(args, "purpose") ?? (reveal ? "coffer get (cli)" : undefined),
      }),
    );
  } catch (err) {
    if (isCofferError(err, "NOT_FOUND") && !required) {
      ctx.note(
        `Secret '${name}' not found${stringFlag(args, "provider") ? ` in ${stringFlag(args, "provider")}` : ""}.`,
      );
      return { data: { found: false, name } };
    }
    if (isCofferError(err, "NOT_FOUND")) {
      throw new CofferError("NOT_FOUND", err.message, {
        ...err.details,
        hint: err.details.hint ?? "see 'coffer list' and 'coffer health'",
      });
    }
    throw err;
  }
  const { provenance, value, ...view } = result;
  if (reveal && value === undefined) {
    throw new CofferError("PERMISSION_DENIED", `the value of '${name}' cannot be shown`, { name });
  }
  if (plain) {
    if (!ctx.json) writeStdout(`${value}\n`);
    return { data: { found: true, secret: { ...view, value }, provenance } };
  }
  if (provenance.staleWarning) ctx.warn(provenance.staleWarning);
  const lines = secretBlock(view, showFull ? value! : view.maskedValue, ctx.style);
  return {
    data: { found: true, secret: showFull ? { ...view, value } : view, provenance },
    lines,
  };
};
