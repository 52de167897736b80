import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerUnderTest, secretPath, startServer } from "./server-process.js";

let server: ServerUnderTest;
let admin: string;

beforeAll(async () => {
  server = await startServer();
  admin = await server.token({ name: "admin", scopes: ["admin"] });
});
afterAll(async () => server?.stop());

describe("secret CRUD over HTTP", () => {
  it("creates with PUT (201 + ETag), updates (200), never returning the value", async () => {
    const created = await server.request("PUT", secretPath("api-stripe"), {
      token: admin,
      json: { value: "sk_live_abcdef123456", tags: ["payments"], description: "Stripe key" },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("etag")).toBe('"1"');
    expect(created.body).toMatchObject({ name: "api-stripe", version: 1, scopeLabel: "global" });
    expect(created.text).not.toContain("sk_live_abcdef123456");
    const updated = await server.request("PUT", secretPath("api-stripe"), {
      token: admin,
      json: { value: "sk_live_zzzzzz999999" },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.version).toBe(2);
    expect(updated.headers.get("etag")).toBe('"2"');
    expect(updated.headers.get("cache-control")).toBe("no-store");
  });

  it("reads metadata with a masked value, and the value only with reveal + purpose", async () => {
    const masked = await server.request("GET", secretPath("api-stripe"), { token: admin });
    expect(masked.status).toBe(200);
    expect(masked.body).toMatchObject({
      name: "api-stripe",
      version: 2,
      tags: ["payments"],
      description: "Stripe key",
    });
    expect(masked.body.value).toBeUndefined();
    expect(masked.body.maskedValue).toEqual(expect.any(String));
    expect(masked.text).not.toContain("sk_live_zzzzzz999999");
    expect(masked.headers.get("etag")).toBe('"2"');

    const noPurpose = await server.request("GET", `${secretPath("api-stripe")}?reveal=true`, { token: admin });
    expect(noPurpose.status).toBe(400);
    expect(noPurpose.body.code).toBe("INVALID_ARGUMENT");
    expect(noPurpose.text).not.toContain("sk_live_zzzzzz999999");

    const byQuery = await server.request("GET", `${secretPath("api-stripe")}?reveal=true&purpose=deploy%20billing`, {
      token: admin,
    });
    expect(byQuery.status).toBe(200);
    expect(byQuery.body.value).toBe("sk_live_zzzzzz999999");
    const byHeader = await server.request("GET", `${secretPath("api-stripe")}?reveal=true`, {
      token: admin,
      headers: { "x-coffer-purpose": "rotate webhook" },
    });
    expect(byHeader.status).toBe(200);
    expect(byHeader.body.value).toBe("sk_live_zzzzzz999999");

    const v1 = await server.request("GET", `${secretPath("api-stripe")}?version=1&reveal=true&purpose=audit`, {
      token: admin,
    });
    expect(v1.body).toMatchObject({ version: 1, value: "sk_live_abcdef123456" });
  });

  it("supports names containing / when URL-encoded as %2F", async () => {
    const name = "openai/default_api_key";
    const put = await server.request("PUT", `/v1/secrets/openai%2Fdefault_api_key`, {
      token: admin,
      json: { value: "sk-openai-1" },
    });
    expect(put.status).toBe(201);
    expect(put.body.name).toBe(name);
    const got = await server.request("GET", secretPath(name), { token: admin });
    expect(got.body.name).toBe(name);
    const versions = await server.request("GET", secretPath(name, "/versions"), { token: admin });
    expect(versions.status).toBe(200);
    expect(versions.body.items).toHaveLength(1);
    const listed = await server.request("GET", "/v1/secrets?pattern=openai%2F*", { token: admin });
    expect(listed.body.items.map((i: { name: string }) => i.name)).toEqual([name]);
  });

  it("answers 404 problem for a missing secret", async () => {
    const res = await server.request("GET", secretPath("does-not-exist"), { token: admin });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status: 404,
      code: "NOT_FOUND",
      type: "urn:coffer:error:not-found",
      title: "Not found",
    });
  });

  it("lists with filters and cursor paging", async () => {
    for (let i = 0; i < 5; i++) {
      const r = await server.request("PUT", secretPath(`page-${i}`), {
        token: admin,
        json: { value: `v-${i}-value`, tags: i % 2 ? ["odd"] : [] },
      });
      expect(r.status).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await server.request(
        "GET",
        `/v1/secrets?pattern=page-*&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token: admin },
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((i: { name: string }) => i.name));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen.sort()).toEqual(["page-0", "page-1", "page-2", "page-3", "page-4"]);
    expect(pages).toBe(3);
    const odd = await server.request("GET", "/v1/secrets?pattern=page-*&tag=odd", { token: admin });
    expect(odd.body.items.map((i: { name: string }) => i.name).sort()).toEqual(["page-1", "page-3"]);
    expect(odd.text).not.toContain("v-1-value");
  });

  it("honours If-Match (412 on mismatch) and If-None-Match: * (409 when it exists)", async () => {
    await server.request("PUT", secretPath("cas"), { token: admin, json: { value: "one-1111" } });
    const stale = await server.request("PUT", secretPath("cas"), {
      token: admin,
      json: { value: "two-2222" },
      headers: { "if-match": '"7"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe("CONFLICT");
    const ok = await server.request("PUT", secretPath("cas"), {
      token: admin,
      json: { value: "two-2222" },
      headers: { "if-match": '"1"' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(2);
    const exists = await server.request("PUT", secretPath("cas"), {
      token: admin,
      json: { value: "x-3333" },
      headers: { "if-none-match": "*" },
    });
    expect(exists.status).toBe(409);
    expect(exists.body.code).toBe("ALREADY_EXISTS");
    const fresh = await server.request("PUT", secretPath("cas-new"), {
      token: admin,
      json: { value: "x-3333" },
      headers: { "if-none-match": "*" },
    });
    expect(fresh.status).toBe(201);
    const badTag = await server.request("PUT", secretPath("cas"), {
      token: admin,
      json: { value: "x" },
      headers: { "if-match": "abc" },
    });
    expect(badTag.status).toBe(400);
    const current = await server.request("GET", secretPath("cas"), { token: admin });
    expect(current.body.version).toBe(2);
  });

  it("lets exactly one of N parallel PUTs with the same If-Match succeed", async () => {
    await server.request("PUT", secretPath("race"), { token: admin, json: { value: "start-value" } });
    const n = 8;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        server.request("PUT", secretPath("race"), {
          token: admin,
          json: { value: `writer-${i}-value` },
          headers: { "if-match": "1" },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 200 && s < 300)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(n - 1);
    const final = await server.request("GET", `${secretPath("race")}?reveal=true&purpose=check`, { token: admin });
    expect(final.body.version).toBe(2);
    const winner = results.findIndex((r) => r.status < 300);
    expect(final.body.value).toBe(`writer-${winner}-value`);
  });

  it("deletes recoverably, restores, and purges", async () => {
    await server.request("PUT", secretPath("temp-key"), { token: admin, json: { value: "temp-value-1" } });
    const del = await server.request("DELETE", secretPath("temp-key"), { token: admin });
    expect(del.status).toBe(200);
    expect(del.body.purged).toBe(false);
    expect((await server.request("GET", secretPath("temp-key"), { token: admin })).status).toBe(404);
    const deletedListed = await server.request("GET", "/v1/secrets?pattern=temp-key&includeDeleted=true", {
      token: admin,
    });
    expect(deletedListed.body.items).toHaveLength(1);
    const restored = await server.request("POST", secretPath("temp-key", "/restore"), { token: admin });
    expect(restored.status).toBe(200);
    expect((await server.request("GET", secretPath("temp-key"), { token: admin })).status).toBe(200);
    const purged = await server.request("DELETE", `${secretPath("temp-key")}?purge=true`, { token: admin });
    expect(purged.status).toBe(200);
    expect(purged.body.purged).toBe(true);
    const restoreAgain = await server.request("POST", secretPath("temp-key", "/restore"), { token: admin });
    expect(restoreAgain.status).toBe(404);
  });

  it("rotates with a given or generated value and rolls back", async () => {
    await server.request("PUT", secretPath("rot"), { token: admin, json: { value: "rot-value-1" } });
    const given = await server.request("POST", secretPath("rot", "/rotate"), {
      token: admin,
      json: { value: "rot-value-2" },
    });
    expect(given.status).toBe(200);
    expect(given.body).toMatchObject({ oldVersion: 1, newVersion: 2, generated: false });
    const generated = await server.request("POST", secretPath("rot", "/rotate"), { token: admin });
    expect(generated.status).toBe(200);
    expect(generated.body).toMatchObject({ oldVersion: 2, newVersion: 3, generated: true });
    expect(generated.body.value).toBeUndefined();
    const versions = await server.request("GET", secretPath("rot", "/versions"), { token: admin });
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const rolled = await server.request("POST", secretPath("rot", "/rollback"), { token: admin, json: { to: 1 } });
    expect(rolled.status).toBe(200);
    expect(rolled.body.version).toBe(4);
    const now = await server.request("GET", `${secretPath("rot")}?reveal=true&purpose=verify`, { token: admin });
    expect(now.body).toMatchObject({ version: 4, value: "rot-value-1" });
  });

  it("answers numeric inputs outside core's ranges with 400 INVALID_ARGUMENT and changes nothing", async () => {
    await server.request("PUT", secretPath("ranged"), { token: admin, json: { value: "ranged-value-1" } });
    const cases: Array<[string, string, Record<string, unknown> | undefined]> = [
      ["POST", secretPath("ranged", "/rotate"), { graceSeconds: 9_000_000_000_000 }],
      ["POST", secretPath("ranged", "/rotate"), { graceSeconds: -1 }],
      ["PUT", secretPath("ranged"), { value: "ranged-value-2", ttlSeconds: 9_000_000_000_000 }],
      ["POST", secretPath("ranged", "/rollback"), { to: 9_000_000_000_000 }],
      ["GET", `${secretPath("ranged")}?version=9000000000000`, undefined],
      ["GET", "/v1/secrets?limit=1001", undefined],
      ["GET", "/v1/audit?limit=9000000000000", undefined],
    ];
    for (const [method, path, json] of cases) {
      const answer = await server.request(method, path, { token: admin, ...(json ? { json } : {}) });
      expect(answer.status, `${method} ${path} ${JSON.stringify(json)}`).toBe(400);
      expect(answer.body.code).toBe("INVALID_ARGUMENT");
    }
    const after = await server.request("GET", secretPath("ranged"), { token: admin });
    expect(after.body.version).toBe(1);
    // The largest grace is accepted.
    const longest = await server.request("POST", secretPath("ranged", "/rotate"), {
      token: admin,
      json: { graceSeconds: 10 * 366 * 86400 },
    });
    expect(longest.status).toBe(200);
  });

  it("reports provider health and liveness", async () => {
    const providers = await server.request("GET", "/v1/providers", { token: admin });
    expect(providers.status).toBe(200);
    expect(providers.body.providers.map((p: { name: string }) => p.name)).toContain("local");
    const health = await server.request("GET", "/healthz");
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: "ok" });
  });
});
