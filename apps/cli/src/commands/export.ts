import { spawnSync } from "node:child_process";
import { basename, dirname, extname, resolve } from "node:path";
import {
  CofferError,
  EXPORT_FORMATS,
  type ExportedSecret,
  type ExportFormat,
  type ExportItem,
  encryptBundle,
  formatExport,
  type ScopeKind,
  type ScopeRef,
} from "@coffer/core";
import { bundlePassphrase } from "../cli/bundle-passphrase.js";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, defined, listFlag, scopeKindFlag, stringFlag } from "../cli/flag-values.js";
import { isTrackedByGit, writePrivateFile } from "../cli/private-file.js";
import { writeStdout } from "../cli/stdout.js";

function scopeRefOfLabel(label: string, projectRoot: string): ScopeRef {
  if (label === "global") return { kind: "global" };
  if (label === "project") return { kind: "project", id: projectRoot };
  const i = label.indexOf(":");
  return { kind: (i === -1 ? label : label.slice(0, i)) as ScopeKind, id: i === -1 ? "" : label.slice(i + 1) };
}

function toExportItem(s: ExportedSecret, projectRoot: string): ExportItem {
  return defined({
    name: s.name,
    scope: scopeRefOfLabel(s.scope, projectRoot),
    env: s.env,
    version: s.version,
    provider: s.provider,
    tags: s.tags,
    description: s.description,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    expiresAt: s.expiresAt,
    ttlSeconds: s.ttlSeconds,
    encoding: s.encoding,
    value: s.value,
  });
}

/** True when git would not ignore `path` inside a repository (false outside one or without git). */
function isUnignoredInRepo(path: string): boolean {
  const result = spawnSync("git", ["-C", dirname(path), "check-ignore", "-q", "--", basename(path)], {
    stdio: "ignore",
    timeout: 5000,
  });
  return result.status === 1;
}

/** `coffer export`: metadata by default; values with --include-values (confirmed) or --encrypt. */
export const exportCommand: CommandHandler = async (ctx, args) => {
  const encrypt = booleanFlag(args, "encrypt");
  const includeValues = booleanFlag(args, "include-values");
  const format = stringFlag(args, "format") ?? "json";
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new CofferError("INVALID_ARGUMENT", `--format must be one of ${EXPORT_FORMATS.join(", ")}`, {
      field: "format",
    });
  }
  if (encrypt && stringFlag(args, "format") !== undefined && format !== "json") {
    throw new CofferError("INVALID_ARGUMENT", "--encrypt writes a Coffer bundle; --format does not apply", {
      field: "format",
    });
  }
  const outputFlag = stringFlag(args, "output");
  const output = outputFlag === undefined ? undefined : resolve(ctx.cwd, outputFlag);
  const plaintextValues = includeValues && !encrypt;
  if (plaintextValues && output && /\.(enc|encrypted|age|gpg|pgp)$/i.test(output)) {
    // The name promises encryption (the reference's own example is backup.json.enc).
    throw new CofferError(
      "INVALID_ARGUMENT",
      `refusing to write secret values in clear text to ${outputFlag}: its name says it is encrypted`,
      {
        field: "output",
        hint: `add --encrypt to write an encrypted bundle there, or choose a name without ${extname(output)}`,
      },
    );
  }
  if (plaintextValues) {
    if (output && isTrackedByGit(output) && !booleanFlag(args, "force")) {
      throw new CofferError(
        "PERMISSION_DENIED",
        `refusing to write secret values into ${outputFlag}: the file is tracked by git`,
        {
          field: "output",
          hint: "choose a path outside version control, use --encrypt, or pass --force",
        },
      );
    }
    const where = output ? outputFlag : "standard output";
    if (!booleanFlag(args, "confirm") && !booleanFlag(args, "yes")) {
      if (!ctx.terminal.interactive) {
        throw new CofferError("INVALID_ARGUMENT", "exporting values needs confirmation, and prompting is off", {
          field: "yes",
          hint: "pass --yes to export values without a prompt (or use --encrypt)",
        });
      }
      ctx.note(`${ctx.errStyle.yellow("⚠ Warning:")} This writes secret values in clear text to ${where}.`);
      if (!(await ctx.confirm("Continue?", "--yes"))) {
        ctx.note("Cancelled; nothing was exported.");
        return { data: { exported: false }, exitCode: 1 };
      }
    }
    if (output && isUnignoredInRepo(output))
      ctx.warn(`${outputFlag} is inside a git repository and not ignored; add it to .gitignore`);
  }
  const passphrase = encrypt ? await bundlePassphrase(ctx, true) : undefined;
  const session = await ctx.session();
  const secrets = await session.coffer.export(
    defined({
      pattern: stringFlag(args, "pattern"),
      tags: listFlag(args, "tags"),
      scope: scopeKindFlag(args),
      provider: stringFlag(args, "provider"),
      includeValues: includeValues || encrypt || undefined,
    }),
  );
  let text: string;
  let written = secrets;
  if (encrypt) {
    text = await encryptBundle({ exportedAt: new Date().toISOString(), secrets }, passphrase!);
  } else {
    if (plaintextValues) {
      const writeOnly = secrets.filter((s) => s.value === undefined);
      for (const s of writeOnly) ctx.warn(`'${s.name}' is write-only; its value is not exported`);
      written = secrets.filter((s) => s.value !== undefined);
    }
    const items = written.map((s) => toExportItem(s, session.loaded.projectRoot));
    text = formatExport(items, format as ExportFormat, { includeValues: plaintextValues });
  }
  const summary = {
    count: written.length,
    format: encrypt ? "coffer-bundle" : format,
    includeValues: plaintextValues || encrypt,
    encrypted: encrypt,
    ...(output ? { output } : {}),
  };
  if (output) {
    writePrivateFile(output, text);
    const what = encrypt ? "encrypted bundle" : plaintextValues ? "with values" : "metadata only";
    return {
      data: summary,
      lines: [
        `${ctx.style.green("✓")} Exported ${written.length} secret${written.length === 1 ? "" : "s"} (${what}) to ${outputFlag} (mode 0600)`,
      ],
    };
  }
  if (ctx.json) {
    // Metadata (or values, when asked for) as data; an encrypted bundle as its text.
    return {
      data: {
        ...summary,
        ...(encrypt
          ? { bundle: JSON.parse(text) }
          : { secrets: plaintextValues ? written : secrets.map(({ value: _v, ...m }) => m) }),
      },
    };
  }
  writeStdout(text);
  return { data: summary };
};
