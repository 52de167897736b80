// Hole 2 of issue #15 over real HTTP: a token limited to `api-*` writes `api-stripe`, entangled
// with `prod-db`. The write is refused (403) and neither secret changes; a write the token may
// make in full reaches both in one transaction with both audit entries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerUnderTest, secretPath, startServer } from "./server-process.js";

let server: ServerUnderTest;
let admin: string;

beforeAll(async () => {
  server = await startServer();
  admin = await server.token({ name: "admin-entangled", scopes: ["admin"] });
  for (const [name, value] of [
    ["api-stripe", "shared-value-0001"],
    ["prod-db", "shared-value-0001"],
    ["api-a", "pair-value-0001"],
    ["api-b", "pair-value-0001"],
  ] as const) {
    expect((await server.request("PUT", secretPath(name), { token: admin, json: { value } })).status).toBe(201);
  }
  await server.coffer.entangle("api-stripe", "prod-db");
  await server.coffer.entangle("api-a", "api-b");
});
afterAll(async () => server?.stop());

async function revealed(name: string): Promise<{ value: string; version: number }> {
  const res = await server.request("GET", `${secretPath(name)}?reveal=true&purpose=check`, { token: admin });
  return { value: res.body.value, version: res.body.version };
}

describe("entangled writes over REST", () => {
  it("refuses a write whose linked secret the token may not write, and changes neither", async () => {
    const limited = await server.token({ name: "api-only-writer", scopes: ["secrets:write"], pattern: "api-*" });
    const res = await server.request("PUT", secretPath("api-stripe"), {
      token: limited,
      json: { value: "attacker-value-9999" },
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("PERMISSION_DENIED");
    expect(await revealed("api-stripe")).toEqual({ value: "shared-value-0001", version: 1 });
    expect(await revealed("prod-db")).toEqual({ value: "shared-value-0001", version: 1 });
  });

  it("writes both sides of an allowed link in one transaction, with an audit entry for each", async () => {
    const limited = await server.token({ name: "api-pair-writer", scopes: ["secrets:write"], pattern: "api-*" });
    const res = await server.request("PUT", secretPath("api-a"), {
      token: limited,
      json: { value: "pair-value-0002" },
    });
    expect(res.status).toBe(200);
    expect(res.body.entangled).toEqual(["api-b"]);
    expect((await revealed("api-b")).value).toBe("pair-value-0002");
    const audit = await server.request("GET", "/v1/audit?accessor=api-pair-writer&action=write", { token: admin });
    expect(audit.body.items.map((e: { name: string }) => e.name).sort()).toEqual(["api-a", "api-b"]);
  });
});
