// Holes of issue #15 reproduced through coffer-mcp with the real MCP client over stdio:
// entanglement as a way around reveal, write-only and allowedAgentIds (hole 1), a refused
// entangled write that still wrote (hole 2), and mask labels naming a protected secret (hole 5).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type OpenedCoffer, openCoffer } from "@coffer/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallRecord, type Connection, connectStdio, makeWorkspace, type Workspace } from "./mcp-harness.js";

const HUMAN = { id: "alice", kind: "user", frontEnd: "cli" } as const;
const PROD = "prod_SENTINEL_5ae1c0_policy_denied";
const PIN = "pin_SENTINEL_c7d2b9_write_only";
const TEAM = "team_SENTINEL_94f3e1_other_agents";
const ROTATED = "prod_SENTINEL_5ae1c0_second_value";
const SENTINELS = [PROD, PIN, TEAM, ROTATED];

let ws: Workspace;
let opened: OpenedCoffer;
let agent: Connection;
const calls: CallRecord[] = [];

async function call(tool: string, args: Record<string, unknown> = {}): Promise<CallRecord> {
  const record = await agent.call(tool, args);
  calls.push(record);
  return record;
}

beforeAll(async () => {
  ws = makeWorkspace();
  writeFileSync(
    join(ws.cwd, "coffer.yaml"),
    [
      "mcp:",
      "  exec:",
      `    allow: [${JSON.stringify(process.execPath)}, node]`,
      "accessControl:",
      "  rules:",
      "    - id: no-agent-reveal-prod",
      '      accessors: ["agent:*"]',
      '      names: ["prod/*"]',
      "      deny: [reveal]",
      "    - id: agent-writes-api-only",
      '      accessors: ["agent:*"]',
      '      names: ["locked/*"]',
      "      deny: [write, rotate]",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  opened = await openCoffer({
    cwd: ws.cwd,
    env: { COFFER_HOME: ws.home, HOME: ws.home, PATH: process.env.PATH ?? "" },
    accessor: HUMAN,
  });
  await opened.coffer.set("prod/db", PROD);
  await opened.coffer.set("pin/vault", PIN, { writeOnly: true });
  await opened.coffer.set("team/key", TEAM, { allowedAgentIds: ["other-agent"] });
  await opened.coffer.set("locked/pair", "locked_value_1234");
  agent = await connectStdio(ws, ["--agent-id", "claude"]);
});

afterAll(async () => {
  await agent?.close();
  await opened?.coffer.dispose();
  ws?.cleanup();
});

describe("hole 1: entanglement never carries a value to a caller who could not reveal it", () => {
  for (const [protectedKey, label] of [
    ["prod/db", "a policy rule denies reveal"],
    ["pin/vault", "the secret is write-only"],
    ["team/key", "the agent is not in allowedAgentIds"],
  ] as const) {
    it(`refuses to link ${protectedKey} (${label}) to the agent's own secret, and a later write does not reach it`, async () => {
      const own = `mine/${protectedKey.replace("/", "-")}`;
      expect((await call("set_secret", { key: own, value: "agent_own_value_0001" })).isError).toBe(false);
      const linked = await call("entangle_secrets", { keyA: protectedKey, keyB: own });
      expect(linked.isError).toBe(true);
      expect(linked.text).toMatch(/^PERMISSION_DENIED: /);
      // The human writes and rotates the protected secret afterwards.
      await opened.coffer.set(protectedKey, ROTATED, protectedKey === "pin/vault" ? { writeOnly: true } : {});
      await opened.coffer.rotate(protectedKey);
      const reveal = await call("get_secret", { key: own, reveal: true, purpose: "check my own value" });
      expect(reveal.isError).toBe(false);
      expect(reveal.text).toContain("agent_own_value_0001");
    });
  }

  it("breaks a link a human made once one side becomes write-only, and audits it", async () => {
    await opened.coffer.set("shared/a", "shared_value_aaaa");
    await opened.coffer.set("shared/b", "shared_value_aaaa");
    await opened.coffer.entangle("shared/a", "shared/b");
    // shared/b becomes write-only: its value must no longer flow into (readable) shared/a.
    const result = await opened.coffer.set("shared/b", PIN, { writeOnly: true });
    expect(result.entangled).toEqual([]);
    const a = await call("get_secret", { key: "shared/a", reveal: true, purpose: "read the readable side" });
    expect(a.text).toContain("shared_value_aaaa");
    const inspect = await opened.coffer.inspect("shared/a");
    expect(inspect.entangledWith).toEqual([]);
    const broken = await opened.coffer.audit({ name: "shared/b", action: "disentangle", limit: 5 });
    expect(broken[0]?.details).toMatchObject({ reason: "restriction-changed" });
  });
});

describe("hole 2: a refused entangled write changes nothing", () => {
  it("answers PERMISSION_DENIED and leaves both secrets as they were when the linked one may not be written", async () => {
    await opened.coffer.set("api/pair", "locked_value_1234");
    await opened.coffer.entangle("api/pair", "locked/pair");
    const before = await opened.coffer.get("api/pair");
    const write = await call("set_secret", { key: "api/pair", value: "agent_changed_value_9" });
    expect(write.isError).toBe(true);
    expect(write.text).toMatch(/^PERMISSION_DENIED: /);
    const after = await opened.coffer.get("api/pair", { reveal: true });
    expect(after.version).toBe(before.version);
    expect(after.value).toBe("locked_value_1234");
    expect((await opened.coffer.get("locked/pair", { reveal: true })).value).toBe("locked_value_1234");
  });
});

describe("hole 5: masked output never tells which protected secret a value equals", () => {
  it("labels a guess that equals a write-only value as the agent's own secret, never by the protected name", async () => {
    await opened.coffer.set("pin/short", PIN, { writeOnly: true });
    expect((await call("set_secret", { key: "zz/guess", value: PIN })).isError).toBe(false);
    expect((await call("set_secret", { key: "zz/wrong", value: "wrong_guess_value_1" })).isError).toBe(false);
    const run = await call("exec_with_secrets", {
      command: "node",
      args: [
        "-e",
        "process.stdout.write([process.env.PIN_SHORT, process.env.ZZ_GUESS, process.env.ZZ_WRONG].join(' '))",
      ],
      secrets: ["pin/short", "zz/guess", "zz/wrong"],
      purpose: "print",
    });
    expect(run.isError).toBe(false);
    // The matching guess and the protected value both read as the agent's own secret; nothing
    // names pin/short, so the output is the same as if pin/short held any other value.
    expect(run.text).toContain("[REDACTED:zz/guess] [REDACTED:zz/guess] [REDACTED:zz/wrong]");
    expect(run.text).not.toContain("REDACTED:pin/short");
  });

  it("never names a protected secret in masked output", async () => {
    const run = await call("exec_with_secrets", {
      command: "node",
      args: ["-e", "process.stdout.write(String(process.env.PIN_VAULT))"],
      secrets: ["pin/vault"],
      purpose: "print",
    });
    expect(run.isError).toBe(false);
    expect(run.text).toContain("--- stdout ---\n[REDACTED]\n");
    expect(run.text).not.toContain("REDACTED:pin/vault");
  });

  it("refuses to inject a protected value shorter than the masking minimum", async () => {
    await opened.coffer.set("pin/tiny", "123", { writeOnly: true });
    const run = await call("exec_with_secrets", {
      command: "node",
      args: ["-e", "process.stdout.write(String(process.env.PIN_TINY))"],
      secrets: ["pin/tiny"],
      purpose: "print",
    });
    expect(run.isError).toBe(true);
    expect(run.text).toMatch(/^INVALID_ARGUMENT: .*shorter than/);
    expect(run.text).not.toContain("123");
  });
});

describe("every call", () => {
  it("never showed a protected value", () => {
    for (const c of calls) for (const s of SENTINELS) expect(c.text).not.toContain(s);
  });
});
