import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCoffer } from "@coffer/core";
import { local } from "@coffer/provider-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliWorld, createWorld, envelope } from "./cli-harness.js";

/** Open the store of `w` in this process, as a library would, read `name` and verify the audit chain. */
async function readWithLibrary(w: CliWorld, name: string) {
  const coffer = createCoffer({ providers: [local({ home: w.home })], cwd: w.cwd, projectRoot: w.cwd, env: {} });
  try {
    const { value } = await coffer.get(name, { reveal: true });
    const verified = await coffer.verifyAudit();
    return { value, verified };
  } finally {
    await coffer.dispose();
  }
}

describe("the store after a command exits", () => {
  let w: CliWorld;
  beforeAll(() => {
    w = createWorld();
  });
  afterAll(() => w.cleanup());

  it("keeps every commit in a private WAL that the next command and a library open read", async () => {
    expect((await w.run(["set", "DATABASE_URL"], { input: "postgres://exit-test" })).code).toBe(0);
    for (let i = 0; i < 3; i++) expect((await w.run(["get", "DATABASE_URL"])).code).toBe(0);
    const run = await w.run(["run", "--", "sh", "-c", 'test -n "$DATABASE_URL"']);
    expect(run.code, run.stderr).toBe(0);

    // The command exits without the close-time checkpoint: the WAL stays, owner-only like the store.
    for (const file of ["store.db", "store.db-wal", "store.db-shm"]) {
      expect(statSync(join(w.home, file)).mode & 0o777, file).toBe(0o600);
    }
    const audit = envelope<{ entries: Array<{ action: string; name?: string }> }>(
      await w.run(["audit", "--json", "--limit", "100"]),
    );
    const actions = audit.data.entries.map((e) => e.action);
    expect(actions.filter((a) => a === "read")).toHaveLength(3);
    expect(actions).toContain("exec");
    expect(actions).toContain("write");

    const opened = await readWithLibrary(w, "DATABASE_URL");
    expect(opened.value).toBe("postgres://exit-test");
    expect(opened.verified.ok).toBe(true);
    expect((await w.run(["audit", "--verify"])).code).toBe(0);
  });

  it("checkpoints and removes a WAL grown past 1 MiB when the command ends", async () => {
    // About 1.5 MiB of values in one import: the WAL is larger than the CLI leaves behind.
    const lines = Array.from({ length: 24 }, (_, i) => `BIG_${i}=${"v".repeat(60_000)}${i}`);
    writeFileSync(join(w.cwd, "big.env"), `${lines.join("\n")}\n`, { mode: 0o600 });
    const imported = await w.run(["import", "big.env"]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(existsSync(join(w.home, "store.db-wal"))).toBe(false);

    const read = await w.run(["get", "BIG_7", "--plain"]);
    expect(read.stdout).toBe(`${"v".repeat(60_000)}7\n`);
    expect(existsSync(join(w.home, "store.db-wal"))).toBe(true);
    expect((await readWithLibrary(w, "BIG_23")).value).toBe(`${"v".repeat(60_000)}23`);
  });
});

describe("the bin's code cache", () => {
  let w: CliWorld;
  beforeAll(() => {
    w = createWorld();
  });
  afterAll(() => w.cleanup());

  const cacheDir = () => join(w.env.HOME as string, ".cache", "coffer");
  const cacheFile = () => {
    const files = readdirSync(cacheDir()).filter((f) => f.endsWith(".cache"));
    expect(files).toHaveLength(1);
    return join(cacheDir(), files[0]!);
  };
  const commandsOf = (file: string) => {
    const bytes = readFileSync(file);
    return JSON.parse(bytes.toString("utf8", 4, 4 + bytes.readUInt32LE(0))).commands as string[];
  };

  it("is private, and records each command once", async () => {
    expect((await w.run(["set", "API_TOKEN"], { input: "tok-cache-test" })).code).toBe(0);
    expect(statSync(cacheDir()).mode & 0o777).toBe(0o700);
    expect(statSync(cacheFile()).mode & 0o777).toBe(0o600);
    expect(commandsOf(cacheFile())).toEqual(["set"]);
    expect((await w.run(["get", "API_TOKEN", "--plain"])).stdout).toBe("tok-cache-test\n");
    expect((await w.run(["get", "API_TOKEN", "--plain"])).stdout).toBe("tok-cache-test\n");
    expect(commandsOf(cacheFile())).toEqual(["set", "get"]);
    expect(readFileSync(cacheFile()).includes(Buffer.from("tok-cache-test"))).toBe(false);
  });

  it("replaces a damaged cache, and ignores a directory others may write to", async () => {
    writeFileSync(cacheFile(), Buffer.from("not a code cache at all"));
    expect((await w.run(["get", "API_TOKEN", "--plain"])).stdout).toBe("tok-cache-test\n");
    expect(commandsOf(cacheFile())).toEqual(["get"]);

    chmodSync(cacheDir(), 0o777);
    const before = readFileSync(cacheFile());
    expect((await w.run(["list", "--json"])).code).toBe(0);
    expect(readFileSync(cacheFile()).equals(before)).toBe(true);
    chmodSync(cacheDir(), 0o700);
  });
});
