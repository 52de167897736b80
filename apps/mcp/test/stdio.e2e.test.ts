import { existsSync } from "node:fs";
import { join } from "node:path";
import { openCoffer } from "@coffer/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_TOOL_NAMES, CORE_TOOL_NAMES } from "../src/tool-selection.js";
import {
  type CallRecord,
  type Connection,
  connectStdio,
  makeWorkspace,
  transcript,
  type Workspace,
} from "./mcp-harness.js";

/** A value that must never show up anywhere but an allowed reveal. */
const SENTINEL = "sk_live_SENTINEL_7f3a9c2d_do_not_leak_4b1e";
const WRITE_ONLY_VALUE = "wo_SENTINEL_91ab77_deploy_token";

/** Reveals the test expects to succeed (the only results allowed to contain a value). */
const allowedReveals = new Set<CallRecord>();

const CODE_PREFIX = /^[A-Z_]+: /;

let ws: Workspace;
let claude: Connection;

beforeAll(async () => {
  ws = makeWorkspace("mcp:\n  exec:\n    allow: [node]\n");
  // A write-only secret, made by the user through the library (MCP tools cannot set writeOnly).
  const { coffer } = await openCoffer({
    cwd: ws.cwd,
    env: { COFFER_HOME: ws.home, HOME: ws.home, PATH: process.env.PATH ?? "" },
    accessor: { id: "test-user", kind: "user", frontEnd: "library" },
  });
  await coffer.set("DEPLOY_TOKEN", WRITE_ONLY_VALUE, { writeOnly: true });
  await coffer.dispose();
  claude = await connectStdio(ws, ["--agent-id", "claude"]);
});

afterAll(async () => {
  await claude?.close();
  ws?.cleanup();
});

describe("tool listing", () => {
  it("lists every tool with truthful annotations", async () => {
    const { tools } = await claude.client.listTools();
    expect(tools.map((t) => t.name)).toEqual([...ALL_TOOL_NAMES]);
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.get("get_secret")?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(byName.get("list_secrets")?.annotations?.readOnlyHint).toBe(true);
    expect(byName.get("delete_secret")?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get("exec_with_secrets")?.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
    for (const tool of tools) expect(tool.description?.length ?? 0).toBeGreaterThan(80);
  });

  it("has the set_secret schema field by field", async () => {
    const { tools } = await claude.client.listTools();
    const schema = tools.find((t) => t.name === "set_secret")?.inputSchema as {
      type: string;
      properties: Record<string, Record<string, unknown>>;
      required: string[];
      additionalProperties?: boolean;
    };
    // Every property, each with its type, description and any enum or default (toMatchObject).
    const expected: Record<string, Record<string, unknown>> = {
      key: {
        type: "string",
        description: "Secret key name (UPPER_SNAKE_CASE recommended). Example: 'STRIPE_SECRET_KEY'.",
      },
      value: {
        type: "string",
        description:
          "The secret value to store. Stored as-is; never logged or echoed. May be empty only when `env` is provided to register a new env without a default.",
      },
      env: {
        type: "string",
        description:
          "If set, writes this value to the named per-env state (superposition) instead of the default slot. Existing default value is preserved as state 'default'. Example: 'prod'.",
      },
      tags: {
        type: "array",
        items: { type: "string" },
        description: "Tag list for filtering and hook matching. Example: ['production', 'payments'].",
      },
      scope: {
        type: "string",
        enum: ["global", "project", "team", "org"],
        default: "global",
        description:
          "Where the secret lives. 'global' = user keyring (default if omitted on reads), 'project' = scoped to projectPath, 'team' = team-shared (needs teamId), 'org' = org-shared (needs orgId).",
      },
      orgId: {
        type: "string",
        description:
          "Organization identifier for org-scoped secrets. Required only when scope='org'. Example: 'acme-corp'.",
      },
      teamId: {
        type: "string",
        description:
          "Team identifier for team-scoped secrets. Required only when scope='team'. Example: 'acme-platform'.",
      },
      projectPath: {
        type: "string",
        description:
          "Absolute path to the project root for project-scoped secrets and policy resolution. Defaults to the MCP server's current working directory when omitted.",
      },
      ttlSeconds: {
        type: "integer",
        description:
          "Quantum decay window in seconds. After this many seconds the secret is marked expired (still readable, but `has_secret` returns false and `health_check` flags it). Omit for no decay.",
      },
      description: {
        type: "string",
        description: "Free-text human-readable description shown in `inspect_secret` and the dashboard.",
      },
      rotationFormat: {
        type: "string",
        enum: expect.arrayContaining(["api-key", "token", "password"]),
        description:
          "Format used by `agent_scan --autoRotate` and `rotate_secret` when this secret expires. Pick the format that matches the upstream service's accepted shape.",
      },
      rotationPrefix: {
        type: "string",
        description:
          "Literal prefix prepended on auto-rotation (only used with rotationFormat 'api-key' or 'token'). Example: 'sk-'.",
      },
    };
    expect(schema.type).toBe("object");
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(expected).sort());
    expect([...schema.required].sort()).toEqual(["key", "value"]);
    for (const [field, shape] of Object.entries(expected)) expect(schema.properties[field], field).toMatchObject(shape);
  });

  it("has the vault_secret schema field by field", async () => {
    const { tools } = await claude.client.listTools();
    const schema = tools.find((t) => t.name === "vault_secret")?.inputSchema as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
    };
    const expected: Record<string, Record<string, unknown>> = {
      action: { type: "string", enum: ["put", "get", "list", "rotate", "delete"] },
      name: { type: "string" },
      value: { type: "string" },
      encoding: { type: "string", enum: ["utf-8", "base64"], default: "utf-8" },
      mode: { type: "string", enum: ["create", "upsert"], default: "upsert" },
      allowedAgentIds: { type: "array", items: { type: "string" } },
      description: { type: "string" },
      tags: { type: "array", items: { type: "string" } },
      expiresAt: { type: "string", format: "date-time" },
      reveal: { type: "boolean", default: false },
      purpose: { type: "string" },
    };
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(expected).sort());
    expect(schema.required).toEqual(["action"]);
    const p = schema.properties;
    for (const [field, shape] of Object.entries(expected)) expect(p[field], field).toMatchObject(shape);
    for (const field of Object.values(p)) expect(typeof field.description).toBe("string");
  });
});

describe("secret lifecycle", () => {
  it("saves without echoing the value", async () => {
    const saved = await claude.call("set_secret", {
      key: "STRIPE_SECRET_KEY",
      value: SENTINEL,
      tags: ["payments"],
      description: "Stripe live key",
    });
    expect(saved).toMatchObject({ isError: false, text: "[global] STRIPE_SECRET_KEY saved" });
    const perEnv = await claude.call("set_secret", {
      key: "STRIPE_SECRET_KEY",
      value: `${SENTINEL}_prod`,
      env: "prod",
    });
    expect(perEnv).toMatchObject({ isError: false, text: "[global] STRIPE_SECRET_KEY set for env:prod" });
    const project = await claude.call("set_secret", {
      key: "DB_URL",
      value: "postgres://u:p@localhost/db",
      scope: "project",
    });
    expect(project).toMatchObject({ isError: false, text: "[project] DB_URL saved" });
  });

  it("registers a new env with an empty value only when env is given", async () => {
    const empty = await claude.call("set_secret", { key: "EMPTY_DEFAULT", value: "" });
    expect(empty.isError).toBe(true);
    expect(empty.text).toMatch(/^INVALID_ARGUMENT: /);
    expect((await claude.call("has_secret", { key: "EMPTY_DEFAULT" })).text).toMatch(/^false/);
    const withEnv = await claude.call("set_secret", { key: "EMPTY_DEFAULT", value: "", env: "staging" });
    expect(withEnv).toMatchObject({ isError: false, text: "[global] EMPTY_DEFAULT set for env:staging" });
  });

  it("gets a masked preview by default", async () => {
    const got = await claude.call("get_secret", { key: "STRIPE_SECRET_KEY", scope: "global" });
    expect(got.isError).toBe(false);
    expect(got.text).toContain("[global] STRIPE_SECRET_KEY");
    expect(got.text).toMatch(/value \(masked\): \S+/);
    expect(got.text).not.toContain(SENTINEL);
  });

  it("refuses reveal without a purpose and reveals with one, recording the purpose", async () => {
    const noPurpose = await claude.call("get_secret", { key: "STRIPE_SECRET_KEY", reveal: true });
    expect(noPurpose.isError).toBe(true);
    expect(noPurpose.text).toMatch(CODE_PREFIX);
    const blank = await claude.call("get_secret", { key: "STRIPE_SECRET_KEY", reveal: true, purpose: "   " });
    expect(blank.isError).toBe(true);

    const revealed = await claude.call("get_secret", {
      key: "STRIPE_SECRET_KEY",
      scope: "global",
      reveal: true,
      purpose: "configure the webhook",
    });
    allowedReveals.add(revealed);
    expect(revealed.isError).toBe(false);
    expect(revealed.text).toContain(`value: ${SENTINEL}`);

    const audit = await claude.call("audit_log", { key: "STRIPE_SECRET_KEY", action: "reveal" });
    expect(audit.text).toContain('purpose="configure the webhook"');
    expect(audit.text).toContain("claude (mcp)");
  });

  it("lists metadata only, with filters", async () => {
    const all = await claude.call("list_secrets");
    expect(all.isError).toBe(false);
    expect(all.text).toContain("[global] STRIPE_SECRET_KEY");
    expect(all.text).toContain("[project] DB_URL");
    expect(all.text).not.toContain("postgres://");
    const byTag = await claude.call("list_secrets", { tag: "payments" });
    expect(byTag.text).toContain("STRIPE_SECRET_KEY");
    expect(byTag.text).not.toContain("DB_URL");
    const byPattern = await claude.call("list_secrets", { pattern: "DB_*" });
    expect(byPattern.text).toContain("DB_URL");
    expect(byPattern.text).not.toContain("STRIPE_SECRET_KEY");
    const byScope = await claude.call("list_secrets", { scope: "project" });
    expect(byScope.text).toContain("DB_URL");
    expect(byScope.text).not.toContain("STRIPE_SECRET_KEY");
    const byEnv = await claude.call("list_secrets", { env: "prod" });
    expect(byEnv.text).toContain("STRIPE_SECRET_KEY");
    expect(byEnv.text).not.toContain("DB_URL");
  });

  it("inspects full metadata as JSON without the value", async () => {
    const inspected = await claude.call("inspect_secret", { key: "STRIPE_SECRET_KEY", scope: "global" });
    expect(inspected.isError).toBe(false);
    const data = JSON.parse(inspected.text) as {
      name: string;
      states: Array<{ env?: string; description?: string }>;
      accessCount: number;
    };
    expect(data.name).toBe("STRIPE_SECRET_KEY");
    expect(data.states.map((s) => s.env ?? "default").sort()).toEqual(["default", "prod"]);
    expect(data.accessCount).toBeGreaterThan(0);
  });

  it("inspects a secret that has only env states (no default state)", async () => {
    for (const env of ["prod", "staging"])
      expect(
        (await claude.call("set_secret", { key: "ENV_ONLY_DB", value: `env-only-${env}-value`, env })).isError,
      ).toBe(false);
    const inspected = await claude.call("inspect_secret", { key: "ENV_ONLY_DB" });
    expect(inspected.isError, inspected.text).toBe(false);
    expect(inspected.text).not.toContain("env-only-prod-value");
    const data = JSON.parse(inspected.text) as { states: Array<{ env?: string }> };
    expect(data.states.map((s) => s.env).sort()).toEqual(["prod", "staging"]);
  });

  it("refuses numeric arguments outside core's ranges with INVALID_ARGUMENT, changing nothing", async () => {
    const before = await claude.call("list_secrets", { pattern: "STRIPE_SECRET_KEY" });
    for (const [tool, args] of [
      ["rotate_secret", { key: "STRIPE_SECRET_KEY", graceSeconds: 9_000_000_000_000 }],
      ["rotate_secret", { key: "STRIPE_SECRET_KEY", graceSeconds: -1 }],
      ["set_secret", { key: "RANGED", value: "ranged-value", ttlSeconds: 9_000_000_000_000 }],
      ["get_secret", { key: "STRIPE_SECRET_KEY", version: 9_000_000_000_000 }],
      ["list_secrets", { limit: 1001 }],
      ["list_secrets", { pattern: "*a".repeat(200) }],
    ] as const) {
      const answer = await claude.call(tool, args);
      expect(answer.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(answer.text).toMatch(/^INVALID_ARGUMENT: /);
    }
    expect((await claude.call("list_secrets", { pattern: "STRIPE_SECRET_KEY" })).text).toBe(before.text);
    expect((await claude.call("has_secret", { key: "RANGED" })).text).toMatch(/^false/);
  });

  it("rotates with a given value and with a generated one, returning versions only", async () => {
    const given = await claude.call("rotate_secret", { key: "STRIPE_SECRET_KEY", value: `${SENTINEL}_v2` });
    expect(given.isError).toBe(false);
    expect(given.text).toMatch(/^\[global\] STRIPE_SECRET_KEY rotated: v1 -> v2/);
    const generated = await claude.call("rotate_secret", {
      key: "STRIPE_SECRET_KEY",
      format: "api-key",
      prefix: "sk_",
    });
    expect(generated.text).toMatch(/rotated: v2 -> v3 \(generated value/);
    const now = await claude.call("get_secret", {
      key: "STRIPE_SECRET_KEY",
      scope: "global",
      reveal: true,
      purpose: "check rotation",
    });
    allowedReveals.add(now);
    expect(now.text).toMatch(/value: sk_\S+/);
    expect(now.text).not.toContain(SENTINEL);
  });

  it("deletes recoverably, restores, and purges", async () => {
    await claude.call("set_secret", { key: "TEMP_KEY", value: SENTINEL });
    const deleted = await claude.call("delete_secret", { key: "TEMP_KEY" });
    expect(deleted).toMatchObject({ isError: false });
    expect(deleted.text).toMatch(/^\[global\] TEMP_KEY deleted \(recoverable/);
    expect((await claude.call("has_secret", { key: "TEMP_KEY" })).text).toMatch(/^false/);
    const missing = await claude.call("get_secret", { key: "TEMP_KEY" });
    expect(missing.isError).toBe(true);
    expect(missing.text).toMatch(/^NOT_FOUND: /);
    expect((await claude.call("list_secrets", { includeDeleted: true })).text).toContain("TEMP_KEY");
    const restored = await claude.call("restore_secret", { key: "TEMP_KEY" });
    expect(restored).toMatchObject({ isError: false });
    expect(restored.text).toMatch(/^\[global\] TEMP_KEY restored/);
    expect((await claude.call("has_secret", { key: "TEMP_KEY" })).text).toMatch(/^true/);
    const purged = await claude.call("delete_secret", { key: "TEMP_KEY", purge: true });
    expect(purged.text).toMatch(/^\[global\] TEMP_KEY purged/);
    const gone = await claude.call("restore_secret", { key: "TEMP_KEY" });
    expect(gone.isError).toBe(true);
  });

  it("generates: saveAs stores and does not return the value", async () => {
    const saved = await claude.call("generate_secret", { format: "hex", length: 16, saveAs: "SESSION_SECRET" });
    expect(saved.isError).toBe(false);
    expect(saved.text).toMatch(/^\[global\] SESSION_SECRET saved with a generated value .*the value was not returned$/);
    expect(saved.text).not.toMatch(/[0-9a-f]{32}/);
    const shown = await claude.call("generate_secret", { format: "hex", length: 16 });
    expect(shown.text).toMatch(/\n[0-9a-f]{32}$/);
    const stray = await claude.call("generate_secret", { tags: ["x"] });
    expect(stray).toMatchObject({ isError: true });
    expect(stray.text).toMatch(/^INVALID_ARGUMENT: tags only apply with saveAs/);
  });

  it("imports .env content with a dry run first and exports metadata only", async () => {
    const content = `IMPORTED_ONE=${SENTINEL}_a\nIMPORTED_TWO="${SENTINEL}_b"\n`;
    const dry = await claude.call("import_dotenv", { content, dryRun: true });
    expect(dry.text).toMatch(/^dry run \[global\], nothing written: would be 2 created/);
    expect((await claude.call("has_secret", { key: "IMPORTED_ONE" })).text).toMatch(/^false/);
    const real = await claude.call("import_dotenv", { content, tags: ["imported"] });
    expect(real.text).toMatch(/^imported into \[global\]: 2 created/);
    expect((await claude.call("has_secret", { key: "IMPORTED_TWO" })).text).toMatch(/^true/);
    const exported = await claude.call("export_secrets", { tags: ["imported"] });
    const rows = JSON.parse(exported.text) as Array<{ name: string; value?: string }>;
    expect(rows.map((r) => r.name).sort()).toEqual(["IMPORTED_ONE", "IMPORTED_TWO"]);
    expect(rows.every((r) => r.value === undefined)).toBe(true);
  });

  it("entangles and disentangles", async () => {
    await claude.call("set_secret", { key: "LINK_A", value: "first-value-123" });
    await claude.call("set_secret", { key: "LINK_B", value: "other-value-456" });
    const linked = await claude.call("entangle_secrets", { keyA: "LINK_A", keyB: "LINK_B" });
    expect(linked.isError).toBe(false);
    expect(linked.text).toContain("entangled [global] LINK_A <-> [global] LINK_B");
    await claude.call("set_secret", { key: "LINK_A", value: "shared-value-789" });
    const b = await claude.call("get_secret", {
      key: "LINK_B",
      scope: "global",
      reveal: true,
      purpose: "verify entanglement",
    });
    allowedReveals.add(b);
    expect(b.text).toContain("value: shared-value-789");
    const unlinked = await claude.call("disentangle_secrets", { keyA: "LINK_A", keyB: "LINK_B" });
    expect(unlinked.text).toMatch(/^disentangled/);
  });

  it("treats a secret past its TTL as expired: has_secret false, listed as expired, flagged by health_check", async () => {
    const saved = await claude.call("set_secret", { key: "SHORT_LIVED", value: SENTINEL, ttlSeconds: 1 });
    expect(saved.text).toBe("[global] SHORT_LIVED saved");
    expect((await claude.call("has_secret", { key: "SHORT_LIVED" })).text).toMatch(/^true/);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await claude.call("has_secret", { key: "SHORT_LIVED" })).text).toBe(
      "false: SHORT_LIVED is missing or expired",
    );
    const expired = await claude.call("list_secrets", { expired: true });
    expect(expired.text).toContain("SHORT_LIVED");
    expect(expired.text).not.toContain("DB_URL");
    expect((await claude.call("list_secrets", { expired: false })).text).not.toContain("SHORT_LIVED");
    expect((await claude.call("list_secrets", { stale: true })).text).toContain("SHORT_LIVED");
    const health = await claude.call("health_check");
    expect(health.text).toMatch(/expired \(1\):\n {2}\[global\] SHORT_LIVED expired/);
    const stillReadable = await claude.call("get_secret", { key: "SHORT_LIVED" });
    expect(stillReadable.text).toContain("expired (TTL passed");
    await claude.call("delete_secret", { key: "SHORT_LIVED", purge: true });
  });

  it("answers detect_environment, health_check and audit_log with verify", async () => {
    const detected = await claude.call("detect_environment");
    expect(detected.text).toMatch(/^env: /);
    const health = await claude.call("health_check");
    expect(health.text).toMatch(/^status: ok/);
    expect(health.text).toContain("local");
    const audit = await claude.call("audit_log", { verify: true, limit: 5 });
    expect(audit.text).toMatch(/^chain verified: \d+ entries intact/);
  });
});

describe("access control", () => {
  it("refuses to reveal a write-only secret but shows its metadata", async () => {
    const masked = await claude.call("get_secret", { key: "DEPLOY_TOKEN" });
    expect(masked.isError).toBe(false);
    expect(masked.text).toContain("(write-only)");
    const reveal = await claude.call("get_secret", { key: "DEPLOY_TOKEN", reveal: true, purpose: "deploy" });
    expect(reveal.isError).toBe(true);
    expect(reveal.text).toMatch(/^PERMISSION_DENIED: /);
  });

  it("enforces allowedAgentIds against another agent for reads, writes, rotations and deletes", async () => {
    const put = await claude.call("vault_secret", {
      action: "put",
      name: "openai/default_api_key",
      value: SENTINEL,
      mode: "create",
      allowedAgentIds: ["claude"],
      description: "Default OpenAI API key",
    });
    expect(put).toMatchObject({ isError: false, text: "stored openai/default_api_key (version 1)" });
    const own = await claude.call("vault_secret", {
      action: "get",
      name: "openai/default_api_key",
      reveal: true,
      purpose: "call the API",
    });
    allowedReveals.add(own);
    expect(own.text).toContain(`value: ${SENTINEL}`);

    const intruder = await connectStdio(ws, ["--agent-id", "intruder"]);
    try {
      const reveal = await intruder.call("vault_secret", {
        action: "get",
        name: "openai/default_api_key",
        reveal: true,
        purpose: "curious",
      });
      expect(reveal.isError).toBe(true);
      expect(reveal.text).toMatch(/^PERMISSION_DENIED: /);
      const overwrite = await intruder.call("set_secret", { key: "openai/default_api_key", value: "attacker-value" });
      expect(overwrite.isError).toBe(true);
      expect(overwrite.text).toMatch(/^PERMISSION_DENIED: /);
      const rotate = await intruder.call("rotate_secret", { key: "openai/default_api_key" });
      expect(rotate.text).toMatch(/^PERMISSION_DENIED: /);
      const remove = await intruder.call("delete_secret", { key: "openai/default_api_key", purge: true });
      expect(remove.text).toMatch(/^PERMISSION_DENIED: /);
      const vaultDelete = await intruder.call("vault_secret", { action: "delete", name: "openai/default_api_key" });
      expect(vaultDelete.text).toMatch(/^PERMISSION_DENIED: /);
      const exec = await intruder.call("exec_with_secrets", {
        command: "node",
        args: ["-e", "process.stdout.write(String(process.env.OPENAI_DEFAULT_API_KEY))"],
        secrets: ["openai/default_api_key"],
      });
      expect(exec.isError).toBe(true);
      expect(intruder.stderr()).not.toContain(SENTINEL);
    } finally {
      await intruder.close();
    }
    // Still intact for its owner.
    const after = await claude.call("vault_secret", { action: "get", name: "openai/default_api_key" });
    expect(after.text).toMatch(/v1 \|/);
  });
});

describe("vault_secret", () => {
  it("puts, gets masked, lists, rotates and deletes permanently", async () => {
    const exists = await claude.call("vault_secret", {
      action: "put",
      name: "openai/default_api_key",
      value: "x",
      mode: "create",
    });
    expect(exists.text).toMatch(/^ALREADY_EXISTS: /);
    await claude.call("vault_secret", {
      action: "put",
      name: "github/pat",
      value: `${SENTINEL}_gh`,
      tags: ["ci"],
      expiresAt: "2099-01-01T00:00:00Z",
    });
    const masked = await claude.call("vault_secret", { action: "get", name: "github/pat" });
    expect(masked.text).toMatch(/value \(masked\): \S+/);
    const listed = await claude.call("vault_secret", { action: "list" });
    expect(listed.text).toContain("github/pat");
    expect(listed.text).toContain("openai/default_api_key");
    const rotated = await claude.call("vault_secret", {
      action: "rotate",
      name: "github/pat",
      value: `${SENTINEL}_gh2`,
    });
    expect(rotated).toMatchObject({ isError: false, text: "rotated github/pat: version 1 -> 2" });
    const needsValue = await claude.call("vault_secret", { action: "rotate", name: "github/pat" });
    expect(needsValue.text).toBe("INVALID_ARGUMENT: value is required for action rotate");
    const binary = await claude.call("vault_secret", {
      action: "put",
      name: "certs/blob",
      value: Buffer.from([0, 1, 2, 255]).toString("base64"),
      encoding: "base64",
    });
    expect(binary.isError).toBe(false);
    const deleted = await claude.call("vault_secret", { action: "delete", name: "github/pat" });
    expect(deleted.text).toMatch(/^deleted github\/pat permanently/);
    const gone = await claude.call("restore_secret", { key: "github/pat" });
    expect(gone.isError).toBe(true);
  });

  it("refuses values over 64 KiB and misplaced fields, changing nothing", async () => {
    const big = await claude.call("vault_secret", {
      action: "put",
      name: "big/blob",
      value: "a".repeat(64 * 1024 + 1),
    });
    expect(big.isError).toBe(true);
    expect(big.text).toMatch(/^TOO_LARGE: /);
    const bigB64 = await claude.call("vault_secret", {
      action: "put",
      name: "big/blob",
      value: Buffer.alloc(64 * 1024 + 1).toString("base64"),
      encoding: "base64",
    });
    expect(bigB64.text).toMatch(/^TOO_LARGE: /);
    const stray = await claude.call("vault_secret", { action: "get", name: "big/blob", value: "x" });
    expect(stray.text).toMatch(/^INVALID_ARGUMENT: value does not apply to action get/);
    const badDate = await claude.call("vault_secret", {
      action: "put",
      name: "big/blob",
      value: "x",
      expiresAt: "next tuesday",
    });
    expect(badDate.text).toMatch(/^INVALID_ARGUMENT: .*expiresAt must be an RFC 3339 date-time/);
    expect((await claude.call("has_secret", { key: "big/blob" })).text).toMatch(/^false/);
  });
});

describe("exec_with_secrets", () => {
  it("masks an injected value the child prints, also split across writes", async () => {
    const script = [
      "const v = process.env.STRIPE_SECRET_KEY;",
      "process.stdout.write('full:' + v + ' ünïcødé ✓\\n');",
      "process.stdout.write('split:' + v.slice(0, 9));",
      "setTimeout(() => { process.stdout.write(v.slice(9) + '\\n'); process.stderr.write('err:' + v + '\\n'); }, 40);",
    ].join(" ");
    await claude.call("set_secret", { key: "STRIPE_SECRET_KEY", value: SENTINEL });
    const result = await claude.call("exec_with_secrets", {
      command: "node",
      args: ["-e", script],
      secrets: ["STRIPE_SECRET_KEY"],
      purpose: "run the webhook test",
    });
    expect(result.isError).toBe(false);
    expect(result.text).toMatch(/^exit code 0\ninjected: STRIPE_SECRET_KEY\n/);
    expect(result.text).toContain("full:[REDACTED:STRIPE_SECRET_KEY] ünïcødé ✓");
    expect(result.text).toContain("split:");
    expect(result.text).toContain("err:");
    expect(result.text).not.toContain(SENTINEL);
    expect(result.text).not.toContain(SENTINEL.slice(9));
    const audit = await claude.call("audit_log", { action: "exec", limit: 1 });
    expect(audit.text).toContain('purpose="run the webhook test"');
  });

  it("injects a write-only secret without showing it", async () => {
    const result = await claude.call("exec_with_secrets", {
      command: "node",
      args: ["-e", "process.stdout.write('len=' + process.env.DEPLOY_TOKEN.length + ' v=' + process.env.DEPLOY_TOKEN)"],
      secrets: ["DEPLOY_TOKEN"],
    });
    expect(result.text).toContain(`len=${WRITE_ONLY_VALUE.length}`);
    expect(result.text).not.toContain(WRITE_ONLY_VALUE);
  });

  it("refuses commands outside the allowlist and network tools, running nothing, and audits the refusal", async () => {
    const curl = await claude.call("exec_with_secrets", { command: "curl", args: ["https://example.com"] });
    expect(curl.isError).toBe(true);
    expect(curl.text).toMatch(/^PERMISSION_DENIED: exec of secrets denied: command "curl" is a network tool/);
    const marker = join(ws.cwd, "touched-by-refused-command");
    const touch = await claude.call("exec_with_secrets", { command: "touch", args: [marker] });
    expect(touch.isError).toBe(true);
    expect(touch.text).toMatch(
      /^PERMISSION_DENIED: exec of secrets denied: command "touch" is not in project:mcp\.exec\.allow/,
    );
    expect(touch.text).toContain("hint: allow it in coffer.yaml or config.yaml");
    expect(touch.text).toContain("--exec-allow, when it starts");
    expect(existsSync(marker)).toBe(false);
    // The refusal was decided and recorded by the core's policy engine, with the rule.
    const denial = await claude.call("audit_log", { action: "policy-deny", limit: 1 });
    expect(denial.text).toMatch(/claude \(mcp\) policy-deny FAILED PERMISSION_DENIED/);
    expect(denial.text).toContain('"rule":"project:mcp.exec.allow"');
    expect(denial.text).toContain('"requested":"exec"');
    const failedExec = await claude.call("audit_log", { action: "exec", failedOnly: true, limit: 1 });
    expect(failedExec.text).toContain('"command":"touch"');
    const shell = await claude.call("exec_with_secrets", { command: "node -e 1" });
    expect(shell.text).toMatch(/^INVALID_ARGUMENT: /);
  });

  it("fails for unknown secrets, reports exit codes, and enforces the timeout", async () => {
    const unknown = await claude.call("exec_with_secrets", {
      command: "node",
      args: ["-e", "0"],
      secrets: ["NO_SUCH_SECRET"],
    });
    expect(unknown.text).toMatch(
      /^NOT_FOUND: secrets not found or not allowed: NO_SUCH_SECRET; the command was not run/,
    );
    const failing = await claude.call("exec_with_secrets", {
      command: "node",
      args: ["-e", "process.exit(3)"],
      secrets: ["STRIPE_SECRET_KEY"],
    });
    expect(failing.text).toMatch(/^exit code 3/);
    const chatty = await claude.call("exec_with_secrets", {
      command: "node",
      args: ["-e", "process.stdout.write('x'.repeat(10000))"],
      secrets: ["STRIPE_SECRET_KEY"],
      maxOutputBytes: 256,
    });
    expect(chatty.text).toContain(`--- stdout ---\n${"x".repeat(256)}\n--- stderr ---`);
    expect(chatty.text).toMatch(/\(output cut at 256 bytes per stream\)$/);
    const slow = await claude.call("exec_with_secrets", {
      command: "node",
      args: ["-e", "setTimeout(() => {}, 20000)"],
      secrets: ["STRIPE_SECRET_KEY"],
      timeoutSeconds: 1,
    });
    expect(slow.text).toMatch(/^timed out after 1 s/);
  });
});

describe("bad arguments", () => {
  it("returns clean INVALID_ARGUMENT results for schema violations and changes nothing", async () => {
    const wrongType = await claude.call("set_secret", { key: 42, value: "x" });
    expect(wrongType).toMatchObject({
      isError: true,
      text: "INVALID_ARGUMENT: invalid arguments for set_secret: key must be a string",
    });
    const missing = await claude.call("set_secret", { key: "NO_VALUE" });
    expect(missing.text).toBe("INVALID_ARGUMENT: invalid arguments for set_secret: value is required");
    const badScope = await claude.call("set_secret", { key: "BAD_SCOPE", value: SENTINEL, scope: "galaxy" });
    expect(badScope.text).toMatch(
      /^INVALID_ARGUMENT: invalid arguments for set_secret: scope must be one of "global", "project", "team", "org"/,
    );
    const unknownField = await claude.call("set_secret", { key: "TYPO", vaule: SENTINEL, value: "x" });
    expect(unknownField.text).toMatch(/^INVALID_ARGUMENT: .*unknown field "vaule"/);
    const ttl = await claude.call("set_secret", { key: "BAD_TTL", value: "x", ttlSeconds: -5 });
    expect(ttl.text).toMatch(/^INVALID_ARGUMENT: .*ttlSeconds/);
    for (const result of [wrongType, missing, badScope, unknownField, ttl]) {
      expect(result.text).not.toContain(SENTINEL);
      expect(result.text).not.toMatch(/MCP error|at .*\.js:\d+/);
    }
    for (const key of ["NO_VALUE", "BAD_SCOPE", "TYPO", "BAD_TTL"])
      expect((await claude.call("has_secret", { key })).text).toMatch(/^false/);
  });

  it("refuses service-level bad input: team scope without teamId, bad names, oversize values, relative projectPath", async () => {
    const team = await claude.call("set_secret", { key: "TEAM_KEY", value: SENTINEL, scope: "team" });
    expect(team.isError).toBe(true);
    expect(team.text).toMatch(/^INVALID_ARGUMENT: /);
    const badName = await claude.call("set_secret", { key: "bad name!", value: SENTINEL });
    expect(badName.text).toMatch(/^INVALID_ARGUMENT: secret name "bad name!" must match/);
    const reserved = await claude.call("set_secret", { key: "COFFER_MASTER_KEY", value: SENTINEL });
    expect(reserved.text).toMatch(/^INVALID_ARGUMENT: /);
    const big = await claude.call("set_secret", { key: "BIG_VALUE", value: "x".repeat(64 * 1024 + 1) });
    expect(big.text).toMatch(/^TOO_LARGE: /);
    const relative = await claude.call("set_secret", {
      key: "REL_PATH",
      value: SENTINEL,
      scope: "project",
      projectPath: "some/dir",
    });
    expect(relative.text).toBe("INVALID_ARGUMENT: projectPath must be an absolute path");
    const listed = await claude.call("list_secrets", { pattern: "*" });
    for (const name of ["TEAM_KEY", "BIG_VALUE", "REL_PATH"]) expect(listed.text).not.toContain(name);
    const unknownTool = await claude.client.callTool({ name: "drop_all_secrets", arguments: {} });
    expect(unknownTool.isError).toBe(true);
  });
});

describe("leak check", () => {
  it("never shows a sentinel value except in an allowed reveal, in results or logs", () => {
    expect(transcript.length).toBeGreaterThan(50);
    expect(allowedReveals.size).toBeGreaterThan(0);
    for (const [index, record] of transcript.entries()) {
      if (allowedReveals.has(record)) continue;
      for (const value of [SENTINEL, WRITE_ONLY_VALUE]) {
        if (record.text.includes(value)) throw new Error(`call #${index} (${record.tool}) leaked a value`);
      }
    }
    expect(claude.stderr()).not.toContain(SENTINEL);
    expect(claude.stderr()).not.toContain(WRITE_ONLY_VALUE);
  });
});

describe("tool selection", () => {
  it("--tools core exposes the core set only", async () => {
    const core = await connectStdio(ws, ["--agent-id", "claude", "--tools", "core"]);
    try {
      const { tools } = await core.client.listTools();
      expect(tools.map((t) => t.name)).toEqual([...CORE_TOOL_NAMES]);
      const hidden = await core.client.callTool({ name: "audit_log", arguments: {} });
      expect(hidden.isError).toBe(true);
    } finally {
      await core.close();
    }
  });
});

describe("writes past a hard expiry", () => {
  it("warns when a write keeps a hard expiry that is already past", async () => {
    const { coffer } = await openCoffer({
      cwd: ws.cwd,
      env: { COFFER_HOME: ws.home, HOME: ws.home, PATH: process.env.PATH ?? "" },
      accessor: { id: "test-user", kind: "user", frontEnd: "library" },
    });
    await coffer.set("BORN_EXPIRED", "born-expired-v1", { expiresAt: "2020-01-01" });
    await coffer.dispose();
    const answer = await claude.call("set_secret", { key: "BORN_EXPIRED", value: "born-expired-v2" });
    expect(answer.isError, answer.text).toBe(false);
    expect(answer.text).toMatch(/Warning: its expiresAt is already past/);
    expect(answer.text).not.toContain("born-expired-v2");
  });
});
