import {
  CofferError,
  NUMERIC_RANGES,
  parseDuration,
  parseExpiry,
  type SetOptions,
  type WriteResult,
} from "@coffer/core";
import type { CommandContext } from "./command-context.js";
import type { ParsedArguments } from "./command-spec.js";
import { booleanFlag, defined, formatValue, integerFlag, listFlag, scopeFlag, stringFlag } from "./flag-values.js";

/** The `SetOptions` given by the write flags of `set`, `generate --save` and `secret set`. */
export function writeOptionsOf(args: ParsedArguments, cwd: string): SetOptions {
  const ttl = stringFlag(args, "ttl");
  const expires = stringFlag(args, "expires");
  return defined({
    ...scopeFlag(args, cwd),
    provider: stringFlag(args, "provider"),
    env: stringFlag(args, "env"),
    expiresAt: expires === undefined ? undefined : parseExpiry(expires, "--expires", NUMERIC_RANGES.expiresInSeconds),
    ttlSeconds: ttl === undefined ? undefined : parseDuration(ttl, "--ttl", NUMERIC_RANGES.ttlSeconds),
    tags: listFlag(args, "tags"),
    description: stringFlag(args, "description"),
    rotationFormat: formatValue(stringFlag(args, "rotation-format"), "--rotation-format"),
    rotationPrefix: stringFlag(args, "rotation-prefix"),
    writeOnly: booleanFlag(args, "write-only") || undefined,
    ifVersion: args.options["if-version"] === undefined ? undefined : integerFlag(args, "if-version", "ifVersion"),
  });
}

/** Lines after a successful write: `✓ Secret 'NAME' stored successfully` and its details. */
export function storedLines(ctx: CommandContext, result: WriteResult, verb = "stored"): string[] {
  const lines = [
    `${ctx.style.green("✓")} Secret '${result.name}' ${verb} successfully`,
    `  Provider: ${result.provider}`,
    `  Version: ${result.version}`,
    `  Scope: ${result.scopeLabel}`,
  ];
  if (result.env !== undefined) lines.push(`  Env: ${result.env}`);
  lines.push(`  Created: ${result.createdAt}`);
  if (result.version > 1) lines.push(`  Updated: ${result.updatedAt}`);
  if (result.entangled.length > 0) lines.push(`  Entangled secrets updated: ${result.entangled.join(", ")}`);
  if (result.replacedDeleted) lines.push("  Replaced a deleted secret (its deleted versions stay in its history)");
  if (result.alreadyExpired)
    lines.push(
      `  ${ctx.style.yellow("⚠")} Its hard expiry is already past: reads fail unless --allow-expired; list shows it with --include-expired`,
    );
  return lines;
}

/** Warn about after-hooks that failed (the write itself stands). */
export function reportHooks(ctx: CommandContext, hooks: WriteResult["hooks"]): void {
  for (const h of hooks) if (!h.ok) ctx.warn(`hook ${h.hook} failed${h.message ? `: ${h.message}` : ""}`);
}

/** Strip the one line break `echo` adds to piped input. */
export function stripFinalNewline(text: string): string {
  return text.endsWith("\r\n") ? text.slice(0, -2) : text.endsWith("\n") ? text.slice(0, -1) : text;
}

/**
 * The value of a write: the argument (with a warning), piped stdin, or a hidden prompt.
 * @throws CofferError INVALID_ARGUMENT when none is available and prompting is off
 */
export async function readSecretValue(
  ctx: CommandContext,
  name: string,
  argument: string | undefined,
  alternatives: string,
): Promise<string> {
  if (argument !== undefined) {
    ctx.warn(
      "a value given as an argument is visible in shell history and process lists; pipe it on stdin or use the prompt instead",
    );
    return argument;
  }
  if (ctx.stdinIsPiped) return stripFinalNewline(await ctx.readStdin());
  if (!ctx.terminal.interactive) {
    throw new CofferError("INVALID_ARGUMENT", `no value for '${name}': prompting is off`, {
      field: "value",
      hint: `pipe the value on stdin (printf %s "$VALUE" | coffer ...)${alternatives}`,
    });
  }
  return await ctx.promptSecret(`Value for '${name}' (input hidden): `, "value");
}
