import { CofferError, execWithSecrets, resolveEnvironmentReferences, shellExitStatus } from "@coffer/core";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag } from "../cli/flag-values.js";
import { outputStream, stdoutStream } from "../cli/stdout.js";

/**
 * `coffer mcp wrap -- <command> [args...]`: start another MCP server (or any stdio program) with
 * every environment variable that holds a `coffer://` reference replaced by the secret's value,
 * so an MCP client's configuration holds references, never keys. Values are masked in what the
 * server writes (its stdout is what the client, and so the agent, reads) unless `--no-redact`.
 * A reference that cannot be resolved fails before the server starts, naming it.
 */
export const mcpWrapCommand: CommandHandler = async (ctx, args) => {
  const [command, ...commandArgs] = args.tail;
  if (command === undefined || command === "") {
    throw new CofferError("INVALID_ARGUMENT", "no command given", {
      field: "command",
      hint: "coffer mcp wrap -- <command> [args...]",
    });
  }
  const coffer = await ctx.coffer();
  const resolved = await resolveEnvironmentReferences(coffer, ctx.env, {
    use: "exec",
    command,
    purpose: "coffer mcp wrap",
  });
  await ctx.close();
  const vars = Object.fromEntries(resolved.map((v) => [v.key, v.value]));
  const names = Object.fromEntries(resolved.map((v) => [v.key, v.secretName ?? v.key]));
  const redact = !booleanFlag(args, "no-redact");
  const result = await execWithSecrets({
    command,
    args: commandArgs,
    vars,
    names,
    redact,
    baseEnv: ctx.env,
    cwd: ctx.cwd,
    stdin: "inherit",
    stdout: redact ? outputStream(1) : stdoutStream(),
    stderr: redact ? outputStream(2) : process.stderr,
    forwardSignals: true,
  });
  return { data: {}, streamed: true, exitCode: shellExitStatus(result) };
};
