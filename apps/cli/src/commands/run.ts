import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import {
  CofferError,
  type DotenvSource,
  execWithSecrets,
  type InjectionSet,
  NUMERIC_RANGES,
  parseDuration,
  resolveDotenvReferences,
  shellExitStatus,
} from "@coffer/core";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag, defined, listFlag, repeatedFlag, scopeFlag, stringFlag } from "../cli/flag-values.js";
import { outputStream, stdoutStream } from "../cli/stdout.js";

/** Exit status when `--timeout` ends the command (as `timeout(1)` reports it). */
export const EXIT_TIMED_OUT = 124;

/** Largest `--env-file` read, bytes. */
const MAX_ENV_FILE_BYTES = 4 * 1024 * 1024;

function readEnvFile(cwd: string, path: string): DotenvSource {
  const full = resolve(cwd, path);
  try {
    const stat = statSync(full);
    if (!stat.isFile())
      throw new CofferError("INVALID_ARGUMENT", `--env-file ${path} is not a file`, { field: "env-file" });
    if (stat.size > MAX_ENV_FILE_BYTES) {
      throw new CofferError("TOO_LARGE", `--env-file ${path} is larger than ${MAX_ENV_FILE_BYTES} bytes`, {
        field: "env-file",
      });
    }
    return { label: path, text: readFileSync(full, "utf8") };
  } catch (err) {
    if (err instanceof CofferError) throw err;
    throw new CofferError("NOT_FOUND", `cannot read --env-file ${path}`, { field: "env-file" });
  }
}

/**
 * `coffer run [flags] -- <command> [args...]`: resolve secrets, close the store, then run the
 * command with them as environment variables, masking their values in its output as it streams.
 * The command's exit status becomes coffer's.
 */
export const runCommand: CommandHandler = async (ctx, args) => {
  const [command, ...commandArgs] = args.tail;
  if (command === undefined || command === "") {
    throw new CofferError("INVALID_ARGUMENT", "no command given", {
      field: "command",
      hint: "coffer run [options] -- <command> [args...]",
    });
  }
  const timeout = stringFlag(args, "timeout");
  const timeoutMs =
    timeout === undefined ? undefined : parseDuration(timeout, "--timeout", NUMERIC_RANGES.execTimeoutSeconds) * 1000;
  const envFiles = repeatedFlag(args, "env-file").map((path) => readEnvFile(ctx.cwd, path));
  const coffer = await ctx.coffer();
  // Every reference of the env files is resolved before the command starts (or the run fails).
  const fromFiles =
    envFiles.length > 0
      ? await resolveDotenvReferences(coffer, envFiles, {
          use: "exec",
          command,
          args: commandArgs,
          purpose: "coffer run",
        })
      : [];
  // With env files, only their variables are injected, unless --only or --tags ask for more.
  const storeWide =
    envFiles.length === 0 || stringFlag(args, "only") !== undefined || stringFlag(args, "tags") !== undefined;
  const empty: InjectionSet = { vars: {}, secrets: [], collisions: [], missing: [], maskNames: {} };
  const injection = !storeWide
    ? empty
    : await coffer.resolveForInjection(
        defined({
          ...scopeFlag(args, ctx.cwd),
          env: stringFlag(args, "env"),
          only: listFlag(args, "only"),
          tags: listFlag(args, "tags"),
          command,
          args: commandArgs,
          purpose: "coffer run",
        }),
      );
  for (const v of fromFiles) {
    if (v.secretName === undefined) continue;
    injection.vars[v.key] = v.value;
    injection.secrets = injection.secrets.filter((s) => s.envVar !== v.key);
    injection.secrets.push({ name: v.secretName, envVar: v.key, provider: v.provider ?? "", scope: v.scope ?? "" });
    injection.maskNames[v.key] = v.secretName;
  }
  // Plain values of the env files are not secrets: passed through as written, not masked.
  const plain = Object.fromEntries(fromFiles.filter((v) => v.secretName === undefined).map((v) => [v.key, v.value]));
  for (const key of Object.keys(plain)) delete injection.vars[key];
  injection.secrets = injection.secrets.filter((s) => !Object.hasOwn(plain, s.envVar));
  if (injection.missing.length > 0) {
    throw new CofferError("NOT_FOUND", `secrets not found: ${injection.missing.join(", ")}`, {
      names: injection.missing,
      hint: "check the names given to --only (coffer list)",
    });
  }
  for (const c of injection.collisions) {
    ctx.warn(`${c.names.join(", ")} all map to ${c.envVar}; none of them was injected`);
  }
  const inherited = injection.secrets.filter((s) => ctx.env[s.envVar] !== undefined).map((s) => s.envVar);
  if (inherited.length > 0) ctx.warn(`overriding inherited environment variables: ${inherited.join(", ")}`);
  // Release the store (and flush the audit entry) before the command runs, however long it takes.
  await ctx.close();

  const redact = !booleanFlag(args, "no-redact");
  const result = await execWithSecrets(
    defined({
      command,
      args: commandArgs,
      vars: injection.vars,
      names: injection.maskNames,
      redact,
      baseEnv: { ...ctx.env, ...plain },
      cwd: ctx.cwd,
      timeoutMs,
      ...(ctx.json
        ? { stdin: "ignore" as const }
        : redact
          ? { stdout: outputStream(1), stderr: outputStream(2), stdin: "inherit" as const }
          : { stdout: stdoutStream(), stderr: process.stderr, stdin: "inherit" as const }),
      forwardSignals: true,
    }),
  );
  const status = result.timedOut ? EXIT_TIMED_OUT : shellExitStatus(result);
  if (result.timedOut) ctx.note(`coffer: '${command}' timed out after ${timeout} and was stopped`);
  const injected = injection.secrets.map(({ name, envVar, provider, scope }) => ({ name, envVar, provider, scope }));
  return {
    data: ctx.json
      ? {
          exitCode: result.exitCode,
          signal: result.signal,
          timedOut: result.timedOut,
          stdout: result.stdout,
          stderr: result.stderr,
          truncated: result.truncated,
          injected,
        }
      : { exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut, injected },
    exitCode: status,
  };
};
