import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findExecutable, freePort, startProcess } from "../src/index.js";

const processModule = fileURLToPath(new URL("../src/process.ts", import.meta.url));

/** A node one-liner that serves HTTP on PORT and spawns a sleeping grandchild, printing its pid. */
const SERVER = `
const http = require("node:http");
const { spawn } = require("node:child_process");
const grandchild = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
console.log("grandchild " + grandchild.pid);
http.createServer((req, res) => res.end("ok")).listen(Number(process.env.PORT), "127.0.0.1");
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return (await response.text()) === "ok";
  } catch {
    return false;
  }
}

function grandchildPid(logs: string): number {
  const match = /grandchild (\d+)/.exec(logs);
  if (!match) throw new Error(`no grandchild pid in logs: ${logs}`);
  return Number(match[1]);
}

describe("freePort", () => {
  it("returns a port that can be bound on 127.0.0.1", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});

describe("startProcess", () => {
  it("waits for readiness, and stop() kills the whole process group", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const started = await startProcess({
      name: "test-server",
      command: process.execPath,
      args: ["-e", SERVER],
      env: { PORT: String(port) },
      readyCheck: () => answers(url),
      timeoutMs: 20_000,
    });
    expect(await answers(url)).toBe(true);
    const grandchild = grandchildPid(started.logs());
    expect(alive(grandchild)).toBe(true);
    await started.stop();
    await started.stop(); // idempotent
    expect(await answers(url)).toBe(false);
    expect(await gone(grandchild)).toBe(true);
    expect(alive(started.pid)).toBe(false);
  });

  it("rejects with the process output when it exits before being ready", async () => {
    await expect(
      startProcess({
        name: "doomed",
        command: process.execPath,
        args: ["-e", "console.error('boom: bad config'); process.exit(3)"],
        readyCheck: async () => false,
        timeoutMs: 20_000,
      }),
    ).rejects.toThrow(/doomed exited \(code 3\) before it was ready[\s\S]*boom: bad config/);
  });

  it("rejects and stops the process when it is not ready in time", async () => {
    let pid = 0;
    const error = await startProcess({
      name: "sleeper",
      command: process.execPath,
      args: ["-e", "console.log('pid ' + process.pid); setInterval(() => {}, 1000)"],
      readyCheck: async () => false,
      timeoutMs: 1_500,
    }).catch((err: Error) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/sleeper was not ready after 1500 ms/);
    const match = /pid (\d+)/.exec((error as Error).message);
    expect(match).not.toBeNull();
    pid = Number(match![1]);
    expect(await gone(pid)).toBe(true);
  });

  it("rejects when the command does not exist", async () => {
    await expect(
      startProcess({ command: "coffer-no-such-command-xyz", readyCheck: async () => false, timeoutMs: 10_000 }),
    ).rejects.toThrow(/exited \(code 127\)[\s\S]*cannot start coffer-no-such-command-xyz/);
  });

  it("kills the group when the owning process is killed with SIGKILL", async () => {
    const port = await freePort();
    const owner = `
      import { startProcess } from ${JSON.stringify(processModule)};
      const url = "http://127.0.0.1:${port}/";
      const p = await startProcess({
        command: process.execPath,
        args: ["-e", ${JSON.stringify(SERVER)}],
        env: { PORT: "${port}" },
        readyCheck: async () => { try { return (await (await fetch(url)).text()) === "ok"; } catch { return false; } },
        timeoutMs: 20000,
      });
      console.log("ready " + p.pid + " " + p.logs().trim());
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", owner], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const deadline = Date.now() + 20_000;
    while (!out.includes("ready") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/ready \d+/);
    const leader = Number(/ready (\d+)/.exec(out)![1]);
    const grandchild = grandchildPid(out);
    child.kill("SIGKILL");
    expect(await gone(leader)).toBe(true);
    expect(await gone(grandchild)).toBe(true);
    expect(await answers(`http://127.0.0.1:${port}/`)).toBe(false);
  });
});

describe("findExecutable", () => {
  it("finds node and not a missing command", () => {
    expect(findExecutable("node", `/nonexistent:${process.execPath.replace(/\/node$/, "")}`)).toBe(process.execPath);
    expect(findExecutable("coffer-no-such-command-xyz")).toBeUndefined();
  });
});
