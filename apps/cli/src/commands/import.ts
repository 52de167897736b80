import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import {
  type BundlePayload,
  CofferError,
  decryptBundle,
  detectImportFormat,
  type ImportOptions,
  type ImportReport,
  isEncryptedBundle,
} from "@coffer/core";
import { bundlePassphrase } from "../cli/bundle-passphrase.js";
import type { CommandContext } from "../cli/command-context.js";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, defined, listFlag, scopeFlag, stringFlag } from "../cli/flag-values.js";
import { createProgressBar } from "../cli/progress-bar.js";
import { scopeInputOfLabel } from "../cli/scope-label.js";
import { renderTable } from "../cli/table.js";

/** Largest import file read, bytes. */
export const MAX_IMPORT_FILE_BYTES = 32 * 1024 * 1024;

const IMPORT_FORMATS = ["env", "json", "yaml"] as const;

function readImportFile(path: string): string {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new CofferError("INVALID_ARGUMENT", `${path} is not a file`, { field: "file" });
    size = stat.size;
  } catch (err) {
    if (err instanceof CofferError) throw err;
    throw new CofferError("NOT_FOUND", `cannot read ${path}: no such file`, { field: "file" });
  }
  if (size > MAX_IMPORT_FILE_BYTES) {
    throw new CofferError("TOO_LARGE", `${path} is larger than ${MAX_IMPORT_FILE_BYTES} bytes`, { field: "file" });
  }
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new CofferError("PERMISSION_DENIED", `cannot read ${path}`, { field: "file" });
  }
}

function emptyReport(dryRun: boolean): ImportReport {
  return { dryRun, created: 0, updated: 0, skipped: 0, unchanged: 0, items: [], warnings: [] };
}

function merge(into: ImportReport, part: ImportReport): void {
  into.created += part.created;
  into.updated += part.updated;
  into.skipped += part.skipped;
  into.unchanged += part.unchanged;
  into.items.push(...part.items);
  into.warnings.push(...part.warnings);
}

/** Import the secrets of a decrypted bundle, grouped by scope and env (flags override both). */
async function importBundle(
  ctx: CommandContext,
  payload: BundlePayload,
  base: ImportOptions,
  flags: { scope: boolean; env: boolean },
  progress: (done: number, total: number) => void,
): Promise<ImportReport> {
  const coffer = await ctx.coffer();
  const report = emptyReport(base.dryRun === true);
  const groups = new Map<string, { scope: string; env?: string; entries: Record<string, unknown> }>();
  for (const s of payload.secrets) {
    if (s.value === undefined) {
      report.warnings.push(`'${s.name}' has no value in the bundle (write-only secrets are never exported); skipped`);
      continue;
    }
    const scope = flags.scope ? "" : s.scope;
    const env = flags.env ? base.env : s.env;
    const key = `${scope}\u0000${env ?? ""}`;
    let group = groups.get(key);
    if (!group) {
      group = { scope, ...(env !== undefined ? { env } : {}), entries: Object.create(null) as Record<string, unknown> };
      groups.set(key, group);
    }
    group.entries[s.name] = defined({
      value: s.value,
      encoding: s.encoding === "base64" ? "base64" : undefined,
      tags: s.tags && s.tags.length > 0 ? s.tags : undefined,
      description: s.description,
      expiresAt: s.expiresAt,
      ttlSeconds: s.ttlSeconds,
    });
  }
  const total = payload.secrets.length;
  let before = 0;
  for (const group of groups.values()) {
    const options: ImportOptions = {
      ...base,
      ...(flags.scope ? {} : scopeInputOfLabel(group.scope, ctx.cwd)),
      format: "json",
      ...(group.env !== undefined ? { env: group.env } : {}),
      onProgress: (done) => progress(before + done, total),
    };
    if (group.env === undefined) delete options.env;
    const part = await coffer.import(JSON.stringify(group.entries), options);
    before += part.items.length;
    merge(report, part);
  }
  return report;
}

/** `coffer import <file>`: .env / JSON / YAML, or an encrypted bundle; prints a summary. */
export const importCommand: CommandHandler = async (ctx, args) => {
  const file = args.positionals[0]!;
  const path = resolve(ctx.cwd, file);
  const format = stringFlag(args, "format");
  if (format !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(format)) {
    throw new CofferError("INVALID_ARGUMENT", `--format must be one of ${IMPORT_FORMATS.join(", ")}`, {
      field: "format",
    });
  }
  const text = readImportFile(path);
  const dryRun = booleanFlag(args, "dry-run");
  const base: ImportOptions = defined({
    ...scopeFlag(args, ctx.cwd),
    provider: stringFlag(args, "provider"),
    env: stringFlag(args, "env"),
    tags: listFlag(args, "tags"),
    dryRun: dryRun || undefined,
    skipExisting: booleanFlag(args, "skip-existing") || undefined,
  });
  const bar = createProgressBar(ctx.terminal.stderrIsTTY && !ctx.json, dryRun ? "Checking" : "Importing");
  let report: ImportReport;
  let bundle = false;
  try {
    if (format === undefined && isEncryptedBundle(text)) {
      bundle = true;
      const payload = await decryptBundle(text, await bundlePassphrase(ctx, false));
      report = await importBundle(
        ctx,
        payload,
        base,
        { scope: args.options.scope !== undefined, env: args.options.env !== undefined },
        bar.update,
      );
    } else {
      const coffer = await ctx.coffer();
      report = await coffer.import(text, {
        ...base,
        format: (format as ImportOptions["format"]) ?? detectImportFormat(path, text),
        onProgress: bar.update,
      });
    }
  } finally {
    bar.end();
  }
  for (const w of report.warnings) ctx.warn(w);
  const { style } = ctx;
  const total = report.items.length;
  const lines = [
    report.dryRun
      ? `Dry run: ${total} secret${total === 1 ? "" : "s"} in ${file}; nothing was written`
      : `${style.green("✓")} Imported ${file}${bundle ? " (encrypted bundle)" : ""}: ${total} secret${total === 1 ? "" : "s"}`,
    `  ${report.dryRun ? "Would create" : "Created"}: ${report.created}`,
    `  ${report.dryRun ? "Would update" : "Updated"}: ${report.updated}`,
    `  Unchanged: ${report.unchanged}`,
    `  Skipped: ${report.skipped}`,
  ];
  if (report.warnings.length > 0) lines.push(`  Warnings: ${report.warnings.length}`);
  if (report.dryRun && total > 0) {
    lines.push(
      "",
      ...renderTable(
        ["Name", "Action"],
        report.items.map((i) => [i.name, i.action]),
        ctx.terminal.width,
      ),
    );
  }
  return { data: { file, bundle, ...report }, lines };
};
