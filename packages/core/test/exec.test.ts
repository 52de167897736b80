import { readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { CofferError } from "../src/errors/index.js";
import { buildChildEnvironment, execWithSecrets, isCofferCredentialVar, shellExitStatus } from "../src/exec/index.js";

const node = process.execPath;
const SECRET = "sk_live_4f9a8b7c6d5e4f3a2b1c";

/** Run a node script as the child with SECRET injected as API_KEY. */
function runScript(script: string, extra: Partial<Parameters<typeof execWithSecrets>[0]> = {}) {
  return execWithSecrets({
    command: node,
    args: ["-e", script],
    vars: { API_KEY: SECRET },
    names: { API_KEY: "api-key-stripe" },
    ...extra,
  });
}

/** True while a process exists and is not a zombie (an unreaped dead process). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** A writable that records what arrives and when. */
function recorder() {
  const stream = new PassThrough();
  const chunks: Array<{ at: number; text: string }> = [];
  stream.on("data", (c: Buffer) => chunks.push({ at: Date.now(), text: c.toString("utf8") }));
  return { stream, chunks, text: () => chunks.map((c) => c.text).join("") };
}

describe("execWithSecrets", () => {
  it("injects the value into the child's environment and masks it in captured output", async () => {
    const result = await runScript(
      "console.log('key=' + process.env.API_KEY); console.error('err ' + process.env.API_KEY)",
    );
    expect(result.exitCode).toBe(0);
    expect(result.signal).toBeNull();
    expect(result.stdout).toBe("key=[REDACTED:api-key-stripe]\n");
    expect(result.stderr).toBe("err [REDACTED:api-key-stripe]\n");
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(result.truncated).toBe(false);
    expect(result.timedOut).toBe(false);
  });

  it("masks a value the child prints in two writes with a delay between them", async () => {
    const half = SECRET.length / 2;
    const out = recorder();
    const script = `
      process.stdout.write('before ' + process.env.API_KEY.slice(0, ${half}));
      setTimeout(() => process.stdout.write(process.env.API_KEY.slice(${half}) + ' after\\n'), 300);`;
    const result = await runScript(script, { stdout: out.stream });
    expect(result.exitCode).toBe(0);
    expect(out.text()).toBe("before [REDACTED:api-key-stripe] after\n");
    // The text before the value was released at once, not held until the end.
    expect(out.chunks[0]!.text).toBe("before ");
    expect(out.chunks.map((c) => c.text).join("|")).not.toContain(SECRET.slice(0, half));
    expect(result.stdout).toBe("");
  });

  it("forwards lines promptly while the child is still running", async () => {
    const out = recorder();
    const started = Date.now();
    const script = "console.log('first'); setTimeout(() => console.log('second ' + process.env.API_KEY), 500)";
    await runScript(script, { stdout: out.stream });
    expect(out.chunks[0]!.text).toBe("first\n");
    expect(out.chunks[0]!.at - started).toBeLessThan(out.chunks.at(-1)!.at - started);
    expect(out.chunks.at(-1)!.at - out.chunks[0]!.at).toBeGreaterThanOrEqual(400);
    expect(out.text()).toBe("first\nsecond [REDACTED:api-key-stripe]\n");
  });

  it("passes the exit code through", async () => {
    const result = await runScript("process.exit(3)");
    expect(result.exitCode).toBe(3);
    expect(shellExitStatus(result)).toBe(3);
  });

  it("reports a signal death and maps it to 128 + signal number", async () => {
    const result = await runScript("process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 5000)");
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe("SIGTERM");
    expect(shellExitStatus(result)).toBe(143);
  });

  it("leaves output unmasked with redact: false", async () => {
    const result = await runScript("console.log(process.env.API_KEY)", { redact: false });
    expect(result.stdout).toBe(`${SECRET}\n`);
  });

  it("keeps non-UTF-8 bytes intact while masking", async () => {
    const out = new PassThrough();
    const bytes: Buffer[] = [];
    out.on("data", (c: Buffer) => bytes.push(c));
    await runScript(
      "process.stdout.write(Buffer.from([0xff, 0x00, 0xfe])); process.stdout.write(process.env.API_KEY)",
      {
        stdout: out,
      },
    );
    expect(Buffer.concat(bytes)).toEqual(
      Buffer.concat([Buffer.from([0xff, 0x00, 0xfe]), Buffer.from("[REDACTED:api-key-stripe]")]),
    );
  });

  it("masks a non-ASCII value split inside a multi-byte character", async () => {
    const value = "pässwörd-ünïcode";
    const script = `
      const b = Buffer.from(process.env.V, 'utf8');
      process.stdout.write(b.subarray(0, 2));
      setTimeout(() => process.stdout.write(b.subarray(2)), 100);`;
    const result = await execWithSecrets({ command: node, args: ["-e", script], vars: { V: value } });
    expect(result.stdout).toBe("[REDACTED:V]");
  });

  it("strips Coffer's credentials from the child's environment and keeps the rest", async () => {
    const baseEnv = {
      PATH: process.env.PATH,
      COFFER_MASTER_KEY: "master-key-material",
      COFFER_EXPORT_PASSPHRASE: "bundle-passphrase",
      COFFER_ADMIN_TOKEN: "cfr_token",
      COFFER_HOME: "/tmp/coffer-home",
      COFFER_ENV: "prod",
      KEEP_ME: "yes",
    };
    const script =
      "console.log(JSON.stringify(Object.keys(process.env).filter(k => k.startsWith('COFFER_') || k === 'KEEP_ME' || k === 'API_KEY').sort()))";
    const result = await runScript(script, { baseEnv });
    expect(JSON.parse(result.stdout)).toEqual(["API_KEY", "COFFER_ENV", "COFFER_HOME", "KEEP_ME"]);
  });

  it("classifies credential variables", () => {
    expect(isCofferCredentialVar("COFFER_MASTER_KEY")).toBe(true);
    expect(isCofferCredentialVar("coffer_master_key")).toBe(true);
    expect(isCofferCredentialVar("COFFER_SERVER_TOKEN")).toBe(true);
    expect(isCofferCredentialVar("COFFER_AUDIT_KEY")).toBe(true);
    expect(isCofferCredentialVar("COFFER_ENV")).toBe(false);
    expect(isCofferCredentialVar("COFFER_HOME")).toBe(false);
    expect(isCofferCredentialVar("MASTER_KEY")).toBe(false);
    expect(buildChildEnvironment({ COFFER_TOKEN: "x", A: "1" }, { B: "2" })).toEqual({ A: "1", B: "2" });
  });

  it("never passes values through argv or a shell", async () => {
    // Shell metacharacters in an argument reach the child literally.
    const result = await execWithSecrets({
      command: node,
      args: ["-e", "console.log(JSON.stringify(process.argv.slice(1)))", "$API_KEY", "; echo hi"],
      vars: { API_KEY: SECRET },
    });
    expect(JSON.parse(result.stdout)).toEqual(["$API_KEY", "; echo hi"]);
  });

  it("kills the whole process group on timeout", async () => {
    // The child starts a grandchild that would outlive it; both must die.
    const script = `
      const { spawn } = require('node:child_process');
      const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log('grandchild ' + g.pid);
      setInterval(() => {}, 1000);`;
    const started = Date.now();
    // Long enough for a loaded machine to start the child and print the grandchild's pid.
    const result = await runScript(script, { timeoutMs: 3000 });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe("SIGTERM");
    expect(Date.now() - started).toBeLessThan(15000);
    const pid = Number(/grandchild (\d+)/.exec(result.stdout)?.[1]);
    expect(pid).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(isRunning(pid)).toBe(false);
  });

  it("delivers all output to a slow reader, pausing the child instead of buffering", async () => {
    const { Writable } = await import("node:stream");
    let received = 0;
    let maxPending = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        received += chunk.length;
        maxPending = Math.max(maxPending, slow.writableLength);
        setTimeout(done, 1);
      },
    });
    const result = await runScript("process.stdout.write('y'.repeat(2 * 1024 * 1024))", { stdout: slow });
    expect(result.exitCode).toBe(0);
    await new Promise((r) => (slow.writableLength === 0 ? r(undefined) : slow.once("drain", r)));
    expect(received).toBe(2 * 1024 * 1024);
    // Never more than a few pipe buffers queued in memory.
    expect(maxPending).toBeLessThan(512 * 1024);
  });

  it("truncates captured output at maxOutputBytes", async () => {
    const result = await runScript("process.stdout.write('x'.repeat(5000))", { maxOutputBytes: 1000 });
    expect(result.stdout).toBe("x".repeat(1000));
    expect(result.truncated).toBe(true);
  });

  it("fails with NOT_FOUND for a missing command, naming no value", async () => {
    const err = await execWithSecrets({ command: "coffer-no-such-command", args: [], vars: { A: SECRET } }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(CofferError);
    expect(err.code).toBe("NOT_FOUND");
    expect(err.details.exitCode).toBe(127);
    expect(err.message).not.toContain(SECRET);
  });

  it("rejects an empty command", async () => {
    await expect(execWithSecrets({ command: "", args: [], vars: {} })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});
