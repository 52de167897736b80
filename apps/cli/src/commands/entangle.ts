import type { CommandHandler } from "../cli/command-spec.js";

/** `coffer entangle A B`: writing either secret then writes both. */
export const entangleCommand: CommandHandler = async (ctx, args) => {
  const [a, b] = args.positionals as [string, string];
  const coffer = await ctx.coffer();
  const result = await coffer.entangle(a, b);
  return {
    data: { a, b, ...result },
    lines: [
      `${ctx.style.green("✓")} Entangled '${a}' and '${b}'`,
      `  Group: ${result.group.join(", ")}`,
      "  Writing or rotating any of them now writes the same value to all.",
    ],
  };
};

/** `coffer disentangle A B`: remove the link. */
export const disentangleCommand: CommandHandler = async (ctx, args) => {
  const [a, b] = args.positionals as [string, string];
  const coffer = await ctx.coffer();
  const result = await coffer.disentangle(a, b);
  return {
    data: { a, b, ...result },
    lines: [
      result.removed
        ? `${ctx.style.green("✓")} Disentangled '${a}' and '${b}'`
        : `'${a}' and '${b}' were not entangled; nothing changed`,
    ],
  };
};
