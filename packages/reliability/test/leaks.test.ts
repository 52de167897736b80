import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { basename, join } from "node:path";
import type { Hook } from "@coffer/core";
import { defaultAccessor, type OpenedCoffer, openCoffer } from "@coffer/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectMcp,
  createApiToken,
  createWorkspace,
  findSentinel,
  frontEndAvailable,
  killAllTracked,
  newSentinel,
  runCli,
  type SentinelForm,
  type SentinelHit,
  sentinelForms,
  startRestServer,
  Transcript,
  type Workspace,
} from "../src/index.js";
import { tally } from "./scenario-tally.js";

/** Every sentinel value put into Coffer by this file, by where it entered. */
const S = {
  library: newSentinel(),
  libraryRotated: newSentinel(),
  libraryImport: newSentinel(),
  cli: newSentinel(),
  cliRotated: newSentinel(),
  cliImport: newSentinel(),
  mcp: newSentinel(),
  mcpRotated: newSentinel(),
  mcpImport: newSentinel(),
  mcpVault: newSentinel(),
  rest: newSentinel(),
  webhookSecret: newSentinel(),
  restRotated: newSentinel(),
  restImport: newSentinel(),
};
const forms: SentinelForm[] = Object.values(S).flatMap(sentinelForms);
const TOO_LARGE_PAD = "x".repeat(70_000);

let ws: Workspace;
const transcript = new Transcript();
const hookPayloads: string[] = [];
/** Deliveries received by the webhook receiver (headers and body). */
const webhookDeliveries: string[] = [];
let receiver: Server;
/** Files this test wrote itself as input (they hold sentinels on purpose). */
const inputFiles = new Set<string>();

const capture: Hook[] = (["before", "after"] as const).map((phase) => ({
  id: `capture-${phase}`,
  phase,
  match: {},
  run: async (payload) => {
    hookPayloads.push(JSON.stringify(payload));
  },
}));

beforeAll(async () => {
  // Every configured hook kind sees every event of every front end: a shell hook appending its
  // payload to a file, and a webhook to a receiver here (its signing secret is a sentinel too).
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => {
      webhookDeliveries.push(`${JSON.stringify(req.headers)}\n${body}`);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as { port: number }).port;
  ws = createWorkspace("leaks", { LEAK_HOOK_SECRET: S.webhookSecret });
  writeFileSync(
    join(ws.project, "coffer.yaml"),
    [
      // Agents may run these two commands with secrets (exec_with_secrets), as a project would allow.
      "exec:",
      "  allow: [sh, printenv]",
      "mcp:",
      "  exec:",
      "    allow: [sh, printenv]",
      "hooks:",
      "  - id: payload-file",
      "    type: shell",
      "    command: [sh, -c, 'cat >> hook-payloads.log; echo >> hook-payloads.log']",
      "  - id: payload-webhook",
      "    type: webhook",
      `    url: http://127.0.0.1:${port}/hook`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Coffer's config syntax, not a template
      "    secret: ${env:LEAK_HOOK_SECRET}",
      "    allowPrivateNetwork: true",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
});

afterAll(async () => {
  await killAllTracked();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  ws?.cleanup();
});

/** Record a library result or error (errors: message, details, string form and stack). */
async function record<T>(label: string, call: () => Promise<T>, reveal = false): Promise<T | undefined> {
  try {
    const result = await call();
    transcript.add(`library ${label}`, JSON.stringify(result) ?? "", reveal);
    return result;
  } catch (err) {
    const e = err as Error & { details?: unknown };
    transcript.add(
      `library ${label} (error)`,
      `${String(e)}\n${JSON.stringify(e)}\n${JSON.stringify(e.details)}\n${e.stack}`,
    );
    return undefined;
  }
}

function writeInput(name: string, text: string): string {
  const path = join(ws.project, name);
  writeFileSync(path, text, { mode: 0o600 });
  inputFiles.add(path);
  return path;
}

describe("a sentinel secret used through every front end never appears where it was not explicitly revealed", () => {
  it("library: every service call, its results, errors and hook payloads are captured", async (context) => {
    const opened: OpenedCoffer = await openCoffer({
      accessor: defaultAccessor("library"),
      cwd: ws.project,
      env: ws.env(),
      hooks: capture,
    });
    const { coffer } = opened;
    let n = 0;
    const step = async <T>(label: string, call: () => Promise<T>, reveal = false) => {
      n++;
      return record(label, call, reveal);
    };
    await step("set", () => coffer.set("LEAK_LIB", S.library, { tags: ["leak"], description: "sentinel" }));
    await step("get", () => coffer.get("LEAK_LIB"));
    await step("get reveal", () => coffer.get("LEAK_LIB", { reveal: true, purpose: "leak test" }), true);
    await step("has", () => coffer.has("LEAK_LIB"));
    await step("inspect", () => coffer.inspect("LEAK_LIB"));
    await step("list", () => coffer.list({ limit: 1000 }));
    await step("history", () => coffer.history("LEAK_LIB"));
    await step("export metadata", () => coffer.export());
    await step("set conflict", () => coffer.set("LEAK_LIB", `${S.library}-next`, { ifVersion: 99 }));
    await step("set too large", () => coffer.set("LEAK_LIB", S.library + TOO_LARGE_PAD));
    await step("set bad name", () => coffer.set("bad name!", S.library));
    await step("set bad encoding", () => coffer.set("LEAK_LIB_B64", S.library, { encoding: "base64" }));
    await step("import", () =>
      coffer.import(
        `LEAK_LIB_IMPORT=${S.libraryImport}\nLEAK_LIB_DUP=${S.libraryImport}\nLEAK_LIB_DUP=${S.libraryImport}-again\n`,
      ),
    );
    await step("import malformed", () => coffer.import(`{"LEAK_LIB_JSON": "${S.libraryImport}"`, { format: "json" }));
    await step("import bad name", () => coffer.import(`bad-name!=${S.libraryImport}\n`));
    await step("rotate", () => coffer.rotate("LEAK_LIB", { value: S.libraryRotated }));
    await step("rollback", () => coffer.rollback("LEAK_LIB", 1));
    await step("injection", async () => {
      const set = await coffer.resolveForInjection({ only: ["LEAK_LIB"], command: "leak-test" });
      return { secrets: set.secrets, collisions: set.collisions, missing: set.missing }; // vars go to the child only
    });
    await step("health", () => coffer.health());
    await step("scan", () => coffer.scan());
    await step("delete", () => coffer.delete("LEAK_LIB_IMPORT"));
    await step("restore", () => coffer.restore("LEAK_LIB_IMPORT"));
    await step("audit", () => coffer.audit({ limit: 10_000 }));
    await step("audit summary", () => coffer.auditSummary());
    await coffer.dispose();
    expect(hookPayloads.length).toBeGreaterThan(5);
    tally(context, { operations: n });
  });

  it.skipIf(!frontEndAvailable("cli"))(
    "CLI: every command's stdout and stderr are captured, `coffer run` output included",
    async (context) => {
      const cli = (args: string[], opts: { input?: string; reveal?: boolean } = {}) =>
        runCli(ws, args, { ...opts, transcript });
      const importFile = writeInput("leak-cli.env", `LEAK_CLI_IMPORT=${S.cliImport}\n`);
      const calls: Array<[string[], { input?: string; reveal?: boolean }?]> = [
        [["set", "LEAK_CLI", "--tags", "leak"], { input: S.cli }],
        [["set", "LEAK_CLI", "--if-version", "99"], { input: `${S.cli}-next` }],
        [["set", "bad name!"], { input: S.cli }],
        [["set", "LEAK_CLI_BIG"], { input: S.cli + TOO_LARGE_PAD }],
        [["get", "LEAK_CLI"]],
        [["get", "LEAK_CLI", "--json"]],
        [["get", "LEAK_CLI", "--show-full"], { reveal: true }],
        [["get", "LEAK_CLI", "--plain"], { reveal: true }],
        [["has", "LEAK_CLI"]],
        [["list"]],
        [["list", "--json"]],
        [["inspect", "LEAK_CLI"]],
        [["inspect", "LEAK_CLI", "--json"]],
        [["history", "LEAK_CLI", "--json"]],
        [["import", importFile]],
        [["import", importFile, "--json"]],
        [["rotate", "LEAK_CLI"], { input: S.cliRotated }],
        [["rotate", "LEAK_CLI", "--generate", "--json"]],
        [["run", "--", "sh", "-c", 'echo "out=$LEAK_CLI"; echo "err=$LEAK_CLI" >&2; printenv LEAK_CLI_IMPORT']],
        [["run", "--json", "--", "printenv", "LEAK_CLI"]],
        [["export"]],
        [["export", "--format", "env"]],
        [["export", "--format", "yaml"]],
        [["audit"]],
        [["audit", "--json"]],
        [["audit", "LEAK_CLI"]],
        [["audit", "--verify"]],
        [["health"]],
        [["health", "--json"]],
        [["doctor"]],
        [["env"]],
        [["delete", "LEAK_CLI_IMPORT", "--confirm"]],
        [["restore", "LEAK_CLI_IMPORT"]],
        [["generate", "--save", "LEAK_CLI_GEN"]],
      ];
      for (const [args, opts] of calls) await cli(args, { ...opts });
      // The value did reach the child of `coffer run` (masked in its output): the run really injected it.
      const run = transcript.entries.find((e) => e.source.startsWith("cli run -- sh") && e.source.endsWith("(stdout)"));
      expect(String(run?.content)).toMatch(/out=\S+/);
      tally(context, { operations: calls.length });
    },
  );

  it.skipIf(!frontEndAvailable("mcp"))(
    "MCP: every tool result and the server's stderr are captured, exec output included",
    async (context) => {
      const mcp = await connectMcp(ws, { args: ["--tools", "all", "--exec-allow", "sh,printenv"], transcript });
      const calls: Array<[string, Record<string, unknown>, boolean?]> = [
        ["set_secret", { key: "LEAK_MCP", value: S.mcp, tags: ["leak"] }],
        ["set_secret", { key: "bad key!", value: S.mcp }],
        ["set_secret", { key: "LEAK_MCP_BIG", value: S.mcp + TOO_LARGE_PAD }],
        ["get_secret", { key: "LEAK_MCP" }],
        ["get_secret", { key: "LEAK_MCP", reveal: true, purpose: "leak test" }, true],
        ["get_secret", { key: "LEAK_MCP", reveal: true }],
        ["has_secret", { key: "LEAK_MCP" }],
        ["inspect_secret", { key: "LEAK_MCP" }],
        ["list_secrets", {}],
        ["rotate_secret", { key: "LEAK_MCP", value: S.mcpRotated }],
        ["rotate_secret", { key: "LEAK_MCP" }],
        [
          "exec_with_secrets",
          {
            command: "sh",
            args: ["-c", 'echo "out=$LEAK_MCP"; echo "err=$LEAK_MCP" >&2'],
            secrets: ["LEAK_MCP"],
            purpose: "leak test",
          },
        ],
        ["exec_with_secrets", { command: "printenv", args: ["LEAK_MCP"], purpose: "leak test" }],
        ["import_dotenv", { content: `LEAK_MCP_IMPORT=${S.mcpImport}\nbad line ${S.mcpImport}\n` }],
        ["import_dotenv", { content: `LEAK_MCP_IMPORT2=${S.mcpImport}\n` }],
        ["export_secrets", {}],
        ["vault_secret", { action: "put", name: "vault/leak", value: S.mcpVault }],
        ["vault_secret", { action: "get", name: "vault/leak" }],
        ["vault_secret", { action: "list" }],
        ["vault_secret", { action: "rotate", name: "vault/leak", value: `${S.mcpVault}-2` }],
        ["audit_log", {}],
        ["health_check", {}],
        ["detect_environment", {}],
        ["delete_secret", { key: "LEAK_MCP_IMPORT2" }],
        ["restore_secret", { key: "LEAK_MCP_IMPORT2" }],
      ];
      try {
        for (const [tool, args, reveal] of calls) await mcp.call(tool, args, { reveal: reveal === true });
        const exec = transcript.entries.find((e) => e.source === "mcp exec_with_secrets");
        expect(String(exec?.content)).toMatch(/out=/);
      } finally {
        await mcp.close();
      }
      tally(context, { operations: calls.length });
    },
  );

  it.skipIf(!frontEndAvailable("server"))(
    "REST: every response (headers and body) and the server's logs are captured",
    async (context) => {
      const token = await createApiToken(ws, "leak", ["admin"]);
      const server = await startRestServer(ws, { transcript });
      const req = (
        method: string,
        path: string,
        opts: { json?: unknown; body?: string; headers?: Record<string, string>; reveal?: boolean } = {},
      ) => server.request(method, path, { token, ...opts });
      let n = 0;
      try {
        const steps: Array<() => Promise<unknown>> = [
          () => req("PUT", "/v1/secrets/LEAK_REST", { json: { value: S.rest, tags: ["leak"] } }),
          () =>
            req("PUT", "/v1/secrets/LEAK_REST", { json: { value: `${S.rest}-next` }, headers: { "if-match": "99" } }),
          () => req("PUT", "/v1/secrets/bad%20name", { json: { value: S.rest } }),
          () => req("PUT", "/v1/secrets/LEAK_REST_BIG", { json: { value: S.rest + TOO_LARGE_PAD } }),
          () => req("PUT", "/v1/secrets/LEAK_REST_B64", { json: { value: S.rest, encoding: "base64" } }),
          () =>
            req("PUT", "/v1/secrets/LEAK_REST_BROKEN", {
              body: `{"value": "${S.rest}"`,
              headers: { "content-type": "application/json" },
            }),
          () => req("GET", "/v1/secrets/LEAK_REST"),
          () => req("GET", "/v1/secrets/LEAK_REST?reveal=true&purpose=leak", { reveal: true }),
          () => req("GET", "/v1/secrets/LEAK_REST?reveal=true"),
          () => req("GET", "/v1/secrets"),
          () => req("GET", "/v1/secrets/LEAK_REST/versions"),
          () => req("POST", "/v1/secrets/LEAK_REST/rotate", { json: { value: S.restRotated } }),
          () => req("POST", "/v1/secrets/LEAK_REST/rollback", { json: { to: 1 } }),
          () =>
            req("POST", "/v1/import", {
              body: `LEAK_REST_IMPORT=${S.restImport}\n`,
              headers: { "content-type": "text/plain" },
            }),
          () =>
            req("POST", "/v1/import?format=json", {
              body: `{"LEAK_REST_J": "${S.restImport}"`,
              headers: { "content-type": "application/json" },
            }),
          () => req("GET", "/v1/export"),
          () => req("GET", "/v1/audit?limit=1000"),
          () => req("GET", "/v1/audit/verify"),
          () => req("GET", "/v1/providers"),
          () => req("GET", "/healthz"),
          () => req("DELETE", "/v1/secrets/LEAK_REST_IMPORT"),
          () => req("POST", "/v1/secrets/LEAK_REST_IMPORT/restore"),
          () => server.request("GET", "/v1/secrets/LEAK_REST", { token: S.rest }),
        ];
        for (const s of steps) {
          await s();
          n++;
        }
      } finally {
        await server.stop();
      }
      tally(context, { operations: n });
    },
  );

  it("scan: outputs, responses, logs, hook payloads, audit entries, config and every other file hold no sentinel (plain, base64, hex); the store file holds none either", async (context) => {
    const hits: SentinelHit[] = [];
    let scanned = 0;
    for (const e of transcript.entries.filter((x) => !x.reveal)) {
      hits.push(...findSentinel(e.source, e.content, forms));
      scanned++;
    }
    for (const [i, p] of hookPayloads.entries()) {
      hits.push(...findSentinel(`hook payload ${i}`, p, forms));
      scanned++;
    }
    for (const [i, d] of webhookDeliveries.entries()) {
      hits.push(...findSentinel(`webhook delivery ${i}`, d, forms));
      scanned++;
    }
    // Hooks really ran in the front ends' processes (shell hook file) and delivered (webhook).
    expect(webhookDeliveries.length).toBeGreaterThan(5);
    expect(readFileSync(join(ws.project, "hook-payloads.log"), "utf8")).toMatch(/"frontEnd":"(cli|mcp|rest)"/);
    const opened = await openCoffer({ accessor: defaultAccessor("library"), cwd: ws.project, env: ws.env() });
    const audit = await opened.coffer.audit({ limit: 100_000 });
    await opened.coffer.dispose();
    expect(audit.length).toBeGreaterThan(20);
    hits.push(...findSentinel("audit entries", JSON.stringify(audit), forms));
    scanned += audit.length;

    const storeFiles: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (/^store\.db(-wal|-shm)?$/.test(basename(path))) storeFiles.push(path);
        else if (!inputFiles.has(path)) {
          hits.push(...findSentinel(path, readFileSync(path), forms));
          scanned++;
        }
      }
    };
    walk(ws.root);
    expect(storeFiles.length).toBeGreaterThan(0);
    for (const path of storeFiles) {
      const bytes = readFileSync(path);
      hits.push(...findSentinel(`${path} (raw bytes)`, bytes, forms));
      scanned++;
    }
    // The scanner works: explicit reveals do contain sentinels, and the store holds the names in clear.
    const reveals = transcript.entries.filter((x) => x.reveal);
    expect(reveals.length).toBeGreaterThan(0);
    for (const r of reveals) expect(findSentinel(r.source, r.content, forms).length, r.source).toBeGreaterThan(0);
    expect(readFileSync(storeFiles.find((p) => p.endsWith("store.db"))!).includes("LEAK_LIB")).toBe(true);

    tally(context, { operations: scanned, failures: hits.length });
    expect(hits.map((h) => `${h.source} [${h.encoding} @${h.offset}]`)).toEqual([]);
  });
});
