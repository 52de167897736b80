// Governance through coffer-server: the core's policy engine decides token scopes and patterns
// (denials audited with the token name and rule), the project's accessControl and approvals, and
// the audit routes (JSON Lines export, anomalies) and the approvals listing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpResult, type ServerUnderTest, secretPath, startServer } from "./server-process.js";

const PROD_VALUE = "prod-db-value-7e1f";
const APP_VALUE = "app-key-value-90c2";

const PROJECT_CONFIG = `accessControl:
  rules:
    - id: ci-no-prod-reveal
      accessors: ["token:ci-*"]
      names: ["prod/*"]
      deny: [reveal]
approvals:
  tags:
    production: [reveal]
`;

let server: ServerUnderTest;
let admin: string;

beforeAll(async () => {
  server = await startServer({ projectConfig: PROJECT_CONFIG });
  admin = await server.token({ name: "admin", scopes: ["admin"] });
  await server.coffer.set("api-one", "api-one-value");
  await server.coffer.set("prod/db", PROD_VALUE);
  await server.coffer.set("app/key", APP_VALUE, { tags: ["production"] });
});
afterAll(async () => server?.stop());

async function auditOf(query: string): Promise<Array<Record<string, unknown>>> {
  const res = await server.request("GET", `/v1/audit?${query}`, { token: admin });
  expect(res.status).toBe(200);
  return res.body.items;
}

function expectDenied(res: HttpResult, rule: string): void {
  expect(res.status).toBe(403);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ code: "PERMISSION_DENIED", details: { rule } });
}

describe("token scopes decided by the core", () => {
  it("audits a scope denial with the token name and the rule", async () => {
    const reader = await server.token({ name: "scoped-reader", scopes: ["secrets:read"] });
    const res = await server.request("GET", `${secretPath("api-one")}?reveal=true&purpose=x`, { token: reader });
    expectDenied(res, "token-scope:secrets:reveal");
    expect(res.body.detail).toBe(
      'reveal of secret "api-one" denied: token "scoped-reader" lacks the scope secrets:reveal (it has: secrets:read)',
    );
    const [entry] = await auditOf("accessor=scoped-reader&action=policy-deny");
    expect(entry).toMatchObject({
      accessor: "scoped-reader",
      frontEnd: "rest",
      action: "policy-deny",
      name: "api-one",
      success: false,
      errorCode: "PERMISSION_DENIED",
      details: { rule: "token-scope:secrets:reveal", requested: "reveal", requiredScope: "secrets:reveal" },
    });
  });

  it("audits a pattern denial, and answers 403 rather than 404 for names outside the token's reach", async () => {
    const ci = await server.token({
      name: "pattern-writer",
      scopes: ["secrets:read", "secrets:write"],
      pattern: "api-*",
    });
    const write = await server.request("PUT", secretPath("prod/db"), { token: ci, json: { value: "hijack-attempt" } });
    expectDenied(write, "token-pattern");
    const [entry] = await auditOf("accessor=pattern-writer&action=policy-deny");
    expect(entry).toMatchObject({ name: "prod/db", details: { rule: "token-pattern", requested: "write" } });
    // A missing name outside the pattern looks exactly like an existing one: no existence oracle.
    const missing = await server.request("GET", secretPath("db-no-such-secret"), { token: ci });
    expectDenied(missing, "token-pattern");
    const rotateMissing = await server.request("POST", secretPath("db-no-such-secret", "/rotate"), {
      token: ci,
      json: {},
    });
    expectDenied(rotateMissing, "token-pattern");
    const restoreLive = await server.request("POST", secretPath("api-one", "/restore"), { token: ci });
    expectDenied(restoreLive, "token-scope:secrets:delete");
    expect((await server.request("GET", secretPath("api-no-such-secret"), { token: ci })).status).toBe(404);
    expect((await server.request("GET", secretPath("db-no-such-secret"), { token: admin })).status).toBe(404);
    const value = await server.request("GET", `${secretPath("prod/db")}?reveal=true&purpose=check`, {
      token: admin,
    });
    expect(value.body.value).toBe(PROD_VALUE);
  });
});

describe("accessControl and approvals from coffer.yaml", () => {
  it("refuses the reveal a project rule denies, even to an admin token, and audits the rule", async () => {
    const ci = await server.token({ name: "ci-deploy", scopes: ["admin"] });
    const denied = await server.request("GET", `${secretPath("prod/db")}?reveal=true&purpose=deploy`, { token: ci });
    expectDenied(denied, "project:rule:ci-no-prod-reveal");
    expect(denied.text).not.toContain(PROD_VALUE);
    const masked = await server.request("GET", secretPath("prod/db"), { token: ci });
    expect(masked.status).toBe(200);
    const [entry] = await auditOf("accessor=ci-deploy&action=policy-deny");
    expect(entry).toMatchObject({ name: "prod/db", details: { rule: "project:rule:ci-no-prod-reveal" } });
  });

  it("files an approval request, lists it for admin tokens only, and reveals once a person approved it", async () => {
    const app = await server.token({ name: "app-runner", scopes: ["secrets:read", "secrets:reveal"] });
    const first = await server.request("GET", `${secretPath("app/key")}?reveal=true&purpose=start%20the%20app`, {
      token: app,
    });
    expect(first.status).toBe(403);
    expect(first.body).toMatchObject({
      code: "APPROVAL_REQUIRED",
      type: "urn:coffer:error:approval-required",
      details: { rule: "project:approvals.tags.production", requestId: expect.stringMatching(/^apr_/) },
    });
    expect(first.text).not.toContain(APP_VALUE);
    const id = first.body.details.requestId as string;

    const listed = await server.request("GET", "/v1/approvals?status=pending", { token: admin });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        id,
        status: "pending",
        action: "reveal",
        name: "app/key",
        purpose: "start the app",
        rule: "project:approvals.tags.production",
        requester: { id: "app-runner", kind: "token", frontEnd: "rest" },
      }),
    ]);
    expect((await server.request("GET", "/v1/approvals?status=approved", { token: admin })).body.items).toEqual([]);
    expect((await server.request("GET", "/v1/approvals?requester=nobody", { token: admin })).body.items).toEqual([]);
    const auditor = await server.token({ name: "approvals-auditor", scopes: ["audit:read", "secrets:read"] });
    const refused = await server.request("GET", "/v1/approvals", { token: auditor });
    expectDenied(refused, "token-scope:admin");
    const bad = await server.request("GET", "/v1/approvals?status=maybe", { token: admin });
    expect(bad.status).toBe(400);

    await server.approvals.approve(id, { approver: { id: "alice", kind: "user", frontEnd: "cli" }, forSeconds: 600 });
    const approved = await server.request("GET", "/v1/approvals?status=approved", { token: admin });
    expect(approved.body.items).toEqual([expect.objectContaining({ id, decidedBy: "alice" })]);
    const revealed = await server.request("GET", `${secretPath("app/key")}?reveal=true&purpose=start%20the%20app`, {
      token: app,
    });
    expect(revealed.status).toBe(200);
    expect(revealed.body.value).toBe(APP_VALUE);
  });
});

describe("audit export and anomalies", () => {
  it("exports JSON Lines newest first, pages with a cursor, and keeps a pattern token to its names", async () => {
    const auditor = await server.token({ name: "exporter-auditor", scopes: ["audit:read"] });
    const all = await server.request("GET", "/v1/audit/export", { token: auditor });
    expect(all.status).toBe(200);
    expect(all.headers.get("content-type")).toBe("application/jsonl; charset=utf-8");
    expect(all.headers.get("content-disposition")).toBe('attachment; filename="coffer-audit.jsonl"');
    expect(all.text.endsWith("\n")).toBe(true);
    const entries = all.text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(entries.length).toBeGreaterThan(10);
    for (let i = 1; i < entries.length; i++) expect(entries[i].seq).toBeLessThan(entries[i - 1].seq);
    expect(entries[0]).toMatchObject({ seq: expect.any(Number), hash: expect.any(String), time: expect.any(String) });
    for (const value of [PROD_VALUE, APP_VALUE, "api-one-value"]) expect(all.text).not.toContain(value);

    const page = await server.request("GET", "/v1/audit/export?limit=2", { token: auditor });
    expect(page.text.trimEnd().split("\n")).toHaveLength(2);
    const cursor = page.headers.get("x-next-cursor");
    expect(cursor).toBe(String(JSON.parse(page.text.split("\n")[1] as string).seq));
    const next = await server.request("GET", `/v1/audit/export?limit=2&cursor=${cursor}`, { token: auditor });
    expect(JSON.parse(next.text.split("\n")[0] as string).seq).toBe(Number(cursor) - 1);

    const filtered = await server.request("GET", "/v1/audit/export?action=policy-deny&accessor=ci-deploy", {
      token: auditor,
    });
    expect(
      filtered.text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).name),
    ).toEqual(["prod/db"]);

    const scoped = await server.token({ name: "api-auditor", scopes: ["audit:read"], pattern: "api-*" });
    const mine = await server.request("GET", "/v1/audit/export", { token: scoped });
    const names = mine.text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l).name as string | undefined);
    expect(names).toContain("api-one");
    for (const name of names) if (name !== undefined) expect(name).toMatch(/^api-/);
  });

  it("refuses the export without audit:read and records the refusal", async () => {
    const reader = await server.token({ name: "no-audit-reader", scopes: ["secrets:read"] });
    for (const path of ["/v1/audit/export", "/v1/audit/anomalies"]) {
      const res = await server.request("GET", path, { token: reader });
      expectDenied(res, "token-scope:audit:read");
    }
    const entries = await auditOf("accessor=no-audit-reader&action=policy-deny");
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ details: { rule: "token-scope:audit:read", requested: "admin" } });
  });

  it("flags repeated denials of one token", async () => {
    const prober = await server.token({ name: "prober", scopes: ["secrets:read"] });
    for (let i = 0; i < 3; i++) {
      const res = await server.request("GET", `${secretPath("prod/db")}?reveal=true&purpose=probe`, { token: prober });
      expect(res.status).toBe(403);
    }
    const res = await server.request("GET", "/v1/audit/anomalies?denials=3&denialWindowSeconds=600", { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.examined).toBeGreaterThan(10);
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "repeated-denials", accessor: "prober", count: 3, names: ["prod/db"] }),
      ]),
    );
    const badZone = await server.request("GET", "/v1/audit/anomalies?timeZone=Mars%2FOlympus", { token: admin });
    expect(badZone.status).toBe(400);
    expect(badZone.body).toMatchObject({ code: "INVALID_ARGUMENT", details: { field: "timeZone" } });
  });
});
