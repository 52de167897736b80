import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import {
  CofferError,
  collectScanValues,
  findLeaks,
  leakMessage,
  repositoryRoot,
  toSarif,
  ValueScanner,
} from "@coffer/core";
import type { CommandContext } from "../cli/command-context.js";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, stringFlag } from "../cli/flag-values.js";
import { writePrivateFile } from "../cli/private-file.js";
import { writeStdout } from "../cli/stdout.js";
import { VERSION } from "../main.js";

/** Marks a pre-commit hook as Coffer's. */
const HOOK_MARKER = "# coffer: scan staged changes for stored secret values";

const FORMATS = ["text", "json", "sarif"] as const;

function installHook(ctx: CommandContext, force: boolean) {
  const repo = repositoryRoot(ctx.cwd);
  const hooks = spawnSync("git", ["-C", repo, "rev-parse", "--git-path", "hooks"], { encoding: "utf8" }).stdout.trim();
  const dir = isAbsolute(hooks) ? hooks : join(repo, hooks);
  const path = join(dir, "pre-commit");
  const script = `#!/bin/sh\n${HOOK_MARKER} (coffer scan --install-hook)\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(process.argv[1] ?? "coffer")} scan --staged\n`;
  if (existsSync(path)) {
    const current = readFileSync(path, "utf8");
    if (current === script)
      return { data: { hook: path, installed: false, unchanged: true }, lines: [`${path} is already installed`] };
    if (!current.includes(HOOK_MARKER) && !force) {
      throw new CofferError("CONFLICT", `${path} already exists and is not Coffer's`, {
        field: "hook",
        hint: "add 'coffer scan --staged' to it yourself, or pass --force to replace it",
      });
    }
  }
  writePrivateFile(path, script);
  chmodSync(path, 0o700);
  return {
    data: { hook: path, installed: true },
    lines: [`installed ${path}: every commit runs 'coffer scan --staged'`],
  };
}

/**
 * `coffer scan [PATH...] [--staged] [--history] [--generic] [--format text|json|sarif]`: look for
 * stored secret values (every version the caller may reveal, every scope in reach) in files, the
 * git index and git history. Exit 1 when anything is found. Output names places and secrets,
 * never values.
 */
export const scanCommand: CommandHandler = async (ctx, args) => {
  if (booleanFlag(args, "install-hook")) return installHook(ctx, booleanFlag(args, "force"));
  const format = (stringFlag(args, "format") ?? "text") as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    throw new CofferError("INVALID_ARGUMENT", `--format must be one of ${FORMATS.join(", ")}`, { field: "format" });
  }
  const coffer = await ctx.coffer();
  const collected = await collectScanValues(coffer, { purpose: "coffer scan" });
  await ctx.close();
  const scanner = new ValueScanner(collected.values);
  collected.values.length = 0;
  const started = performance.now();
  const report = await findLeaks(scanner, {
    root: resolve(ctx.cwd),
    ...(args.positionals.length > 0 ? { paths: args.positionals } : {}),
    staged: booleanFlag(args, "staged"),
    history: booleanFlag(args, "history"),
    generic: booleanFlag(args, "generic"),
  });
  const seconds = (performance.now() - started) / 1000;
  const exitCode = report.findings.length > 0 ? 1 : 0;
  const summary = {
    values: scanner.size,
    skipped: collected.skipped.length,
    targets: report.targets,
    bytes: report.bytes,
    seconds: Math.round(seconds * 1000) / 1000,
  };
  if (format === "sarif" && !ctx.json) {
    writeStdout(`${JSON.stringify(toSarif(report.findings, VERSION), null, 2)}\n`);
    return { data: {}, streamed: true, exitCode };
  }
  if (format === "json" && !ctx.json) {
    writeStdout(`${JSON.stringify({ findings: report.findings, ...summary }, null, 2)}\n`);
    return { data: {}, streamed: true, exitCode };
  }
  const lines = report.findings.map((f) => {
    const where =
      f.source === "history" ? ` [history ${f.commit?.slice(0, 12)}]` : f.source === "index" ? " [staged]" : "";
    return `${f.file}:${f.line}:${f.column}:${where} ${leakMessage(f)}`;
  });
  if (!ctx.json) {
    const mb = (report.bytes / 1e6).toFixed(1);
    ctx.note(
      `scanned ${report.targets} file(s), ${mb} MB, for ${scanner.size} stored value(s)${collected.skipped.length ? ` (${collected.skipped.length} version(s) not readable: write-only or not allowed)` : ""}: ${report.findings.length} finding(s)`,
    );
  }
  return { data: { findings: report.findings, ...summary }, lines, exitCode };
};
