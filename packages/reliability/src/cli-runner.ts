import { FRONT_END_BINS } from "./front-end-bins.js";
import type { Workspace } from "./temp-workspace.js";
import { runTracked } from "./tracked-process.js";
import type { Transcript } from "./transcript.js";

/** What one `coffer` invocation did. */
export interface CliResult {
  /** Exit code (null when killed). */
  code: number | null;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
  /** The `--json` envelope, when the output parsed as one. */
  json?: { ok: boolean; data?: unknown; error?: { code: string; message: string } };
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Text for stdin (a value for `set`, a file for `import -`). */
  input?: string | Buffer;
  /** Record the output here for leak scans. */
  transcript?: Transcript;
  /** Mark the output as an explicit reveal (excluded from leak scans). */
  reveal?: boolean;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Kill after this long. @default 60000 */
  timeoutMs?: number;
}

/** Run the built `coffer` bin in a workspace (never a secret in `args`: values go through `input`). */
export async function runCli(ws: Workspace, args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const r = await runTracked([FRONT_END_BINS.cli, ...args], {
    cwd: ws.project,
    env: ws.env(options.env),
    ...(options.input !== undefined ? { input: options.input } : {}),
    label: `coffer ${args[0] ?? ""}`,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  const result: CliResult = { code: r.code, stdout: r.stdout, stderr: r.stderr };
  if (args.includes("--json")) {
    try {
      result.json = JSON.parse(r.stdout) as CliResult["json"];
    } catch {
      // not an envelope: left undefined, the caller's assertion says so
    }
  }
  options.transcript?.add(`cli ${args.join(" ")} (stdout)`, r.stdout, options.reveal);
  options.transcript?.add(`cli ${args.join(" ")} (stderr)`, r.stderr);
  return result;
}

/**
 * The `data` of a successful `--json` envelope.
 * @throws Error quoting the output when the command failed or printed no envelope
 */
export function envelopeData<T>(result: CliResult): T {
  if (result.json?.ok !== true || result.json.data === undefined) {
    throw new Error(`expected a successful --json envelope (exit ${result.code}):\n${result.stdout}${result.stderr}`);
  }
  return result.json.data as T;
}
