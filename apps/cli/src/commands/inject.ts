import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { CofferError, findTemplateReferences, renderTemplate, resolveReferences } from "@coffer/core";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, stringFlag } from "../cli/flag-values.js";
import { isTrackedByGit, writePrivateFile } from "../cli/private-file.js";
import { writeStdout } from "../cli/stdout.js";

/** Largest template read, bytes. */
const MAX_TEMPLATE_BYTES = 16 * 1024 * 1024;

function readTemplate(cwd: string, path: string): string {
  const full = resolve(cwd, path);
  try {
    const stat = statSync(full);
    if (!stat.isFile()) throw new CofferError("INVALID_ARGUMENT", `--input ${path} is not a file`, { field: "input" });
    if (stat.size > MAX_TEMPLATE_BYTES) {
      throw new CofferError("TOO_LARGE", `--input ${path} is larger than ${MAX_TEMPLATE_BYTES} bytes`, {
        field: "input",
      });
    }
    return readFileSync(full, "utf8");
  } catch (err) {
    if (err instanceof CofferError) throw err;
    throw new CofferError("NOT_FOUND", `cannot read --input ${path}`, { field: "input" });
  }
}

/**
 * `coffer inject [-i TEMPLATE] [-o OUT]`: render every `{{ coffer://NAME }}` of a text file (or
 * stdin) with the secret's value, into OUT (created 0600; a git-tracked OUT needs `--force`) or
 * stdout. Every reference is resolved (as a reveal: policy, purpose and audit apply) before
 * anything is written; one that cannot be resolved fails the command and names it.
 */
export const injectCommand: CommandHandler = async (ctx, args) => {
  const input = stringFlag(args, "input");
  const outputFlag = stringFlag(args, "output");
  const output = outputFlag === undefined ? undefined : resolve(ctx.cwd, outputFlag);
  if (output === undefined && ctx.json) {
    throw new CofferError("INVALID_ARGUMENT", "--json needs --output (the rendered text holds secret values)", {
      field: "output",
    });
  }
  if (output && isTrackedByGit(output) && !booleanFlag(args, "force")) {
    throw new CofferError(
      "PERMISSION_DENIED",
      `refusing to write secret values into ${outputFlag}: the file is tracked by git`,
      {
        field: "output",
        hint: "choose a path outside version control, or pass --force",
      },
    );
  }
  const template = input === undefined || input === "-" ? await ctx.readStdin() : readTemplate(ctx.cwd, input);
  const found = findTemplateReferences(template);
  const resolved = await resolveReferences(
    await ctx.coffer(),
    found.map((f) => f.reference),
    { use: "reveal", purpose: stringFlag(args, "purpose") ?? "coffer inject" },
  );
  await ctx.close();
  const text = renderTemplate(template, found, (key) => resolved.get(key)!.value);
  const names = [...new Set([...resolved.values()].map((r) => r.name))].sort();
  if (output) {
    writePrivateFile(output, text);
    if (!ctx.json)
      ctx.note(`wrote ${outputFlag} (mode 0600) with ${found.length} reference(s) resolved: ${names.join(", ")}`);
  } else writeStdout(text);
  return { data: { output: outputFlag, references: found.length, names }, lines: [] };
};
