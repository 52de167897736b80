import { CofferError, execWithSecrets, shellExitStatus } from "@coffer/core";
import type { CommandHandler } from "../cli/command-spec.js";
import { parseDurationSeconds } from "../cli/durations.js";
import { booleanFlag, defined, listFlag, scopeFlag, stringFlag } from "../cli/flag-values.js";
import { outputStream, stdoutStream } from "../cli/stdout.js";

/** Exit status when `--timeout` ends the command (as `timeout(1)` reports it). */
export const EXIT_TIMED_OUT = 124;

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
  const timeoutMs = timeout === undefined ? undefined : parseDurationSeconds(timeout, "--timeout") * 1000;
  const coffer = await ctx.coffer();
  const injection = await coffer.resolveForInjection(
    defined({
      ...scopeFlag(args, ctx.cwd),
      env: stringFlag(args, "env"),
      only: listFlag(args, "only"),
      tags: listFlag(args, "tags"),
      command,
      purpose: "coffer run",
    }),
  );
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

  const names = Object.fromEntries(injection.secrets.map((s) => [s.envVar, s.name]));
  const redact = !booleanFlag(args, "no-redact");
  const result = await execWithSecrets(
    defined({
      command,
      args: commandArgs,
      vars: injection.vars,
      names,
      redact,
      baseEnv: ctx.env,
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
