import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerUnderTest, secretPath, startServer } from "./server-process.js";

let server: ServerUnderTest;
let admin: string;

beforeAll(async () => {
  server = await startServer();
  admin = await server.token({ name: "admin", scopes: ["admin"] });
});
afterAll(async () => server?.stop());

const names = async () =>
  (await server.request("GET", "/v1/secrets?limit=1000", { token: admin })).body.items
    .map((i: { name: string }) => i.name)
    .sort();

describe("import", () => {
  it("dry-runs a .env body without writing, then imports it", async () => {
    const body = "IMPORT_A=alpha-value-1\nIMPORT_B=beta-value-2\n";
    const dry = await server.request("POST", "/v1/import?dryRun=true", {
      token: admin,
      body,
      headers: { "content-type": "text/plain" },
    });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, created: 2 });
    expect(dry.text).not.toContain("alpha-value-1");
    expect(await names()).toEqual([]);
    const real = await server.request("POST", "/v1/import?tag=imported", {
      token: admin,
      body,
      headers: { "content-type": "text/plain" },
    });
    expect(real.status).toBe(200);
    expect(real.body).toMatchObject({ dryRun: false, created: 2 });
    expect(real.body.items.map((i: { name: string }) => i.name).sort()).toEqual(["IMPORT_A", "IMPORT_B"]);
    const a = await server.request("GET", `${secretPath("IMPORT_A")}?reveal=true&purpose=check`, { token: admin });
    expect(a.body).toMatchObject({ value: "alpha-value-1", tags: ["imported"] });
    const again = await server.request("POST", "/v1/import", {
      token: admin,
      body,
      headers: { "content-type": "text/plain" },
    });
    expect(again.body).toMatchObject({ created: 0, unchanged: 2 });
  });

  it("imports JSON and YAML bodies by content type", async () => {
    const json = await server.request("POST", "/v1/import", {
      token: admin,
      body: JSON.stringify({ JSON_KEY: "json-value-1" }),
      headers: { "content-type": "application/json" },
    });
    expect(json.status, json.text).toBe(200);
    expect(json.body.created).toBe(1);
    const yaml = await server.request("POST", "/v1/import", {
      token: admin,
      body: "YAML_KEY: yaml-value-1\n",
      headers: { "content-type": "application/yaml" },
    });
    expect(yaml.status, yaml.text).toBe(200);
    expect(yaml.body.created).toBe(1);
    expect(await names()).toEqual(expect.arrayContaining(["JSON_KEY", "YAML_KEY"]));
  });

  it("refuses a broken import body with a 400 problem and writes nothing", async () => {
    const before = await names();
    const res = await server.request("POST", "/v1/import?format=json", {
      token: admin,
      body: '{"BROKEN": "broken-sentinel-value"',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.text).not.toContain("broken-sentinel-value");
    const wrongType = await server.request("POST", "/v1/import", {
      token: admin,
      body: "A=1",
      headers: { "content-type": "image/png" },
    });
    expect(wrongType.status).toBe(415);
    expect(await names()).toEqual(before);
  });
});

describe("export", () => {
  it("exports metadata without values by default", async () => {
    const res = await server.request("GET", "/v1/export?pattern=IMPORT_*", { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { name: string }) => i.name).sort()).toEqual(["IMPORT_A", "IMPORT_B"]);
    expect(res.text).not.toContain("alpha-value-1");
    for (const item of res.body.items) expect(item.value).toBeUndefined();
  });

  it("exports values only with the export scope and includeValues=true", async () => {
    const reader = await server.token({ name: "reader", scopes: ["secrets:read", "secrets:reveal"] });
    const denied = await server.request("GET", "/v1/export?includeValues=true", { token: reader });
    expect(denied.status).toBe(403);
    expect(denied.text).not.toContain("alpha-value-1");
    const readerMeta = await server.request("GET", "/v1/export", { token: reader });
    expect(readerMeta.status).toBe(200);
    expect(readerMeta.text).not.toContain("alpha-value-1");
    const exporter = await server.token({ name: "exporter", scopes: ["export"] });
    const withValues = await server.request("GET", "/v1/export?includeValues=true&pattern=IMPORT_A", {
      token: exporter,
    });
    expect(withValues.status).toBe(200);
    expect(withValues.body.items).toEqual([expect.objectContaining({ name: "IMPORT_A", value: "alpha-value-1" })]);
    const exporterNoFlag = await server.request("GET", "/v1/export?pattern=IMPORT_A", { token: exporter });
    expect(exporterNoFlag.status).toBe(403);
  });
});

describe("audit", () => {
  it("lists entries with filters and cursor paging, and verifies the chain", async () => {
    const auditor = await server.token({ name: "auditor", scopes: ["audit:read", "secrets:reveal"] });
    await server.request("GET", `${secretPath("IMPORT_A")}?reveal=true&purpose=incident%2042`, { token: auditor });
    await server.request("GET", `${secretPath("missing-one")}?reveal=true&purpose=probe`, { token: auditor });
    const all = await server.request("GET", "/v1/audit?accessor=auditor", { token: auditor });
    expect(all.status).toBe(200);
    expect(all.body.items.length).toBeGreaterThanOrEqual(2);
    for (const entry of all.body.items) expect(entry.accessor).toBe("auditor");
    const failed = await server.request("GET", "/v1/audit?accessor=auditor&failed=true", { token: auditor });
    expect(failed.body.items.length).toBeGreaterThanOrEqual(1);
    for (const entry of failed.body.items) expect(entry.success).toBe(false);
    const revealEntry = (await server.request("GET", "/v1/audit?name=IMPORT_A&action=reveal", { token: auditor })).body
      .items[0];
    expect(revealEntry).toMatchObject({ accessor: "auditor", purpose: "incident 42", frontEnd: "rest" });

    const seen: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const res = await server.request("GET", `/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ""}`, {
        token: auditor,
      });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((e: { seq: number }) => e.seq));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen.length).toBeGreaterThan(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);

    const verify = await server.request("GET", "/v1/audit/verify", { token: auditor });
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ ok: true });
    expect(verify.body.checked).toBeGreaterThan(0);
    expect(all.text + failed.text).not.toContain("alpha-value-1");
  });
});
