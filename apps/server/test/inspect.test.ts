import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerUnderTest, secretPath, startServer } from "./server-process.js";

let server: ServerUnderTest;
let admin: string;

beforeAll(async () => {
  server = await startServer();
  admin = await server.token({ name: "inspector", scopes: ["admin"] });
});
afterAll(async () => server?.stop());

describe("GET /v1/secrets/{name}/inspect", () => {
  it("returns every env state, versions, entanglement and access count, never the value", async () => {
    const value = "sk_inspect_value_0001";
    expect(
      (
        await server.request("PUT", secretPath("api-inspect"), {
          token: admin,
          json: { value, tags: ["payments"], description: "inspect me", ttlSeconds: 86_400 },
        })
      ).status,
    ).toBe(201);
    await server.request("PUT", secretPath("api-inspect"), {
      token: admin,
      json: { value: `${value}-prod`, env: "prod" },
    });
    await server.request("PUT", secretPath("api-inspect"), { token: admin, json: { value: `${value}-2` } });
    await server.request("PUT", secretPath("api-partner"), { token: admin, json: { value: "partner-value-1" } });
    await server.coffer.entangle("api-inspect", "api-partner");
    await server.request("GET", `${secretPath("api-inspect")}?reveal=true&purpose=count%20me`, { token: admin });

    const res = await server.request("GET", secretPath("api-inspect", "/inspect"), { token: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.text).not.toContain(value);
    expect(res.body).toMatchObject({
      name: "api-inspect",
      scope: { kind: "global" },
      scopeLabel: "global",
      provider: "local",
      entangledWith: ["api-partner"],
    });
    expect(res.body.accessCount).toBeGreaterThanOrEqual(1);
    expect(res.body.lastAccess).toEqual(expect.any(String));
    const states = res.body.states as Array<{
      env?: string;
      version: number;
      tags?: string[];
      decay: { state: string };
    }>;
    expect(states.map((s) => s.env ?? "default").sort()).toEqual(["default", "prod"]);
    const primary = states.find((s) => s.env === undefined);
    expect(primary).toMatchObject({ version: 2, tags: ["payments"], decay: { state: "fresh" } });
    expect((res.body.versions as Array<{ version: number }>).map((v) => v.version)).toEqual([2, 1]);
  });

  it("inspects a secret with only env states (no default state): every state, the env in force marked", async () => {
    for (const env of ["prod", "staging", "dev"]) {
      const put = await server.request("PUT", secretPath("database-url"), {
        token: admin,
        json: { value: `postgres://db-${env}-secret`, env },
      });
      expect(put.status).toBe(201);
    }
    const res = await server.request("GET", `${secretPath("database-url", "/inspect")}?env=prod`, { token: admin });
    expect(res.status, res.text).toBe(200);
    expect(res.text).not.toContain("db-prod-secret");
    expect((res.body.states as Array<{ env?: string }>).map((s) => s.env).sort()).toEqual(["dev", "prod", "staging"]);
    expect(res.body).toMatchObject({ envInForce: "prod", stateInForce: "prod", versionsOf: "prod" });
    const noEnv = await server.request("GET", secretPath("database-url", "/inspect"), { token: admin });
    expect(noEnv.status, noEnv.text).toBe(200);
    expect(noEnv.body.states).toHaveLength(3);
    expect(noEnv.body.stateInForce).toBeUndefined();
  });

  it("hides entangled names outside the token's pattern, and refuses names outside it", async () => {
    const limited = await server.token({ name: "api-only-inspect", scopes: ["secrets:read"], pattern: "api-inspect" });
    const res = await server.request("GET", secretPath("api-inspect", "/inspect"), { token: limited });
    expect(res.status).toBe(200);
    expect(res.body.entangledWith).toEqual([]);
    const outside = await server.request("GET", secretPath("api-partner", "/inspect"), { token: limited });
    expect(outside.status).toBe(403);
  });

  it("answers 404 for a missing secret, 403 without secrets:read, 400 for an unknown parameter", async () => {
    expect((await server.request("GET", secretPath("nope", "/inspect"), { token: admin })).body.code).toBe("NOT_FOUND");
    const auditor = await server.token({ name: "audit-only-inspect", scopes: ["audit:read"] });
    expect((await server.request("GET", secretPath("api-inspect", "/inspect"), { token: auditor })).status).toBe(403);
    expect(
      (await server.request("GET", `${secretPath("api-inspect", "/inspect")}?reveal=true`, { token: admin })).status,
    ).toBe(400);
  });
});

describe("POST /v1/secrets/{name}/entangle and /disentangle", () => {
  it("links two secrets through core (a write reaches both), then unlinks them", async () => {
    for (const name of ["link-a", "link-b"])
      await server.request("PUT", secretPath(name), { token: admin, json: { value: `${name}-value-1` } });
    const linked = await server.request("POST", secretPath("link-a", "/entangle"), {
      token: admin,
      json: { with: "link-b" },
    });
    expect(linked.status, linked.text).toBe(200);
    expect([...linked.body.group].sort()).toEqual(["link-a", "link-b"]);
    const inspected = await server.request("GET", secretPath("link-a", "/inspect"), { token: admin });
    expect(inspected.body.entangledWith).toEqual(["link-b"]);
    await server.request("PUT", secretPath("link-a"), { token: admin, json: { value: "link-shared-value-2" } });
    const b = await server.request("GET", `${secretPath("link-b")}?reveal=true&purpose=check%20link`, { token: admin });
    expect(b.body.value).toBe("link-shared-value-2");

    const unlinked = await server.request("POST", secretPath("link-a", "/disentangle"), {
      token: admin,
      json: { with: "link-b" },
    });
    expect(unlinked.status, unlinked.text).toBe(200);
    expect(unlinked.body).toEqual({ removed: true });
    expect(
      (await server.request("GET", secretPath("link-a", "/inspect"), { token: admin })).body.entangledWith,
    ).toEqual([]);
    const again = await server.request("POST", secretPath("link-a", "/disentangle"), {
      token: admin,
      json: { with: "link-b" },
    });
    expect(again.body).toEqual({ removed: false });
  });

  it("refuses a missing secret (404), a read-only token (403) and a bad body (400), linking nothing", async () => {
    const missing = await server.request("POST", secretPath("link-a", "/entangle"), {
      token: admin,
      json: { with: "no-such-link" },
    });
    expect(missing.status).toBe(404);
    const reader = await server.token({ name: "link-reader", scopes: ["secrets:read"] });
    const denied = await server.request("POST", secretPath("link-a", "/entangle"), {
      token: reader,
      json: { with: "link-b" },
    });
    expect(denied.status).toBe(403);
    const bad = await server.request("POST", secretPath("link-a", "/entangle"), { token: admin, json: {} });
    expect(bad.status).toBe(400);
    expect(
      (await server.request("GET", secretPath("link-a", "/inspect"), { token: admin })).body.entangledWith,
    ).toEqual([]);
  });
});
