import { readFileSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { CofferError, type MigrationItem, migrateDotenv, type ReferenceScope } from "@coffer/core";
import { rewriteFileAtomically } from "../cli/atomic-rewrite.js";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, stringFlag } from "../cli/flag-values.js";
import { renderTable } from "../cli/table.js";

/** Largest `.env` file migrated, bytes. */
const MAX_DOTENV_BYTES = 16 * 1024 * 1024;

function migrationScope(text: string | undefined): ReferenceScope | undefined {
  if (text === undefined) return undefined;
  if (text === "project" || text === "global") return { kind: text };
  const m = /^(team|org):([A-Za-z0-9][A-Za-z0-9_.@:-]{0,127})$/.exec(text);
  if (m) return { kind: m[1] as "team" | "org", id: m[2]! };
  throw new CofferError("INVALID_ARGUMENT", "--scope must be project, global, team:ID or org:ID", { field: "scope" });
}

function readDotenv(path: string, shown: string): Buffer {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new CofferError("INVALID_ARGUMENT", `${shown} is not a file`, { field: "file" });
    size = stat.size;
  } catch (err) {
    if (err instanceof CofferError) throw err;
    throw new CofferError("NOT_FOUND", `cannot read ${shown}: no such file`, { field: "file" });
  }
  if (size > MAX_DOTENV_BYTES) {
    throw new CofferError("TOO_LARGE", `${shown} is larger than ${MAX_DOTENV_BYTES} bytes`, { field: "file" });
  }
  return readFileSync(path);
}

const PLANNED: Record<MigrationItem["action"], string> = {
  create: "store",
  update: "overwrite",
  unchanged: "already stored",
  reference: "already a reference",
  empty: "empty, left alone",
};
const DONE: Record<MigrationItem["action"], string> = { ...PLANNED, create: "stored", update: "overwritten" };

/**
 * `coffer migrate [FILE...]`: move every value of `.env` files into the store and rewrite each
 * file in place (atomically, same mode) with references instead of values. `--dry-run` shows
 * the plan. Output names keys and lines, never values.
 */
export const migrateCommand: CommandHandler = async (ctx, args) => {
  const files = args.positionals.length > 0 ? args.positionals : [".env"];
  const options = {
    scope: migrationScope(stringFlag(args, "scope")),
    env: stringFlag(args, "env"),
    provider: stringFlag(args, "provider"),
    overwrite: booleanFlag(args, "overwrite"),
    dryRun: booleanFlag(args, "dry-run"),
  };
  const coffer = await ctx.coffer();
  const reports: Array<{ file: string; changed: boolean; items: MigrationItem[]; warnings: string[] }> = [];
  const lines: string[] = [];
  for (const file of files) {
    // A symbolic link is followed: the file it points to is the one holding the values.
    const bytes = readDotenv(resolve(ctx.cwd, file), file);
    const path = realpathSync(resolve(ctx.cwd, file));
    const text = bytes.toString("utf8");
    if (!Buffer.from(text, "utf8").equals(bytes)) {
      throw new CofferError("INVALID_ARGUMENT", `${file} is not valid UTF-8; it was not changed`, { field: "file" });
    }
    let result: Awaited<ReturnType<typeof migrateDotenv>>;
    try {
      result = await migrateDotenv(coffer, text, {
        ...(options.scope ? { scope: options.scope } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
        ...(options.provider !== undefined ? { provider: options.provider } : {}),
        overwrite: options.overwrite,
        dryRun: options.dryRun,
      });
    } catch (err) {
      if (err instanceof CofferError)
        throw new CofferError(err.code, `${file}: ${err.message}`, { ...err.details, file }, { cause: err });
      throw err;
    }
    if (result.changed) rewriteFileAtomically(path, bytes, Buffer.from(result.text, "utf8"));
    for (const w of result.warnings) ctx.warn(`${file}: ${w}`);
    reports.push({ file, changed: result.changed, items: result.items, warnings: result.warnings });
    const head = options.dryRun
      ? `${file} (dry run: nothing stored, file unchanged)`
      : result.changed
        ? `${file} rewritten`
        : `${file} unchanged`;
    lines.push(head);
    if (result.items.length > 0) {
      lines.push(
        ...renderTable(
          ["KEY", options.dryRun ? "WOULD" : "DONE", "LINES", "REFERENCE"],
          result.items.map((i) => [
            i.key,
            (options.dryRun ? PLANNED : DONE)[i.action],
            i.lines.join(","),
            i.reference ?? "",
          ]),
          ctx.terminal.width,
        ),
      );
    }
  }
  return { data: { dryRun: options.dryRun, files: reports }, lines };
};
