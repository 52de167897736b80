import { apiTokens } from "@coffer/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerUnderTest, secretPath, startServer, storeOf } from "./server-process.js";

let server: ServerUnderTest;
let admin: string;

beforeAll(async () => {
  server = await startServer();
  admin = await server.token({ name: "admin", scopes: ["admin"] });
  for (const [name, value] of [
    ["api-one", "api-one-value"],
    ["db-password", "db-password-value"],
  ]) {
    const res = await server.request("PUT", secretPath(name as string), { token: admin, json: { value } });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => server?.stop());

function expectUnauthenticated(res: Awaited<ReturnType<ServerUnderTest["request"]>>) {
  expect(res.status).toBe(401);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="coffer"/);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.body).toMatchObject({ status: 401, code: "UNAUTHENTICATED", type: "urn:coffer:error:unauthenticated" });
}

describe("authentication", () => {
  it("refuses every /v1 route without a token", async () => {
    for (const [method, path] of [
      ["GET", "/v1/secrets"],
      ["GET", secretPath("api-one")],
      ["PUT", secretPath("api-one")],
      ["DELETE", secretPath("api-one")],
      ["POST", secretPath("api-one", "/restore")],
      ["POST", secretPath("api-one", "/rotate")],
      ["GET", secretPath("api-one", "/versions")],
      ["POST", secretPath("api-one", "/rollback")],
      ["POST", "/v1/import"],
      ["GET", "/v1/export"],
      ["GET", "/v1/audit"],
      ["GET", "/v1/audit/verify"],
      ["GET", "/v1/providers"],
    ] as const) {
      const res = await server.request(method, path, method === "PUT" ? { json: { value: "x-should-not-land" } } : {});
      expectUnauthenticated(res);
    }
    const still = await server.request("GET", `${secretPath("api-one")}?reveal=true&purpose=t`, { token: admin });
    expect(still.body.value).toBe("api-one-value");
  });

  it("refuses a token revoked by another process from its very next request, while it was in use", async () => {
    const busy = await server.token({ name: "busy", scopes: ["secrets:read"] });
    for (let i = 0; i < 5; i++) {
      expect((await server.request("GET", secretPath("api-one"), { token: busy })).status).toBe(200);
    }
    // The test process holds its own connection to the store, like `coffer token revoke` would.
    expect(await server.tokens.revoke("busy")).toBe(true);
    expectUnauthenticated(await server.request("GET", secretPath("api-one"), { token: busy }));
    expect((await server.request("GET", secretPath("api-one"), { token: admin })).status).toBe(200);
  });

  it("refuses malformed, wrong, revoked and expired tokens with one message", async () => {
    const revoked = await server.token({ name: "revoked", scopes: ["admin"] });
    await server.tokens.revoke("revoked");
    const past = apiTokens(storeOf(server), {
      clock: () => new Date(Date.now() - 2 * 3600_000),
    });
    const expired = (await past.create({ name: "expired", scopes: ["admin"], expiresInSeconds: 3600 })).token;
    const wrong = `${admin.slice(0, -2)}${admin.endsWith("AA") ? "BB" : "AA"}`;
    const details = new Set<string>();
    for (const header of [
      `Bearer ${wrong}`,
      `Bearer ${revoked}`,
      `Bearer ${expired}`,
      "Bearer cfr_nope",
      "Basic abc",
      `bearer${admin}`,
    ]) {
      const res = await server.request("GET", "/v1/secrets", { headers: { authorization: header } });
      expectUnauthenticated(res);
      if (header.startsWith("Bearer ")) details.add(res.body.detail);
    }
    expect(details.size).toBe(1);
    const ok = await server.request("GET", "/v1/secrets", { headers: { authorization: `bearer ${admin}` } });
    expect(ok.status).toBe(200);
  });

  it("keeps /healthz, /openapi.json and /docs public", async () => {
    expect((await server.request("GET", "/healthz")).status).toBe(200);
    expect((await server.request("GET", "/openapi.json")).status).toBe(200);
    expect((await server.request("GET", "/docs/")).status).toBe(200);
  });
});

describe("token scopes and patterns", () => {
  it("enforces scopes per action", async () => {
    const reader = await server.token({ name: "reader", scopes: ["secrets:read"] });
    expect((await server.request("GET", "/v1/secrets", { token: reader })).status).toBe(200);
    expect((await server.request("GET", secretPath("api-one"), { token: reader })).status).toBe(200);
    const cases: Array<[string, string, object, string]> = [
      ["GET", `${secretPath("api-one")}?reveal=true&purpose=x`, {}, "secrets:reveal"],
      ["PUT", secretPath("api-one"), { json: { value: "overwritten-by-reader" } }, "secrets:write"],
      ["POST", secretPath("api-one", "/rotate"), { json: {} }, "secrets:write"],
      ["POST", secretPath("api-one", "/rollback"), { json: { to: 1 } }, "secrets:write"],
      ["DELETE", secretPath("api-one"), {}, "secrets:delete"],
      ["DELETE", `${secretPath("api-one")}?purge=true`, {}, "secrets:delete"],
      ["POST", secretPath("api-one", "/restore"), {}, "secrets:delete"],
      ["GET", "/v1/audit", {}, "audit:read"],
      ["GET", "/v1/audit/verify", {}, "audit:read"],
      ["GET", "/v1/export?includeValues=true", {}, "export"],
      ["POST", "/v1/import", { body: "API_X=1\n", headers: { "content-type": "text/plain" } }, "secrets:write"],
    ];
    for (const [method, path, opts, scope] of cases) {
      const res = await server.request(method, path, { token: reader, ...opts });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.code).toBe("PERMISSION_DENIED");
      expect(res.body.detail).toContain(scope);
    }
    const after = await server.request("GET", `${secretPath("api-one")}?reveal=true&purpose=t`, { token: admin });
    expect(after.body).toMatchObject({ version: 1, value: "api-one-value" });
    expect((await server.request("GET", "/v1/secrets?pattern=API_X", { token: admin })).body.items).toEqual([]);
  });

  it("lets a reveal-only token reveal but not list", async () => {
    const revealer = await server.token({ name: "revealer", scopes: ["secrets:reveal"] });
    const res = await server.request("GET", `${secretPath("api-one")}?reveal=true&purpose=ci`, { token: revealer });
    expect(res.body.value).toBe("api-one-value");
    expect((await server.request("GET", "/v1/secrets", { token: revealer })).status).toBe(403);
  });

  it("restricts names to the token pattern", async () => {
    const scoped = await server.token({
      name: "ci",
      scopes: ["secrets:read", "secrets:write", "secrets:reveal", "admin"],
      pattern: "api-*",
    });
    expect((await server.request("GET", secretPath("api-one"), { token: scoped })).status).toBe(200);
    const denied = await server.request("GET", `${secretPath("db-password")}?reveal=true&purpose=x`, { token: scoped });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe("PERMISSION_DENIED");
    expect(denied.text).not.toContain("db-password-value");
    expect(
      (await server.request("PUT", secretPath("db-password"), { token: scoped, json: { value: "hijacked-value" } }))
        .status,
    ).toBe(403);
    expect((await server.request("DELETE", secretPath("db-password"), { token: scoped })).status).toBe(403);
    const listed = await server.request("GET", "/v1/secrets", { token: scoped });
    expect(listed.body.items.map((i: { name: string }) => i.name)).toEqual(["api-one"]);
    const exported = await server.request("GET", "/v1/export", { token: scoped });
    expect(exported.body.items.map((i: { name: string }) => i.name)).toEqual(["api-one"]);
    const importMixed = await server.request("POST", "/v1/import", {
      token: scoped,
      body: "api-two=fine-value\ndb-other=not-allowed-value\n",
      headers: { "content-type": "text/plain" },
    });
    expect(importMixed.status).toBe(403);
    const names = (await server.request("GET", "/v1/secrets", { token: admin })).body.items.map(
      (i: { name: string }) => i.name,
    );
    expect(names).not.toContain("api-two");
    expect(names).not.toContain("db-other");
    const dbValue = await server.request("GET", `${secretPath("db-password")}?reveal=true&purpose=t`, { token: admin });
    expect(dbValue.body).toMatchObject({ version: 1, value: "db-password-value" });
  });

  it("records the token name as the accessor in the audit log", async () => {
    const auditor = await server.token({ name: "auditor", scopes: ["audit:read", "secrets:reveal"] });
    const reveal = await server.request("GET", `${secretPath("api-one")}?reveal=true&purpose=quarterly%20review`, {
      token: auditor,
    });
    expect(reveal.status).toBe(200);
    const audit = await server.request("GET", "/v1/audit?accessor=auditor&action=reveal", { token: auditor });
    expect(audit.status).toBe(200);
    expect(audit.body.items[0]).toMatchObject({
      accessor: "auditor",
      action: "reveal",
      name: "api-one",
      purpose: "quarterly review",
      frontEnd: "rest",
      success: true,
    });
    expect(audit.text).not.toContain("api-one-value");
  });
});

describe("rate limiting", () => {
  it("blocks an address after repeated failed authentications, with Retry-After", async () => {
    const limited = await startServer({ userConfig: "server:\n  rateLimit:\n    authFailuresPerAddress: 3\n" });
    try {
      const good = await limited.token({ name: "good", scopes: ["secrets:read"] });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await limited.request("GET", "/v1/secrets", { token: `cfr_${"x".repeat(43)}` })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      const blocked = await limited.request("GET", "/v1/secrets", { token: good });
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe("RATE_LIMITED");
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await limited.stop();
    }
  });

  it("limits requests per token", async () => {
    const limited = await startServer({ userConfig: "server:\n  rateLimit:\n    perToken: 4\n" });
    try {
      const a = await limited.token({ name: "a", scopes: ["secrets:read"] });
      const b = await limited.token({ name: "b", scopes: ["secrets:read"] });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await limited.request("GET", "/v1/secrets", { token: a })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      expect((await limited.request("GET", "/v1/secrets", { token: b })).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
