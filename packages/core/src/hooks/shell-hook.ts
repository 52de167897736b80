import { isAbsolute, resolve } from "node:path";
import { buildChildEnvironment } from "../exec/child-environment.js";
import type { Hook, HookPayload, HookVeto } from "./hook.js";
import type { ShellHookDefinition } from "./hook-definition.js";
import { hookFailure, printableHookText } from "./hook-failure.js";
import { hookMatchOf } from "./hook-match.js";

/** Options of {@link shellHook} besides the definition. */
export interface ShellHookContext {
  /** Directory relative `cwd` values (and the default cwd) resolve against. @default process.cwd() */
  baseDir?: string;
  /** Environment the hook inherits (Coffer credentials removed). @default process.env */
  env?: NodeJS.ProcessEnv;
}

const MAX_OUTPUT_BYTES = 8192;

/** Last non-empty line of a hook's output, printable and bounded: the veto reason or failure text. */
function lastLine(text: string): string {
  const line = text.split(/\r?\n/).findLast((l) => printableHookText(l) !== "");
  return line === undefined ? "" : printableHookText(line);
}

/**
 * A hook that runs a program without a shell (`command` is the program and its arguments), with
 * the payload as one line of JSON on stdin -- never the value, and never Coffer's credentials
 * in its environment. Exit 0 is success. A non-zero exit of a before-hook vetoes the operation
 * (the reason is the last line it printed to stderr, else stdout); of an after-hook it is a
 * failure. Timeouts kill the process and count as failures.
 */
export function shellHook(def: ShellHookDefinition, context: ShellHookContext = {}): Hook {
  const baseDir = context.baseDir ?? process.cwd();
  const cwd = def.cwd === undefined ? baseDir : isAbsolute(def.cwd) ? def.cwd : resolve(baseDir, def.cwd);
  const label = `shell hook ${def.id}`;
  const fail = (message: string, cause?: unknown) => hookFailure(def.id, label, message, "UNAVAILABLE", cause);

  return {
    id: def.id,
    phase: def.phase,
    match: hookMatchOf(def),
    // biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing lets the operation proceed
    async run(payload: HookPayload): Promise<void | HookVeto> {
      const env = buildChildEnvironment(context.env ?? process.env, {
        ...(def.env ?? {}),
        COFFER_HOOK_ID: def.id,
        COFFER_HOOK_EVENT: payload.event,
        COFFER_HOOK_PHASE: payload.phase,
      });
      const { spawn } = await import("node:child_process");
      return new Promise((resolvePromise, reject) => {
        let settled = false;
        const settle = (fn: () => void) => {
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            fn();
          }
        };
        let child: import("node:child_process").ChildProcess;
        try {
          child = spawn(def.command[0]!, def.command.slice(1), {
            cwd,
            env,
            shell: false,
            stdio: ["pipe", "pipe", "pipe"],
            windowsHide: true,
          });
        } catch (err) {
          reject(fail(`could not start: ${(err as NodeJS.ErrnoException).code ?? "error"}`, err));
          return;
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let outSize = 0;
        let errSize = 0;
        child.stdout!.on("data", (c: Buffer) => {
          if (outSize < MAX_OUTPUT_BYTES) out.push(c);
          outSize += c.length;
        });
        child.stderr!.on("data", (c: Buffer) => {
          if (errSize < MAX_OUTPUT_BYTES) errOut.push(c);
          errSize += c.length;
        });
        child.stdin!.on("error", () => {
          // a hook that exits without reading its stdin is judged by its exit code
        });
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          settle(() => reject(fail(`timed out after ${def.timeoutSeconds}s and was stopped`)));
        }, def.timeoutSeconds * 1000);
        child.on("error", (err: NodeJS.ErrnoException) =>
          settle(() => reject(fail(`could not start ${JSON.stringify(def.command[0])}: ${err.code ?? "error"}`, err))),
        );
        child.on("close", (code, signal) => {
          settle(() => {
            if (code === 0) return resolvePromise();
            const said =
              lastLine(Buffer.concat(errOut).toString("utf8")) || lastLine(Buffer.concat(out).toString("utf8"));
            const status = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
            if (def.phase === "before" && code !== null) return resolvePromise({ veto: said || `${label} ${status}` });
            reject(fail(`${status}${said ? `: ${said}` : ""}`));
          });
        });
        child.stdin!.end(`${JSON.stringify(payload)}\n`);
      });
    },
  };
}
