import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Accessor, type CofferError, verifyWebhookSignature } from "@coffer/core";
import { afterEach, describe, expect, it } from "vitest";
import { type OpenedCoffer, openCoffer } from "../src/index.js";

const dirs: string[] = [];
const opened: OpenedCoffer[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.coffer.dispose();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function temp(prefix: string): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  dirs.push(d);
  return d;
}

const alice: Accessor = { id: "alice", kind: "user", frontEnd: "cli" };
const bot: Accessor = { id: "bot", kind: "agent", frontEnd: "mcp" };

/** A Coffer home with a user config and a project with a coffer.yaml. */
function workspace(userYaml: string, projectYaml: string) {
  const home = temp("coffer-home-");
  const project = temp("coffer-project-");
  writeFileSync(join(home, "config.yaml"), userYaml);
  writeFileSync(join(project, "coffer.yaml"), projectYaml);
  const env = {
    COFFER_HOME: home,
    COFFER_MASTER_KEY: Buffer.alloc(32, 3).toString("base64"),
    PATH: process.env.PATH ?? "",
  };
  return { home, project, env };
}

async function open(ws: ReturnType<typeof workspace>, accessor: Accessor = alice, clock?: () => Date) {
  const o = await openCoffer({ cwd: ws.project, env: ws.env, accessor, ...(clock ? { clock } : {}) });
  opened.push(o);
  return o;
}

async function failure(p: Promise<unknown>): Promise<CofferError> {
  try {
    await p;
  } catch (err) {
    return err as CofferError;
  }
  throw new Error("expected a rejection");
}

describe("openCoffer with governance", () => {
  it("enforces the user and the project policy together and exposes approvals and hooks", async () => {
    const ws = workspace(
      [
        "accessControl:",
        "  enforce: true",
        "  defaultPermissions: [read]",
        "  rules:",
        "    - id: people",
        "      accessors: [cli]",
        '      allow: ["*"]',
        "    - id: agents",
        "      accessors: ['agent:*']",
        "      allow: [reveal]",
        "",
      ].join("\n"),
      [
        "accessControl:",
        "  rules:",
        "    - id: prod-needs-approval",
        "      accessors: ['agent:*']",
        "      names: ['prod/*']",
        "      requireApproval: [reveal]",
        "",
      ].join("\n"),
    );
    const { coffer, approvals, hooks } = await open(ws);
    expect(approvals).toBeDefined();
    expect(hooks).toBeDefined();
    await coffer.set("prod/db", "prod-db-password-1");
    await coffer.set("dev/db", "dev-db-password-12");
    const agentView = coffer.withAccessor(bot);
    expect((await agentView.get("dev/db", { reveal: true, purpose: "tests" })).value).toBe("dev-db-password-12");
    expect((await failure(agentView.set("dev/db", "agent-written-value"))).details.rule).toBe(
      "user:accessControl.enforce",
    );
    const needs = await failure(agentView.get("prod/db", { reveal: true, purpose: "migrate" }));
    expect(needs.code).toBe("APPROVAL_REQUIRED");
    await approvals!.approve(needs.details.requestId as string, { approver: alice });
    expect((await agentView.get("prod/db", { reveal: true, purpose: "migrate" })).value).toBe("prod-db-password-1");
  });

  it("refuses an invalid policy before opening anything, naming the file", async () => {
    const ws = workspace("", ["accessControl:", "  rules:", "    - allow: [raed]", ""].join("\n"));
    const err = await failure(openCoffer({ cwd: ws.project, env: ws.env, accessor: alice }));
    expect(err.code).toBe("CONFIG");
    expect(err.message).toContain(join(ws.project, "coffer.yaml"));
    expect(err.message).toContain('unknown action "raed"; valid actions are: read, reveal');
  });

  it("runs project shell hooks in the project root and registered hooks from the documents", async () => {
    const ws = workspace("", "");
    const out = join(ws.project, "hook-ran.json");
    writeFileSync(
      join(ws.project, "coffer.yaml"),
      [
        "hooks:",
        "  - id: record",
        "    type: shell",
        "    events: [write]",
        `    command: [${JSON.stringify(process.execPath)}, "-e", "process.stdin.pipe(require('fs').createWriteStream('hook-ran.json'))"]`,
        "",
      ].join("\n"),
    );
    const { coffer, hooks } = await open(ws);
    const result = await coffer.set("k", "value-123456789");
    expect(result.hooks).toEqual([{ hook: "record", ok: true }]);
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({ event: "write", name: "k" });
    await hooks!.add(
      {
        id: "veto-all",
        type: "shell",
        phase: "before",
        command: [process.execPath, "-e", "console.error('frozen'); process.exit(1)"],
      },
      { by: alice },
    );
    const vetoed = await failure(coffer.set("k2", "value-123456789"));
    expect(vetoed.message).toContain("frozen");
    expect((await hooks!.list()).map((h) => `${h.source}:${h.id}`)).toEqual(["config:record", "registry:veto-all"]);
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: Coffer's ${...} syntax, not a template
  it("signs webhooks with a ${secret:NAME} from the store, read as the audited coffer-hooks accessor", async () => {
    const bodies: Array<{ body: string; header: string }> = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req
        .on("data", (c: Buffer) => chunks.push(c))
        .on("end", () => {
          bodies.push({
            body: Buffer.concat(chunks).toString("utf8"),
            header: String(req.headers["coffer-signature"]),
          });
          res.end("ok");
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as AddressInfo).port;
      const ws = workspace(
        [
          "hooks:",
          "  - id: notify",
          "    type: webhook",
          "    events: [rotate]",
          `    url: http://127.0.0.1:${port}/in`,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Coffer's ${...} syntax, not a template
          "    secret: ${secret:hook-signing-key}",
          "    allowPrivateNetwork: true",
          "",
        ].join("\n"),
        "",
      );
      const { coffer } = await open(ws);
      await coffer.set("hook-signing-key", "whsec_from_the_store_123456");
      await coffer.set("api", "value-123456789");
      const rotated = await coffer.rotate("api");
      expect(rotated.hooks).toEqual([{ hook: "notify", ok: true }]);
      expect(bodies).toHaveLength(1);
      expect(verifyWebhookSignature("whsec_from_the_store_123456", bodies[0]!.header, bodies[0]!.body)).toBe(true);
      const [reveal] = await coffer.audit({ action: "reveal", accessor: "coffer-hooks" });
      expect(reveal).toMatchObject({ name: "hook-signing-key", purpose: "sign webhook deliveries" });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("applies the user config's audit retention at most once a day; a project cannot shorten it", async () => {
    const ws = workspace("audit: { retentionDays: 30 }\n", "audit: { retentionDays: 1 }\n");
    let now = Date.parse("2026-01-01T00:00:00.000Z");
    const clock = () => new Date(now);
    const first = await open(ws, alice, clock);
    await first.coffer.set("old", "value-123456789");
    now += 10 * 86400_000;
    await first.coffer.set("recent", "value-123456789");
    await first.coffer.dispose();
    opened.pop();
    now += 25 * 86400_000; // "old" is 35 days old, "recent" 25
    const second = await open(ws, alice, clock);
    expect((await second.coffer.audit()).map((e) => e.name)).toEqual(["recent"]);
    expect(await second.coffer.verifyAudit()).toMatchObject({ ok: true });
  });

  it("lets agents run only what the exec allow lists permit, including a command-line flag", async () => {
    const ws = workspace("", "");
    const o = await openCoffer({ cwd: ws.project, env: ws.env, accessor: alice, execAllow: ["node"] });
    opened.push(o);
    await o.coffer.set("token", "value-123456789");
    const agentView = o.coffer.withAccessor(bot);
    expect((await agentView.resolveForInjection({ command: "node", purpose: "build" })).vars.TOKEN).toBe(
      "value-123456789",
    );
    const refused = await failure(agentView.resolveForInjection({ command: "npm", purpose: "build" }));
    expect(refused.details.rule).toBe("flag:exec.allow");
    const bare = await openCoffer({ cwd: ws.project, env: ws.env, accessor: bot });
    opened.push(bare);
    expect((await failure(bare.coffer.resolveForInjection({ command: "node", purpose: "build" }))).details.rule).toBe(
      "exec:default-agent",
    );
  });

  it("needs no governance config at all", async () => {
    const ws = workspace("", "");
    mkdirSync(join(ws.project, "sub"));
    const o = await openCoffer({ cwd: join(ws.project, "sub"), env: ws.env, accessor: bot });
    opened.push(o);
    const { coffer } = o;
    await coffer.set("x", "value-123456789");
    expect((await coffer.get("x", { reveal: true, purpose: "t" })).value).toBe("value-123456789");
  });
});
