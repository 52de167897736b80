import { CofferError, NUMERIC_RANGES, parseDuration } from "@coffer/core";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, defined, formatValue, scopeFlag, stringFlag } from "../cli/flag-values.js";
import { formatSpan } from "../cli/format-span.js";
import { reportHooks, stripFinalNewline } from "../cli/write-options.js";

/** `coffer rotate <name> [new-value]`: new version; the old one stays valid for the grace period. */
export const rotateCommand: CommandHandler = async (ctx, args) => {
  const name = args.positionals[0]!;
  const given = args.positionals[1];
  const format = formatValue(stringFlag(args, "format"), "--format");
  const generate = booleanFlag(args, "generate") || format !== undefined;
  if (generate && given !== undefined) {
    throw new CofferError("INVALID_ARGUMENT", "give either a new value or --generate, not both", { field: "value" });
  }
  const grace = stringFlag(args, "grace");
  const expireOld = booleanFlag(args, "expire-old");
  if (grace !== undefined && expireOld) {
    throw new CofferError("INVALID_ARGUMENT", "--grace and --expire-old contradict each other", { field: "grace" });
  }
  let value: string | undefined;
  if (given !== undefined) {
    ctx.warn("a value given as an argument is visible in shell history and process lists; pipe it on stdin instead");
    value = given;
  } else if (!generate) {
    if (ctx.stdinIsPiped) value = stripFinalNewline(await ctx.readStdin());
    else if (ctx.terminal.interactive) {
      value = await ctx.promptSecret(`New value for '${name}' (input hidden, empty to generate): `, "--generate");
      if (value === "") value = undefined;
    } else {
      throw new CofferError("INVALID_ARGUMENT", `no new value for '${name}': prompting is off`, {
        field: "value",
        hint: "pass --generate, or pipe the new value on stdin",
      });
    }
  }
  const coffer = await ctx.coffer();
  const graceSeconds = grace === undefined ? undefined : parseDuration(grace, "--grace", NUMERIC_RANGES.graceSeconds);
  const result = await coffer.rotate(
    name,
    defined({
      ...scopeFlag(args, ctx.cwd),
      value,
      generate: format,
      prefix: stringFlag(args, "prefix"),
      env: stringFlag(args, "env"),
      provider: stringFlag(args, "provider"),
      expireOld: expireOld || undefined,
      graceSeconds,
    }),
  );
  reportHooks(ctx, result.hooks);
  const validFor = result.oldValidUntil
    ? `still valid for ${formatSpan((Date.parse(result.oldValidUntil) - Date.now()) / 1000)}`
    : "expired now";
  const lines = [
    `${ctx.style.green("✓")} Secret '${result.name}' rotated successfully`,
    `  Old version: ${result.oldVersion} (${validFor})`,
    `  New version: ${result.newVersion}`,
    `  Provider: ${result.provider}`,
  ];
  if (result.generated) lines.push("  New value: generated (not shown; read it with coffer get --show-full)");
  if (result.entangled.length > 0) lines.push(`  Entangled secrets updated: ${result.entangled.join(", ")}`);
  return { data: result, lines };
};
