import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type DocumentStore,
  functionHook,
  governedHookSource,
  guardedLookup,
  type HookPayload,
  hookRegistry,
  isPrivateAddress,
  shellHook,
  signWebhookPayload,
  validateHookDefinition,
  verifyWebhookSignature,
  type WebhookHookDefinition,
  webhookHook,
} from "../src/index.js";
import {
  agent,
  cleanup,
  governedCoffer,
  memoryDocuments,
  rejection,
  SENTINEL,
  tempDir,
  user,
} from "./governance-support.js";

const WEBHOOK_SECRET = "whsec_test_0123456789abcdef";

interface Delivery {
  headers: IncomingMessage["headers"];
  body: string;
  verified: boolean;
}

/** A real HTTP receiver on 127.0.0.1 that verifies signatures the way a user's server would. */
let receiver: Server;
let receiverUrl: string;
const deliveries: Delivery[] = [];
let answer: { status: number; body: string } = { status: 200, body: "ok" };

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const header = req.headers["coffer-signature"];
      deliveries.push({
        headers: req.headers,
        body,
        verified: verifyWebhookSignature(WEBHOOK_SECRET, typeof header === "string" ? header : undefined, body, 300),
      });
      res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/coffer?token=path-secret`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

afterEach(async () => {
  deliveries.length = 0;
  answer = { status: 200, body: "ok" };
  await cleanup();
});

const webhookDef = (overrides: Partial<WebhookHookDefinition> = {}): WebhookHookDefinition => ({
  id: "notify",
  type: "webhook",
  phase: "after",
  timeoutSeconds: 5,
  url: receiverUrl,
  secret: WEBHOOK_SECRET,
  allowPrivateNetwork: true,
  ...overrides,
});

const samplePayload = (): HookPayload => ({
  event: "write",
  phase: "after",
  name: "api-key",
  scope: "global",
  version: 3,
  accessor: "alice",
  frontEnd: "cli",
  time: new Date().toISOString(),
});

describe("webhook hooks", () => {
  it("delivers a signed JSON payload that a real receiver verifies; replays and edits fail verification", async () => {
    const { coffer } = await governedCoffer({ hooks: [webhookHook(webhookDef())], accessor: user("alice") });
    const result = await coffer.set("stripe/key", SENTINEL, { tags: ["payments"] });
    expect(result.hooks).toEqual([{ hook: "notify", ok: true }]);
    expect(deliveries).toHaveLength(1);
    const [d] = deliveries;
    expect(d!.verified).toBe(true);
    expect(d!.headers["content-type"]).toBe("application/json");
    expect(d!.headers["coffer-event"]).toBe("write");
    expect(d!.body).not.toContain(SENTINEL);
    expect(JSON.parse(d!.body)).toMatchObject({
      event: "write",
      phase: "after",
      name: "stripe/key",
      scope: "global",
      version: 1,
      accessor: "alice",
      frontEnd: "cli",
      tags: ["payments"],
    });
    const header = d!.headers["coffer-signature"] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const t = Number(/t=(\d+)/.exec(header)![1]);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, header, d!.body, 300, (t + 301) * 1000)).toBe(false);
    expect(
      verifyWebhookSignature(WEBHOOK_SECRET, header, d!.body.replace("stripe/key", "other/key"), 300, t * 1000),
    ).toBe(false);
    expect(verifyWebhookSignature("another-secret-value", header, d!.body, 300, t * 1000)).toBe(false);
    expect(
      verifyWebhookSignature(WEBHOOK_SECRET, signWebhookPayload(WEBHOOK_SECRET, "{}", t), "{}", 300, t * 1000),
    ).toBe(true);
  });

  it("lets a before-webhook veto with 403 and reports a failing after-webhook without undoing the write", async () => {
    answer = { status: 403, body: JSON.stringify({ reason: "change freeze until Monday" }) };
    const before = await governedCoffer({
      hooks: [webhookHook(webhookDef({ id: "gate", phase: "before" }))],
      accessor: user("alice"),
    });
    const veto = await rejection(before.coffer.set("frozen", "value-12345678"));
    expect(veto.code).toBe("PERMISSION_DENIED");
    expect(veto.message).toContain("change freeze until Monday");
    expect(await before.coffer.has("frozen")).toBe(false);

    answer = { status: 500, body: "boom" };
    const after = await governedCoffer({ hooks: [webhookHook(webhookDef())], accessor: user("alice") });
    const result = await after.coffer.set("kept", "value-12345678");
    expect(result.hooks[0]).toMatchObject({ hook: "notify", ok: false });
    expect(result.hooks[0]!.message).toContain("answered HTTP 500");
    expect(result.hooks[0]!.message).not.toContain("path-secret");
    expect(await after.coffer.has("kept")).toBe(true);
    const [failure] = await after.coffer.audit({ action: "hook" });
    expect(failure).toMatchObject({ name: "kept", success: false, details: { hook: "notify", event: "write" } });
  });

  it.each([
    ["127.0.0.1", "http://127.0.0.1:PORT/"],
    ["10.x", "http://10.1.2.3:PORT/"],
    ["cloud metadata", "http://169.254.169.254/latest/meta-data/"],
    ["IPv6 loopback", "http://[::1]:PORT/"],
    ["IPv4-mapped IPv6", "http://[::ffff:127.0.0.1]:PORT/"],
    ["a name resolving to loopback", "http://localhost:PORT/"],
  ])("refuses %s unless allowPrivateNetwork", async (_label, template) => {
    const port = new URL(receiverUrl).port;
    const hook = webhookHook(webhookDef({ url: template.replace("PORT", port), allowPrivateNetwork: false }));
    const err = await rejection(hook.run(samplePayload()));
    expect(err.code).toBe("PERMISSION_DENIED");
    expect(err.message).toContain("allowPrivateNetwork");
    expect(err.message).not.toContain(WEBHOOK_SECRET);
    expect(deliveries).toHaveLength(0);
  });

  it("refuses private targets already when the definition is validated", () => {
    for (const url of ["http://127.0.0.1/x", "http://localhost:8080/", "http://[fe80::1]/", "http://192.168.1.10/"]) {
      expect(() =>
        validateHookDefinition({ id: "w", type: "webhook", url, secret: WEBHOOK_SECRET }, "coffer.yaml", "hooks[0]"),
      ).toThrow(/allowPrivateNetwork/);
    }
    expect(
      validateHookDefinition(
        { id: "w", type: "webhook", url: "https://hooks.example.com/c", secret: WEBHOOK_SECRET },
        "f",
        "hooks[0]",
      ),
    ).toMatchObject({ allowPrivateNetwork: false, phase: "after", timeoutSeconds: 10 });
    expect(() =>
      validateHookDefinition(
        { id: "w", type: "webhook", url: "https://u:p@example.com/", secret: WEBHOOK_SECRET },
        "f",
        "h",
      ),
    ).toThrow(/credentials/);
    expect(() =>
      validateHookDefinition({ id: "w", type: "webhook", url: "https://example.com/", secret: "short" }, "f", "h"),
    ).toThrow(/16 to 1024/);
    expect(() => validateHookDefinition({ id: "w", type: "ftp" }, "f", "h")).toThrow(/must be one of: shell, webhook/);
    expect(() => validateHookDefinition({ id: "s", type: "shell", command: "echo hi" }, "f", "h")).toThrow(
      /must be a list/,
    );
    expect(() =>
      validateHookDefinition({ id: "s", type: "shell", command: ["x"], events: ["save"] }, "f", "h"),
    ).toThrow(/valid events are: write, delete, rotate, expire, read/);
  });

  it("classifies addresses (IPv4, IPv6, mapped, NAT64, 6to4) and checks every resolved address at connect time", async () => {
    for (const a of [
      "127.0.0.1",
      "10.0.0.1",
      "172.16.5.4",
      "192.168.0.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "::",
      "::1",
      "fe80::1%eth0",
      "fc00::1",
      "fd12:3456::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:10.0.0.1",
      "64:ff9b::a9fe:a9fe",
      "2002:7f00:1::1",
      "not-an-ip",
    ]) {
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    }
    for (const a of [
      "8.8.8.8",
      "1.1.1.1",
      "93.184.216.34",
      "2606:4700:4700::1111",
      "::ffff:8.8.8.8",
      "2002:808:808::1",
    ]) {
      expect([a, isPrivateAddress(a)]).toEqual([a, false]);
    }
    const viaLookup = (all: boolean) =>
      new Promise<NodeJS.ErrnoException | null>((resolve) =>
        guardedLookup("localhost", { all }, (err) => resolve(err)),
      );
    expect((await viaLookup(true))?.code).toBe("ECOFFER_PRIVATE_ADDRESS");
    expect((await viaLookup(false))?.code).toBe("ECOFFER_PRIVATE_ADDRESS");
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: Coffer's ${...} syntax, not a template
  it("resolves a ${secret:NAME} signing secret through the resolver, never exposing it", async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Coffer's ${...} syntax, not a template
    const hook = webhookHook(webhookDef({ secret: "${secret:webhook-key}" }), {
      resolveSecret: async (name) => (name === "webhook-key" ? WEBHOOK_SECRET : "wrong"),
    });
    await hook.run(samplePayload());
    expect(deliveries[0]!.verified).toBe(true);
    const unresolved = await rejection(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Coffer's ${...} syntax, not a template
      webhookHook(webhookDef({ secret: "${secret:webhook-key}" })).run(samplePayload()),
    );
    expect(unresolved.code).toBe("UNAVAILABLE");
  });
});

describe("shell hooks", () => {
  const node = process.execPath;
  /** A hook script that saves its stdin to a file and exits with the given code, saying why on stderr. */
  const recorder = (file: string, exitCode: number, say = "") => [
    node,
    "-e",
    `const c=[];process.stdin.on("data",d=>c.push(d)).on("end",()=>{require("fs").writeFileSync(${JSON.stringify(file)},Buffer.concat(c));${say ? `console.error(${JSON.stringify(say)});` : ""}process.exit(${exitCode})})`,
  ];

  it("vetoes a write with a non-zero exit; the payload on stdin never holds the value", async () => {
    const dir = tempDir();
    const stdinFile = join(dir, "stdin.json");
    const gate = shellHook(
      {
        id: "freeze",
        type: "shell",
        phase: "before",
        timeoutSeconds: 20,
        command: recorder(stdinFile, 1, "writes to prod are frozen"),
        events: ["write"],
        names: ["prod/*"],
      },
      { baseDir: dir },
    );
    const { coffer } = await governedCoffer({ hooks: [gate], accessor: agent("bot") });
    const err = await rejection(coffer.set("prod/api", SENTINEL));
    expect(err.code).toBe("PERMISSION_DENIED");
    expect(err.message).toBe("hook freeze vetoed the write: writes to prod are frozen");
    expect(await coffer.has("prod/api")).toBe(false);
    const stdin = readFileSync(stdinFile, "utf8");
    expect(stdin).not.toContain(SENTINEL);
    expect(JSON.parse(stdin)).toMatchObject({
      event: "write",
      phase: "before",
      name: "prod/api",
      scope: "global",
      accessor: "bot",
      frontEnd: "mcp",
    });
    // names outside the match are not gated
    await coffer.set("dev/api", "dev-value-123456");
    const [veto] = await coffer.audit({ action: "hook" });
    expect(veto).toMatchObject({
      name: "prod/api",
      success: false,
      errorCode: "PERMISSION_DENIED",
      details: { hook: "freeze", veto: true },
    });
  });

  it("reports a failing after-hook and keeps the write; a hook that hangs is stopped at its timeout", async () => {
    const dir = tempDir();
    const failing = shellHook(
      {
        id: "sync",
        type: "shell",
        phase: "after",
        timeoutSeconds: 20,
        command: recorder(join(dir, "x"), 3, "vault sync failed"),
      },
      { baseDir: dir },
    );
    const hanging = shellHook(
      {
        id: "slow",
        type: "shell",
        phase: "after",
        timeoutSeconds: 1,
        command: [node, "-e", "setTimeout(()=>{},60000)"],
      },
      { baseDir: dir },
    );
    const { coffer } = await governedCoffer({ hooks: [failing, hanging] });
    const result = await coffer.set("k", "value-12345678");
    expect(result.hooks).toEqual([
      { hook: "sync", ok: false, message: "shell hook sync exited with code 3: vault sync failed" },
      { hook: "slow", ok: false, message: "shell hook slow timed out after 1s and was stopped" },
    ]);
    expect((await coffer.get("k", { reveal: true })).value).toBe("value-12345678");
    expect((await coffer.audit({ action: "hook", failedOnly: true })).map((e) => e.details?.hook).sort()).toEqual([
      "slow",
      "sync",
    ]);
  });

  it("never passes Coffer credentials to the hook", async () => {
    const dir = tempDir();
    const out = join(dir, "env.json");
    const hook = shellHook(
      {
        id: "env",
        type: "shell",
        phase: "after",
        timeoutSeconds: 20,
        command: [node, "-e", `require("fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.env))`],
        env: { EXTRA: "1" },
      },
      {
        baseDir: dir,
        env: { PATH: process.env.PATH ?? "", COFFER_MASTER_KEY: "master-key-value", COFFER_ADMIN_TOKEN: "tok" },
      },
    );
    await hook.run(samplePayload());
    const env = JSON.parse(readFileSync(out, "utf8")) as Record<string, string>;
    expect(env.COFFER_MASTER_KEY).toBeUndefined();
    expect(env.COFFER_ADMIN_TOKEN).toBeUndefined();
    expect(env).toMatchObject({ EXTRA: "1", COFFER_HOOK_ID: "env", COFFER_HOOK_EVENT: "write" });
  });

  it("runs in-process function hooks for library users", async () => {
    const seen: HookPayload[] = [];
    const hooks = [
      functionHook({ id: "audit-copy", run: (p) => void seen.push(p) }),
      functionHook({
        id: "no-deletes",
        phase: "before",
        match: { events: ["delete"] },
        run: () => ({ veto: "deletes are off" }),
      }),
    ];
    const { coffer } = await governedCoffer({ hooks });
    await coffer.set("k", SENTINEL);
    expect((await rejection(coffer.delete("k"))).message).toContain("deletes are off");
    expect(seen.map((p) => `${p.phase}:${p.event}:${p.name}`)).toEqual(["after:write:k"]);
    expect(JSON.stringify(seen)).not.toContain(SENTINEL);
  });
});

describe("hook registry and hook source", () => {
  /** Documents that count reads, to prove the source's caching. */
  function countingDocuments(inner: DocumentStore) {
    const counts = { get: 0, list: 0 };
    const docs: DocumentStore = {
      ...inner,
      get: (c, k) => {
        counts.get++;
        return inner.get(c, k);
      },
      list: (c) => {
        counts.list++;
        return inner.list(c);
      },
      put: inner.put.bind(inner),
      delete: inner.delete.bind(inner),
      update: inner.update.bind(inner),
    };
    return { docs, counts };
  }

  it("registers hooks for people only, lists them without secrets, audits changes, and tests them", async () => {
    const { documents, audit, coffer } = await governedCoffer();
    const registry = hookRegistry(documents, {
      audit,
      configHooks: [
        validateHookDefinition({ id: "from-config", type: "shell", command: ["true"] }, "coffer.yaml", "hooks[0]"),
      ],
    });
    const definition = {
      id: "notify",
      type: "webhook",
      url: receiverUrl,
      secret: WEBHOOK_SECRET,
      allowPrivateNetwork: true,
      events: ["rotate"],
    };
    expect((await rejection(registry.add(definition, { by: agent("bot") }))).code).toBe("PERMISSION_DENIED");
    expect((await rejection(registry.add({ ...definition, url: "ftp://x" }, { by: user("alice") }))).code).toBe(
      "INVALID_ARGUMENT",
    );
    expect((await rejection(registry.add({ ...definition, id: "from-config" }, { by: user("alice") }))).code).toBe(
      "ALREADY_EXISTS",
    );
    const added = await registry.add(definition, { by: user("alice") });
    expect(added).toMatchObject({
      id: "notify",
      source: "registry",
      type: "webhook",
      target: new URL(receiverUrl).origin,
      secret: "(set)",
      createdBy: "alice",
    });
    expect((await rejection(registry.add(definition, { by: user("alice") }))).code).toBe("ALREADY_EXISTS");
    const listing = await registry.list();
    expect(listing.map((h) => `${h.source}:${h.id}`)).toEqual(["config:from-config", "registry:notify"]);
    expect(JSON.stringify(listing)).not.toContain(WEBHOOK_SECRET);
    expect(JSON.stringify(listing)).not.toContain("path-secret");
    const tested = await registry.test("notify", { by: user("alice") });
    expect(tested).toMatchObject({ hook: "notify", ok: true });
    expect(deliveries[0]!.verified).toBe(true);
    expect(JSON.parse(deliveries[0]!.body)).toMatchObject({ event: "rotate", name: "coffer-hook-test" });
    expect((await rejection(registry.remove("from-config", { by: user("alice") }))).code).toBe("INVALID_ARGUMENT");
    await registry.remove("notify", { by: user("alice") });
    expect((await rejection(registry.remove("notify", { by: user("alice") }))).code).toBe("NOT_FOUND");
    const changes = (await coffer.audit({ action: "hook" })).map((e) => [e.accessor, e.details]);
    expect(changes).toEqual([
      ["alice", { hook: "notify", removed: true }],
      ["alice", { hook: "notify", registered: "webhook", phase: "after" }],
    ]);
  });

  it("serves registered hooks to the service and re-reads the registry only after it changed", async () => {
    const base = memoryDocuments();
    const { docs, counts } = countingDocuments(base);
    let clockMs = 0;
    const source = governedHookSource({ documents: docs, now: () => clockMs, refreshMs: 1000 });
    expect(await source.hooks()).toEqual([]);
    expect(counts).toEqual({ get: 1, list: 0 });
    for (let i = 0; i < 50; i++) await source.hooks();
    expect(counts).toEqual({ get: 1, list: 0 });
    clockMs += 1001;
    await source.hooks();
    expect(counts).toEqual({ get: 2, list: 0 });
    await hookRegistry(base).add(
      { id: "notify", type: "webhook", url: receiverUrl, secret: WEBHOOK_SECRET, allowPrivateNetwork: true },
      { by: user("alice") },
    );
    expect((await source.hooks()).map((h) => h.id)).toEqual([]);
    clockMs += 1001;
    expect((await source.hooks()).map((h) => h.id)).toEqual(["notify"]);
    expect(counts.list).toBe(1);
    clockMs += 1001;
    await source.hooks();
    expect(counts.list).toBe(1);
    // a definition that no longer validates blocks writes visibly instead of vanishing
    await base.put("hooks", "broken", { definition: { id: "broken", type: "shell" }, createdAt: "x", createdBy: "y" });
    await base.update<{ version: number }>("hooks-meta", "version", (v) => ({ version: (v?.version ?? 0) + 1 }));
    source.invalidate();
    const hooks = await source.hooks();
    const broken = hooks.find((h) => h.id === "broken")!;
    expect(broken.phase).toBe("before");
    expect((await rejection(broken.run(samplePayload()))).code).toBe("CONFIG");
  });

  it("without documents returns the fixed hooks synchronously", () => {
    const hook = functionHook({ id: "f", run: () => undefined });
    const source = governedHookSource({ hooks: [hook] });
    expect(source.hooks()).toEqual([hook]);
  });
});
