import { CofferError } from "@coffer/core";
import type { CommandContext } from "./command-context.js";

/** Environment variable that supplies the bundle passphrase without a prompt. */
export const PASSPHRASE_VAR = "COFFER_EXPORT_PASSPHRASE";

/**
 * The passphrase of an encrypted bundle: `COFFER_EXPORT_PASSPHRASE`, else a hidden prompt
 * (asked twice when creating a bundle).
 * @throws CofferError INVALID_ARGUMENT when prompting is off and the variable is unset, or the two entries differ
 */
export async function bundlePassphrase(ctx: CommandContext, creating: boolean): Promise<string> {
  const fromEnv = ctx.env[PASSPHRASE_VAR];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (!ctx.terminal.interactive) {
    throw new CofferError("INVALID_ARGUMENT", "the bundle passphrase is needed, and prompting is off", {
      field: "passphrase",
      hint: `set ${PASSPHRASE_VAR} (or run in a terminal to be asked)`,
    });
  }
  const first = await ctx.promptSecret("Bundle passphrase (input hidden): ", PASSPHRASE_VAR);
  if (!creating) return first;
  const second = await ctx.promptSecret("Repeat the passphrase: ", PASSPHRASE_VAR);
  if (first !== second)
    throw new CofferError("INVALID_ARGUMENT", "the passphrases do not match", { field: "passphrase" });
  return first;
}
