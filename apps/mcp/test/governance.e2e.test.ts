// Governance through coffer-mcp: the core's policy engine decides (accessControl and exec lists
// from config and --exec-allow, approvals), refusals are audited, hooks are people-only, and the
// expiry agent runs once per agent_scan. The real MCP client over stdio against the built bin.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type OpenedCoffer, openCoffer } from "@coffer/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallRecord, type Connection, connectStdio, makeWorkspace, type Workspace } from "./mcp-harness.js";

const PROD_VALUE = "prod_SENTINEL_d41c9e_never_revealed";
const APP_VALUE = "app_SENTINEL_7b22f0_after_approval";
const ROTATING_VALUE = "rotating_SENTINEL_0c83aa_first";
const LITERAL_HOOK_SECRET = "literal-signing-secret-6f1e2d9c";
const HUMAN = { id: "alice", kind: "user", frontEnd: "cli" } as const;

let ws: Workspace;
let hookOut: string;
let opened: OpenedCoffer;
let claude: Connection;
let rotatingSetAt = 0;
const calls: CallRecord[] = [];
const allowedReveals = new Set<CallRecord>();

function projectConfig(out: string): string {
  const script = "require('fs').appendFileSync(process.env.OUT, require('fs').readFileSync(0, 'utf8') + '\\n')";
  return [
    "mcp:",
    "  exec:",
    "    allow: [node]",
    "accessControl:",
    "  rules:",
    "    - id: no-agent-reveal-prod",
    '      accessors: ["agent:*"]',
    '      names: ["prod/*"]',
    "      deny: [reveal]",
    "approvals:",
    "  tags:",
    "    production: [reveal, exec]",
    "hooks:",
    "  - id: record-expiry",
    "    type: shell",
    "    events: [expire]",
    `    command: ${JSON.stringify([process.execPath, "-e", script])}`,
    `    env: { OUT: ${JSON.stringify(out)} }`,
    "",
  ].join("\n");
}

async function call(conn: Connection, tool: string, args: Record<string, unknown> = {}): Promise<CallRecord> {
  const record = await conn.call(tool, args);
  calls.push(record);
  return record;
}

beforeAll(async () => {
  ws = makeWorkspace();
  hookOut = join(dirname(ws.cwd), "hook-payloads.jsonl");
  writeFileSync(join(ws.cwd, "coffer.yaml"), projectConfig(hookOut), { mode: 0o600 });
  opened = await openCoffer({
    cwd: ws.cwd,
    env: { COFFER_HOME: ws.home, HOME: ws.home, PATH: process.env.PATH ?? "" },
    accessor: HUMAN,
  });
  await opened.coffer.set("prod/db", PROD_VALUE);
  await opened.coffer.set("app/key", APP_VALUE, { tags: ["production"] });
  await opened.coffer.set("rotating/token", ROTATING_VALUE, { ttlSeconds: 1, rotationFormat: "token" });
  rotatingSetAt = Date.now();
  claude = await connectStdio(ws, ["--agent-id", "claude"]);
});

afterAll(async () => {
  await claude?.close();
  await opened?.coffer.dispose();
  ws?.cleanup();
});

describe("governance tools", () => {
  it("are listed with truthful annotations and are not in the core set", async () => {
    const { tools } = await claude.client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.get("list_hooks")?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(byName.get("approval_status")?.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true });
    expect(byName.get("register_hook")?.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
    expect(byName.get("remove_hook")?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get("agent_scan")?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      openWorldHint: true,
    });
    expect(byName.get("register_hook")?.description).toContain("ALWAYS fails with PERMISSION_DENIED");
    expect(byName.get("approval_status")?.description).toContain("You cannot approve requests");
    expect(tools.some((t) => /approve|grant/.test(t.name))).toBe(false);
  });
});

describe("accessControl from coffer.yaml", () => {
  it("lets the agent read metadata but refuses the reveal the project denies, and audits the rule", async () => {
    const masked = await call(claude, "get_secret", { key: "prod/db" });
    expect(masked.isError).toBe(false);
    expect(masked.text).toContain("value (masked): ");
    const reveal = await call(claude, "get_secret", { key: "prod/db", reveal: true, purpose: "debug the database" });
    expect(reveal.isError).toBe(true);
    expect(reveal.text).toBe(
      'PERMISSION_DENIED: reveal of secret "prod/db" denied: rule project:rule:no-agent-reveal-prod denies reveal to agent "claude"',
    );
    const audit = await call(claude, "audit_log", { key: "prod/db", action: "policy-deny", limit: 1 });
    expect(audit.text).toContain("claude (mcp) policy-deny [global] prod/db FAILED PERMISSION_DENIED");
    expect(audit.text).toContain('"rule":"project:rule:no-agent-reveal-prod"');
    const failed = await call(claude, "audit_log", { key: "prod/db", action: "reveal", failedOnly: true, limit: 1 });
    expect(failed.text).toContain('FAILED PERMISSION_DENIED purpose="debug the database"');
  });
});

describe("approvals", () => {
  it("files a request, says who must approve it, shows its status, and reveals only after a human approved", async () => {
    const first = await call(claude, "get_secret", { key: "app/key", reveal: true, purpose: "configure the client" });
    expect(first.isError).toBe(true);
    const id = /request (apr_[A-Za-z0-9_-]{12})/.exec(first.text)?.[1];
    expect(id).toBeDefined();
    expect(first.text).toMatch(/^APPROVAL_REQUIRED: reveal of secret "app\/key" needs approval: /);
    expect(first.text).toContain(`\nrequest ${id}; a human must run: coffer approve ${id}\n`);
    expect(first.text).toContain("You cannot approve it yourself.");

    const again = await call(claude, "get_secret", { key: "app/key", reveal: true, purpose: "configure the client" });
    expect(again.text).toContain(`request ${id};`);
    const pending = await call(claude, "approval_status", {});
    expect(pending.text).toMatch(/^1 approval request of agent claude, newest first:\n/);
    expect(pending.text).toContain(`${id} pending: reveal of [global] app/key`);
    expect(pending.text).toContain("rule project:approvals.tags.production");

    const intruder = await connectStdio(ws, ["--agent-id", "intruder"]);
    try {
      const foreign = await call(intruder, "approval_status", { id });
      expect(foreign.text).toBe(`NOT_FOUND: approval request ${id} not found among your requests`);
      expect((await call(intruder, "approval_status", {})).text).toBe("no approval requests of agent intruder");
    } finally {
      await intruder.close();
    }

    await opened.approvals?.approve(id as string, { approver: HUMAN, forSeconds: 600 });
    const approved = await call(claude, "approval_status", { id });
    expect(approved.text).toMatch(
      new RegExp(`^${id} approved: reveal of \\[global\\] app/key .*approved by alice until`),
    );
    const reveal = await call(claude, "get_secret", { key: "app/key", reveal: true, purpose: "configure the client" });
    allowedReveals.add(reveal);
    expect(reveal.isError).toBe(false);
    expect(reveal.text).toContain(`value: ${APP_VALUE}`);

    // The approval covers that reveal only: running a command with the secret needs its own.
    const exec = await call(claude, "exec_with_secrets", {
      command: "node",
      args: ["-e", "process.stdout.write('ran')"],
      secrets: ["app/key"],
    });
    expect(exec.text).toMatch(/^APPROVAL_REQUIRED: exec of secret "app\/key" needs approval: /);
    expect(exec.text).not.toContain("--- stdout ---");
    const statuses = await call(claude, "approval_status", { status: "pending" });
    expect(statuses.text).toMatch(/pending: exec of \[global\] app\/key with command "node"/);
  });
});

describe("hooks", () => {
  it("lists config and registered hooks, and refuses agents that try to register or remove one", async () => {
    const registered = await opened.hooks?.add(
      {
        id: "human-hook",
        type: "shell",
        events: ["delete"],
        names: ["never/*"],
        command: [process.execPath, "-e", "0"],
      },
      { by: HUMAN },
    );
    expect(registered?.id).toBe("human-hook");
    const listed = await call(claude, "list_hooks", {});
    expect(listed.text).toMatch(/^2 hooks:\n/);
    expect(listed.text).toContain("record-expiry (config, shell, after) | events expire | runs ");
    expect(listed.text).toMatch(/human-hook \(registry, shell, after\) .*names never\/\* .*registered by alice/);

    const attempt = await call(claude, "register_hook", {
      id: "exfiltrate",
      type: "webhook",
      events: ["write"],
      url: "https://hooks.example.com/coffer",
      secret: LITERAL_HOOK_SECRET,
    });
    expect(attempt.isError).toBe(true);
    expect(attempt.text).toMatch(
      /^PERMISSION_DENIED: only a person at the CLI may register hooks .*agent "claude" may not; nothing was registered\n/,
    );
    expect(attempt.text).toContain("hint: ask the user to register it (coffer hook add) or to add it to coffer.yaml");
    expect(attempt.text).toContain('"id":"exfiltrate"');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config placeholder, literally
    expect(attempt.text).toContain('"secret":"${env:COFFER_WEBHOOK_SECRET}"');
    expect(attempt.text).not.toContain(LITERAL_HOOK_SECRET);

    for (const id of ["human-hook", "record-expiry"]) {
      const removal = await call(claude, "remove_hook", { id });
      expect(removal.text).toMatch(
        /^PERMISSION_DENIED: only a person at the CLI may remove hooks .*nothing was removed/,
      );
      expect(removal.text).toContain(`hint: ask the user to remove it: coffer hook remove ${id}`);
    }
    const after = await call(claude, "list_hooks", {});
    expect(after.text).toMatch(/^2 hooks:\n/);
    expect(after.text).not.toContain("exfiltrate");
  });
});

describe("agent_scan", () => {
  it("reports expired secrets and fires expire hooks, then rotates them with autoRotate", async () => {
    const wait = rotatingSetAt + 1200 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const scan = await call(claude, "agent_scan", {});
    expect(scan.isError).toBe(false);
    expect(scan.text).toMatch(/^scanned 3 secrets: 1 expired, 0 stale, 0 due for rotation, 0 rotated\n/);
    expect(scan.text).toContain(
      "expired (expire hooks fired, recorded in the audit log):\n  [global] rotating/token expired (local)",
    );
    expect(scan.text).toContain("nothing rotated (pass autoRotate: true");
    const payloads = readFileSync(hookOut, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(payloads).toEqual([
      expect.objectContaining({
        event: "expire",
        phase: "after",
        name: "rotating/token",
        accessor: "claude",
        frontEnd: "mcp",
      }),
    ]);
    expect(readFileSync(hookOut, "utf8")).not.toContain(ROTATING_VALUE);

    const rotated = await call(claude, "agent_scan", { autoRotate: true });
    expect(rotated.text).toMatch(/1 rotated\n/);
    expect(rotated.text).toContain("rotated:\n  [global] rotating/token v1 -> v2");
    const audit = await call(claude, "audit_log", { key: "rotating/token", limit: 5 });
    expect(audit.text).toMatch(/claude \(mcp\) rotate \[global\] rotating\/token v2 ok/);
    expect(audit.text).toMatch(/claude \(mcp\) expire \[global\] rotating\/token ok/);
  });
});

describe("exec lists", () => {
  async function runNode(wsConfig: string | undefined, args: string[]): Promise<{ node: string; curl: string }> {
    const w = makeWorkspace(wsConfig);
    const conn = await connectStdio(w, ["--agent-id", "claude", ...args]);
    try {
      const node = await call(conn, "exec_with_secrets", {
        command: "node",
        args: ["-e", "process.stdout.write('ran')"],
      });
      const curl = await call(conn, "exec_with_secrets", { command: "curl", args: ["https://example.com"] });
      return { node: node.text, curl: curl.text };
    } finally {
      await conn.close();
      w.cleanup();
    }
  }

  it("lets agents run nothing until allowed; network tools need an explicit name", async () => {
    const none = await runNode(undefined, []);
    expect(none.node).toMatch(
      /^PERMISSION_DENIED: exec of secrets denied: no exec allow list is configured, so agents may not run commands with secrets\nhint: /,
    );
    const star = await runNode(undefined, ["--exec-allow", "*"]);
    expect(star.node).toMatch(/^exit code 0\ninjected: nothing\n--- stdout ---\nran\n/);
    expect(star.curl).toMatch(/^PERMISSION_DENIED: exec of secrets denied: command "curl" is a network tool/);
  });

  it("honours exec.allow, lets mcp.exec replace it for MCP agents, and narrows with --exec-allow", async () => {
    const execOnly = await runNode("exec:\n  allow: [node]\n", []);
    expect(execOnly.node).toMatch(/^exit code 0\n/);
    const mcpWins = await runNode("exec:\n  allow: [node]\nmcp:\n  exec:\n    allow: [npm]\n", []);
    expect(mcpWins.node).toMatch(/^PERMISSION_DENIED: .*command "node" is not in project:mcp\.exec\.allow/);
    const narrowed = await runNode("mcp:\n  exec:\n    allow: [node]\n", ["--exec-allow", "npm"]);
    expect(narrowed.node).toMatch(/^PERMISSION_DENIED: .*command "node" is not in flag:exec\.allow/);
    const both = await runNode("mcp:\n  exec:\n    allow: [node]\n", ["--exec-allow", "node,npm"]);
    expect(both.node).toMatch(/^exit code 0\n/);
  });
});

describe("exec lists follow launchers", () => {
  it("refuses env node, timeout 5 sh -c and env curl under allow * with deny node, sh, curl", async () => {
    const w = makeWorkspace("mcp:\n  exec:\n    allow: ['*']\n    deny: [node, sh, curl]\n");
    const conn = await connectStdio(w, ["--agent-id", "claude"]);
    try {
      for (const [command, args, program, launcher] of [
        ["env", ["node", "-e", "process.stdout.write('ran')"], "node", "env"],
        ["/usr/bin/env", ["-i", "A=B", "node", "-e", "process.stdout.write('ran')"], "node", "/usr/bin/env"],
        ["timeout", ["5", "sh", "-c", "echo ran"], "sh", "timeout"],
        ["timeout", ["-s", "KILL", "5", "nice", "-n", "5", "sh", "-c", "echo ran"], "sh", "nice"],
        ["env", ["curl", "https://example.com"], "curl", "env"],
      ] as const) {
        const refused = await call(conn, "exec_with_secrets", { command, args: [...args] });
        expect(refused.text, `${command} ${args.join(" ")}`).toMatch(
          new RegExp(
            `^PERMISSION_DENIED: exec of secrets denied: command "${program}" \\(started by .*"${launcher}"\\) is refused by project:mcp\\.exec\\.deny`,
          ),
        );
        expect(refused.text).not.toContain("--- stdout ---");
        // The MCP front end recognises the refusal by core's structured reason and adds its hint.
        expect(refused.text).toMatch(/coffer-mcp reads mcp\.exec/);
      }
      const unresolved = await call(conn, "exec_with_secrets", { command: "watch", args: ["node", "x.js"] });
      expect(unresolved.text).toMatch(/^PERMISSION_DENIED: .*"watch" starts another program Coffer cannot determine/);
      const allowed = await call(conn, "exec_with_secrets", { command: "env", args: ["printenv", "HOME"] });
      expect(allowed.text).toMatch(/^exit code 0\n/);
    } finally {
      await conn.close();
      w.cleanup();
    }
  });
});

describe("leak check", () => {
  it("shows no value except the approved reveal", () => {
    expect(calls.length).toBeGreaterThan(20);
    for (const record of calls) {
      if (allowedReveals.has(record)) continue;
      for (const value of [PROD_VALUE, APP_VALUE, ROTATING_VALUE, LITERAL_HOOK_SECRET]) {
        if (record.text.includes(value)) throw new Error(`${record.tool} leaked a value`);
      }
    }
    expect(claude.stderr()).not.toContain(APP_VALUE);
    expect(existsSync(hookOut)).toBe(true);
  });
});
