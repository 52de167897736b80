import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliWorld, COFFER_BIN, createWorld } from "./cli-harness.js";

const TOKEN = "ghp_wrapTokenValue0123456789abcdefABCDEF";

/** A stdio server: answers each request line with one JSON line about its environment. */
const SERVER = `
const { createHash } = require("node:crypto");
let buffered = "";
process.stdin.on("data", (c) => {
  buffered += c;
  let nl;
  while ((nl = buffered.indexOf("\\n")) >= 0) {
    const req = JSON.parse(buffered.slice(0, nl));
    buffered = buffered.slice(nl + 1);
    const t = process.env.GITHUB_TOKEN ?? "";
    process.stdout.write(JSON.stringify({ id: req.id, echo: t, sha: createHash("sha256").update(t).digest("hex"), plain: process.env.PLAIN, master: process.env.COFFER_MASTER_KEY ?? null }) + "\\n");
  }
});`;

describe("coffer mcp wrap", () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = createWorld({ COFFER_MASTER_KEY: randomBytes(32).toString("hex") });
    await w.run(["set", "GH_TOKEN"], { input: TOKEN });
  });
  afterAll(() => w.cleanup());

  it("gives the server the value of each reference in its environment, masks it in what the server writes, streams both ways", async () => {
    const child = spawn(process.execPath, [COFFER_BIN, "mcp", "wrap", "--", process.execPath, "-e", SERVER], {
      cwd: w.cwd,
      env: { ...w.env, GITHUB_TOKEN: "coffer://GH_TOKEN", PLAIN: "as-is" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    const lines: string[] = [];
    const nextLine = () =>
      new Promise<string>((resolve) => {
        const check = () => {
          const nl = out.indexOf("\n");
          if (nl >= 0) {
            const line = out.slice(0, nl);
            out = out.slice(nl + 1);
            resolve(line);
          } else
            child.stdout.once("data", (c: Buffer) => {
              out += c.toString();
              check();
            });
        };
        check();
      });
    child.stdin.write(`${JSON.stringify({ id: 1 })}\n`);
    const first = JSON.parse(await nextLine());
    lines.push(JSON.stringify(first));
    // The answer came while stdin is still open: the wrapper streams (as MCP needs).
    expect(first).toEqual({
      id: 1,
      echo: "[REDACTED:GH_TOKEN]",
      sha: createHash("sha256").update(TOKEN).digest("hex"),
      plain: "as-is",
      master: null,
    });
    child.stdin.write(`${JSON.stringify({ id: 2 })}\n`);
    expect(JSON.parse(await nextLine()).id).toBe(2);
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(lines.join("")).not.toContain(TOKEN);
  });

  it("fails before starting the server when a reference cannot be resolved", async () => {
    const r = await w.run(["mcp", "wrap", "--", process.execPath, "-e", "console.log('started')"], {
      env: { GITHUB_TOKEN: "coffer://NOT_STORED" },
    });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("coffer://NOT_STORED");
    const bad = await w.run(["mcp", "wrap", "--", "true"], { env: { X: "coffer://bad name" } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("environment variable X");
  });
});
