// Property (issue #15): no sequence of MCP tool calls (real MCP client over stdio) and REST calls
// by callers without reveal rights on some sentinel secrets, interleaved with writes and
// rotations of those secrets by a human, shows a sentinel in any result, error or exec output.
// The agent is denied reveal on prod/* by policy, cannot read a write-only secret, and is not in
// team/key's allowedAgentIds; the REST token is limited to `api-*`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { apiTokens } from "@coffer/core";
import { type OpenedCoffer, openCoffer } from "@coffer/runtime";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectMcp,
  createWorkspace,
  frontEndAvailable,
  type McpSession,
  newSentinel,
  type RestServer,
  startRestServer,
  type Workspace,
} from "../src/index.js";

const PROTECTED = ["prod/db", "pin/vault", "team/key"] as const;
const REST_PROTECTED = "prod-rest";
const OWN = ["mine/a", "mine/b"] as const;
const sentinels: string[] = [];
let ws: Workspace;
let human: OpenedCoffer;
let agent: McpSession;
let rest: RestServer;
let token: string;

function sentinel(): string {
  const s = newSentinel();
  sentinels.push(s);
  return s;
}

function leaked(text: string): string | undefined {
  return sentinels.find((s) => text.includes(s));
}

const ready = frontEndAvailable("mcp") && frontEndAvailable("server");

beforeAll(async () => {
  if (!ready) return;
  ws = createWorkspace("no-reveal");
  writeFileSync(
    join(ws.project, "coffer.yaml"),
    [
      "mcp:",
      "  exec:",
      "    allow: [node]",
      "accessControl:",
      "  rules:",
      "    - id: no-agent-reveal-prod",
      '      accessors: ["agent:*"]',
      '      names: ["prod/*"]',
      "      deny: [reveal]",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  human = await openCoffer({
    accessor: { id: "alice", kind: "user", frontEnd: "cli" },
    cwd: ws.project,
    env: ws.env(),
  });
  await human.coffer.set("prod/db", sentinel());
  await human.coffer.set("pin/vault", sentinel(), { writeOnly: true });
  await human.coffer.set("team/key", sentinel(), { allowedAgentIds: ["other-agent"] });
  await human.coffer.set(REST_PROTECTED, sentinel());
  await human.coffer.set("api-own", "api-own-value-0001");
  await human.coffer.set("api-linked", "shared-value-0001");
  await human.coffer.set("prod-linked", "shared-value-0001");
  await human.coffer.entangle("api-linked", "prod-linked");
  for (const own of OWN) await human.coffer.set(own, `own-value-${own}`);
  if (!human.documents) throw new Error("no local store");
  token = (
    await apiTokens(human.documents).create({
      name: "api-only",
      scopes: ["secrets:read", "secrets:write", "secrets:reveal"],
      pattern: "api-*",
    })
  ).token;
  agent = await connectMcp(ws, { args: ["--tools", "all", "--agent-id", "claude"] });
  rest = await startRestServer(ws);
}, 60_000);

afterAll(async () => {
  await agent?.close();
  await rest?.stop();
  await human?.coffer.dispose();
  ws?.cleanup();
});

type Step =
  | { by: "mcp"; tool: string; args: Record<string, unknown> }
  | { by: "rest"; method: string; path: string; json?: unknown }
  | { by: "human"; op: "set" | "rotate"; name: string };

const protectedKey = fc.constantFrom(...PROTECTED);
const ownKey = fc.constantFrom(...OWN);
const anyKey = fc.constantFrom(...PROTECTED, ...OWN);
const plainValue = fc.stringMatching(/^[a-z0-9]{6,12}$/);

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    by: fc.constant("mcp" as const),
    tool: fc.constant("entangle_secrets"),
    args: fc.record({ keyA: protectedKey, keyB: ownKey }),
  }),
  fc.record({
    by: fc.constant("mcp" as const),
    tool: fc.constant("entangle_secrets"),
    args: fc.record({ keyA: ownKey, keyB: protectedKey }),
  }),
  fc.record({
    by: fc.constant("mcp" as const),
    tool: fc.constant("get_secret"),
    args: fc.record({ key: anyKey, reveal: fc.boolean(), purpose: fc.constant("property test") }),
  }),
  fc.record({
    by: fc.constant("mcp" as const),
    tool: fc.constant("set_secret"),
    args: fc.record({ key: anyKey, value: plainValue }),
  }),
  fc.record({ by: fc.constant("mcp" as const), tool: fc.constant("rotate_secret"), args: fc.record({ key: anyKey }) }),
  fc.record({ by: fc.constant("mcp" as const), tool: fc.constant("inspect_secret"), args: fc.record({ key: anyKey }) }),
  fc.record({ by: fc.constant("mcp" as const), tool: fc.constant("list_secrets"), args: fc.constant({}) }),
  fc.record({
    by: fc.constant("mcp" as const),
    tool: fc.constant("exec_with_secrets"),
    args: fc.record({
      command: fc.constant("node"),
      args: fc.constant([
        "-e",
        "for (const [k, v] of Object.entries(process.env)) if (/^(PROD|PIN|TEAM|MINE)_/.test(k)) console.log(k, v)",
      ]),
      secrets: fc.uniqueArray(anyKey, { minLength: 1, maxLength: 3 }),
      purpose: fc.constant("property test"),
    }),
  }),
  fc.record({
    by: fc.constant("rest" as const),
    method: fc.constant("GET"),
    path: fc.constantFrom(
      `/v1/secrets/${REST_PROTECTED}?reveal=true&purpose=t`,
      "/v1/secrets/api-linked?reveal=true&purpose=t",
      "/v1/secrets/prod-linked?reveal=true&purpose=t",
      "/v1/secrets",
      "/v1/export?includeValues=true",
    ),
  }),
  fc.record({
    by: fc.constant("rest" as const),
    method: fc.constant("PUT"),
    path: fc.constantFrom("/v1/secrets/api-linked", "/v1/secrets/api-own"),
    json: plainValue.map((value) => ({ value })),
  }),
  fc.record({
    by: fc.constant("human" as const),
    op: fc.constantFrom("set" as const, "rotate" as const),
    name: fc.constantFrom(...PROTECTED, REST_PROTECTED),
  }),
);

async function run(s: Step): Promise<string> {
  if (s.by === "mcp") {
    const out = await agent.call(s.tool, s.args);
    return out.text;
  }
  if (s.by === "rest") {
    const res = await rest.request(s.method, s.path, { token, ...(s.json !== undefined ? { json: s.json } : {}) });
    return res.text;
  }
  const value = sentinel();
  if (s.op === "set") await human.coffer.set(s.name, value, s.name === "pin/vault" ? { writeOnly: true } : {});
  else await human.coffer.rotate(s.name, { value });
  return "";
}

describe.skipIf(!ready)("no sequence of calls reveals what the caller may not reveal", () => {
  it("MCP and REST results, errors and exec output never contain a protected value", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 16 }), async (steps) => {
        for (const s of steps) {
          const text = await run(s);
          const hit = leaked(text);
          expect(hit, `${JSON.stringify(s)} showed a protected value`).toBeUndefined();
        }
      }),
      { numRuns: 60, seed: 15 },
    );
  }, 240_000);
});
