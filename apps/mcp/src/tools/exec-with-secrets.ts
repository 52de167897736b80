import { CofferError, execWithSecrets, type InjectionOptions, isCofferError, quoteName } from "@coffer/core";
import * as z from "zod";
import { rangedInteger, rangeText } from "../numeric-arguments.js";
import { readScopeFields, toScopeInput } from "../scope-arguments.js";
import { defineTool } from "../tool-definition.js";

/** Default timeout, seconds (the range is core's `execTimeoutSeconds`). */
const DEFAULT_TIMEOUT_SECONDS = 60;
/** Default output captured per stream, bytes (the range is core's `execOutputBytes`). */
const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024;

/** Added to a refusal by the exec lists: how this server reads them. */
const MCP_EXEC_HINT =
  "coffer-mcp reads mcp.exec / exec from coffer.yaml and config.yaml, and --exec-allow, when it starts: ask the user to allow the command there and restart the server";

/**
 * Check the shape of the command argument (not whether it may run: the core's policy engine
 * decides that, and audits refusals). Models often pass a whole command line in `command`.
 * @throws CofferError INVALID_ARGUMENT for control characters or a command line with spaces
 */
function checkCommandShape(command: string): void {
  if (command.trim().length === 0 || /[\u0000-\u001f]/.test(command)) {
    throw new CofferError("INVALID_ARGUMENT", "command must be a program name or path (arguments go in args)", {
      field: "command",
    });
  }
  if (/\s/.test(command) && !command.includes("/")) {
    throw new CofferError(
      "INVALID_ARGUMENT",
      `command ${quoteName(command)} contains spaces: pass the program in command and its arguments in args (no shell is used)`,
      { field: "command" },
    );
  }
}

/** True for a refusal by the exec command lists: core sets `details.exec` (kind, program, launchers) on those only. */
function isExecListDenial(err: unknown): err is CofferError {
  return isCofferError(err, "PERMISSION_DENIED") && typeof err.details.exec === "object" && err.details.exec !== null;
}

/** `exec_with_secrets`: run an allowed command with secrets as env vars; masked output. */
export const execWithSecretsTool = defineTool({
  name: "exec_with_secrets",
  title: "Run a command with secrets injected",
  description:
    "[secrets] Run a program with secrets injected as environment variables (key 'openai/api_key' becomes OPENAI_API_KEY), so you can use a secret without ever seeing it. " +
    "No shell: pass the program in command and its arguments in args. Only commands the user allowed run: nothing runs until the user allows it in config (mcp.exec.allow / exec.allow) or with --exec-allow, and network tools such as curl, wget, nc, ssh, scp only when named explicitly. A refused command fails with PERMISSION_DENIED (audited) saying how the user can allow it; do not retry it with another program to get around the refusal. " +
    "Some secrets need a human's approval first: the call then fails with APPROVAL_REQUIRED and a request id; tell the user, and call again once approved (see approval_status). " +
    "Injects the named secrets, or every secret you may read when secrets is omitted. Audited as 'exec' with the command and purpose. Side effects: whatever the command does. " +
    "Returns the exit code and stdout/stderr with every injected value replaced by a mask, capped in size, killed after the timeout.",
  annotations: {
    title: "Run with secrets",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: true,
  },
  input: {
    command: z.string().min(1).describe("Program to run, looked up on PATH or given as a path. Example: 'npm'."),
    args: z
      .array(z.string())
      .default([])
      .describe("Arguments, passed as-is without shell parsing. Example: ['run', 'deploy']."),
    secrets: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe("Keys to inject. Omit to inject every secret you are allowed to read. Example: ['STRIPE_SECRET_KEY']."),
    tags: z.array(z.string().min(1)).optional().describe("Only inject secrets carrying all these tags."),
    ...readScopeFields,
    env: z.string().optional().describe("Env state to inject (e.g. 'prod'). Defaults to the detected environment."),
    purpose: z
      .string()
      .optional()
      .describe("Why the command needs the secrets, recorded in the audit log. Example: 'run the integration tests'."),
    timeoutSeconds: rangedInteger("execTimeoutSeconds")
      .default(DEFAULT_TIMEOUT_SECONDS)
      .describe(
        `Kill the command after this many seconds${rangeText("execTimeoutSeconds")}. Default ${DEFAULT_TIMEOUT_SECONDS}.`,
      ),
    maxOutputBytes: rangedInteger("execOutputBytes")
      .default(DEFAULT_MAX_OUTPUT_BYTES)
      .describe(`Output kept per stream (stdout, stderr); the rest is cut. Default ${DEFAULT_MAX_OUTPUT_BYTES}.`),
  },
  async run(args, { coffer, cwd }) {
    checkCommandShape(args.command);
    const options: InjectionOptions = { ...toScopeInput(args), command: args.command, args: args.args };
    if (args.secrets !== undefined) options.only = args.secrets;
    if (args.tags !== undefined) options.tags = args.tags;
    if (args.env !== undefined) options.env = args.env;
    if (args.purpose !== undefined) options.purpose = args.purpose;
    let injection: Awaited<ReturnType<typeof coffer.resolveForInjection>>;
    try {
      // The service asks the policy engine (exec lists, accessControl, approvals) and audits a refusal.
      injection = await coffer.resolveForInjection(options);
    } catch (err) {
      if (!isExecListDenial(err)) throw err;
      const hint = typeof err.details.hint === "string" ? `${err.details.hint}; ${MCP_EXEC_HINT}` : MCP_EXEC_HINT;
      throw new CofferError(err.code, err.message, { ...err.details, hint });
    }
    if (injection.missing.length > 0) {
      throw new CofferError(
        "NOT_FOUND",
        `secrets not found or not allowed: ${injection.missing.join(", ")}; the command was not run`,
        { names: injection.missing },
      );
    }
    const result = await execWithSecrets({
      command: args.command,
      args: args.args,
      vars: injection.vars,
      // Only secrets this agent may reveal are named in masks (the core decides which).
      names: injection.maskNames,
      redact: true,
      cwd,
      timeoutMs: args.timeoutSeconds * 1000,
      maxOutputBytes: args.maxOutputBytes,
    });
    const status = result.timedOut
      ? `timed out after ${args.timeoutSeconds} s (killed${result.signal ? ` by ${result.signal}` : ""})`
      : result.exitCode !== null
        ? `exit code ${result.exitCode}`
        : `killed by ${result.signal ?? "a signal"}`;
    const lines = [status];
    lines.push(
      injection.secrets.length === 0
        ? "injected: nothing"
        : `injected: ${injection.secrets.map((s) => (s.envVar === s.name ? s.name : `${s.name} as ${s.envVar}`)).join(", ")}`,
    );
    for (const collision of injection.collisions)
      lines.push(`not injected (same env var ${collision.envVar}): ${collision.names.join(", ")}`);
    lines.push("--- stdout ---", result.stdout.length > 0 ? result.stdout.replace(/\n$/, "") : "(empty)");
    lines.push("--- stderr ---", result.stderr.length > 0 ? result.stderr.replace(/\n$/, "") : "(empty)");
    if (result.truncated) lines.push(`(output cut at ${args.maxOutputBytes} bytes per stream)`);
    return lines.join("\n");
  },
});
