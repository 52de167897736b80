import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CofferError } from "@coffer/core";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, stringFlag } from "../cli/flag-values.js";

/**
 * `coffer key rotate`: rewrap the local store's data key under a new master key: generated into
 * the key file (--generate), read from a file (--new-key-file), or typed at a hidden prompt.
 */
export const keyRotateCommand: CommandHandler = async (ctx, args) => {
  const generate = booleanFlag(args, "generate");
  const keyFile = stringFlag(args, "new-key-file");
  if (generate && keyFile !== undefined) {
    throw new CofferError("INVALID_ARGUMENT", "give either --generate or --new-key-file, not both", {
      field: "new-key-file",
    });
  }
  const session = await ctx.session();
  const local = session.local;
  if (!local) {
    throw new CofferError("UNSUPPORTED", "no local store is configured; the master key belongs to the local provider", {
      hint: "enable the local provider in coffer.yaml",
    });
  }
  const localOptions = (session.loaded.config.providers[local.name] ?? {}) as Record<string, unknown>;
  const keyFromEnv = ctx.env.COFFER_MASTER_KEY !== undefined || localOptions.masterKey !== undefined;
  let newKey: string;
  if (generate) {
    if (keyFromEnv) {
      throw new CofferError(
        "INVALID_ARGUMENT",
        "the master key comes from COFFER_MASTER_KEY (or the config), so a generated key would have nowhere to go",
        {
          field: "generate",
          hint: "pass the new key with --new-key-file or at the prompt, then update COFFER_MASTER_KEY",
        },
      );
    }
    newKey = randomBytes(32).toString("hex");
  } else if (keyFile !== undefined) {
    try {
      newKey = readFileSync(resolve(ctx.cwd, keyFile), "utf8").trim();
    } catch {
      throw new CofferError("NOT_FOUND", `cannot read the key file ${keyFile}`, { field: "new-key-file" });
    }
  } else {
    if (!ctx.terminal.interactive) {
      throw new CofferError("INVALID_ARGUMENT", "the new master key is needed, and prompting is off", {
        field: "new-key-file",
        hint: "pass --generate (key file stores) or --new-key-file FILE",
      });
    }
    newKey = await ctx.promptSecret("New master key (input hidden): ", "--new-key-file");
    const again = await ctx.promptSecret("Repeat the new master key: ", "--new-key-file");
    if (newKey !== again)
      throw new CofferError("INVALID_ARGUMENT", "the two entries differ; nothing changed", { field: "newKey" });
  }
  if (newKey === "") throw new CofferError("INVALID_ARGUMENT", "the new master key is empty", { field: "newKey" });
  const accessor = session.coffer.accessor;
  await local.rotateMasterKey(newKey, {
    audit: {
      time: new Date().toISOString(),
      accessor: accessor.id,
      frontEnd: accessor.frontEnd,
      action: "key-rotate",
      success: true,
    },
  });
  const lines = [`${ctx.style.green("✓")} Master key rotated`, `  Store: ${local.storePath}`];
  if (keyFromEnv) {
    lines.push(
      "  Next: set COFFER_MASTER_KEY to the new key everywhere this store is opened; the old key no longer opens it.",
    );
  } else {
    lines.push(`  Key file: updated${generate ? " with a new random key" : ""} (mode 0600)`);
  }
  return { data: { rotated: true, store: local.storePath, keySource: keyFromEnv ? "env" : "key-file" }, lines };
};
