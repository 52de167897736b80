import type { CommandHandler } from "../cli/command-spec.js";
import { stringFlag } from "../cli/flag-values.js";

/** `coffer env`: which env state reads and writes use, and why. */
export const envCommand: CommandHandler = async (ctx, args) => {
  const coffer = await ctx.coffer();
  const detected = await coffer.detectEnvironment(stringFlag(args, "env"));
  const lines = [
    `Environment: ${detected.env ?? "(default state)"}`,
    `Source: ${detected.source}`,
    `Reason: ${detected.reason}`,
  ];
  if (detected.branch) lines.push(`Git branch: ${detected.branch}`);
  return { data: detected, lines };
};
