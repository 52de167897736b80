import { CofferError, execWithSecrets, type InjectionOptions } from "@coffer/core";
import * as z from "zod";
import { assertCommandAllowed } from "../exec-policy.js";
import { readScopeFields, toScopeInput } from "../scope-arguments.js";
import { defineTool } from "../tool-definition.js";

/** Default and largest timeout, seconds. */
const DEFAULT_TIMEOUT_SECONDS = 60;
const MAX_TIMEOUT_SECONDS = 600;
/** Default and largest output captured per stream, bytes. */
const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024;
const MAX_OUTPUT_BYTES = 256 * 1024;

/** `exec_with_secrets`: run an allowed command with secrets as env vars; masked output. */
export const execWithSecretsTool = defineTool({
  name: "exec_with_secrets",
  title: "Run a command with secrets injected",
  description:
    "[secrets] Run a program with secrets injected as environment variables (key 'openai/api_key' becomes OPENAI_API_KEY), so you can use a secret without ever seeing it. " +
    "No shell: pass the program in command and its arguments in args. Only commands allowed by the server's exec policy run (nothing is allowed by default; network tools such as curl, wget, nc, ssh, scp only when named explicitly); a refused command says how the user can allow it. " +
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
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(MAX_TIMEOUT_SECONDS)
      .default(DEFAULT_TIMEOUT_SECONDS)
      .describe(
        `Kill the command after this many seconds. Default ${DEFAULT_TIMEOUT_SECONDS}, at most ${MAX_TIMEOUT_SECONDS}.`,
      ),
    maxOutputBytes: z
      .number()
      .int()
      .min(256)
      .max(MAX_OUTPUT_BYTES)
      .default(DEFAULT_MAX_OUTPUT_BYTES)
      .describe(`Output kept per stream (stdout, stderr); the rest is cut. Default ${DEFAULT_MAX_OUTPUT_BYTES}.`),
  },
  async run(args, { coffer, cwd, exec }) {
    assertCommandAllowed(exec, args.command);
    const options: InjectionOptions = { ...toScopeInput(args), command: args.command };
    if (args.secrets !== undefined) options.only = args.secrets;
    if (args.tags !== undefined) options.tags = args.tags;
    if (args.env !== undefined) options.env = args.env;
    if (args.purpose !== undefined) options.purpose = args.purpose;
    const injection = await coffer.resolveForInjection(options);
    if (injection.missing.length > 0) {
      throw new CofferError(
        "NOT_FOUND",
        `secrets not found or not allowed: ${injection.missing.join(", ")}; the command was not run`,
        { names: injection.missing },
      );
    }
    if (injection.collisions.length > 0 && args.secrets !== undefined) {
      const text = injection.collisions.map((c) => `${c.names.join(" and ")} both map to ${c.envVar}`).join("; ");
      throw new CofferError("CONFLICT", `${text}; the command was not run`, { field: "secrets" });
    }
    const names: Record<string, string> = {};
    for (const secret of injection.secrets) names[secret.envVar] = secret.name;
    const result = await execWithSecrets({
      command: args.command,
      args: args.args,
      vars: injection.vars,
      names,
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
