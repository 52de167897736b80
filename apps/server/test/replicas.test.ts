// Two coffer-server replicas (real processes, the built bin) on one PostgreSQL database that the
// test harness starts from the installed binaries.
import { randomBytes } from "node:crypto";
import { type PostgresServer, postgresUnavailableReason, startPostgres } from "@coffer/test-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerUnderTest, startServer } from "./server-process.js";

const PG_SKIP_REASON = postgresUnavailableReason();

/** coffer.yaml of a replica: the team store on PostgreSQL, no local store. */
const PROJECT_CONFIG = [
  "defaultProvider: postgres",
  "providers:",
  "  local: null",
  "  postgres:",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Coffer's ${...} syntax, not a template
  "    connectionString: ${env:TEAM_DB_URL}",
  "    connectTimeoutMs: 1500",
  "    statementTimeoutMs: 5000",
  "server:",
  "  rateLimit: { perToken: 100000, perAddress: 100000 }",
  "",
].join("\n");

describe.skipIf(PG_SKIP_REASON !== undefined)("coffer-server replicas on one PostgreSQL", () => {
  let pg: PostgresServer;
  let a: ServerUnderTest;
  let b: ServerUnderTest;
  let admin: string;
  const masterKey = randomBytes(32).toString("hex");
  const database = `replicas_${process.pid}`;

  beforeAll(async () => {
    pg = await startPostgres();
    const env = { COFFER_MASTER_KEY: masterKey, TEAM_DB_URL: await pg.createDatabase(database) };
    a = await startServer({ projectConfig: PROJECT_CONFIG, env });
    b = await startServer({ projectConfig: PROJECT_CONFIG, env });
    admin = await a.token({ name: "admin", scopes: ["admin"] });
  }, 120_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await pg?.stop();
  });

  const put = (s: ServerUnderTest, name: string, value: string, headers: Record<string, string> = {}) =>
    s.request("PUT", `/v1/secrets/${name}`, { token: admin, json: { value }, headers });
  const reveal = async (s: ServerUnderTest, name: string) =>
    (await s.request("GET", `/v1/secrets/${name}?reveal=true&purpose=test`, { token: admin })).body?.value;

  it("a write through one replica is read through the other on the next request", async () => {
    expect((await put(a, "SHARED_URL", "postgres://team-value-1")).status).toBeLessThan(300);
    expect(await reveal(b, "SHARED_URL")).toBe("postgres://team-value-1");
    expect((await put(b, "SHARED_URL", "postgres://team-value-2")).status).toBe(200);
    expect(await reveal(a, "SHARED_URL")).toBe("postgres://team-value-2");
    expect((await a.request("GET", "/readyz")).status).toBe(200);
  });

  it("concurrent If-Match writers through both replicas lose no update; conflicting writes have one winner", async () => {
    expect((await put(a, "COUNTER", "0")).status).toBe(201);
    const increment = async (s: ServerUnderTest) => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const current = await s.request("GET", "/v1/secrets/COUNTER?reveal=true&purpose=count", { token: admin });
        const etag = current.headers.get("etag") as string;
        const res = await put(s, "COUNTER", String(Number(current.body.value) + 1), { "if-match": etag });
        if (res.status === 200) return;
        expect(res.status).toBe(412);
      }
      throw new Error("gave up");
    };
    await Promise.all(Array.from({ length: 16 }, (_, i) => increment(i % 2 ? a : b)));
    expect(await reveal(a, "COUNTER")).toBe("16");

    const current = await a.request("GET", "/v1/secrets/COUNTER", { token: admin });
    const etag = current.headers.get("etag") as string;
    const racing = await Promise.all([
      put(a, "COUNTER", "from-a", { "if-match": etag }),
      put(b, "COUNTER", "from-b", { "if-match": etag }),
    ]);
    expect(racing.map((r) => r.status).sort()).toEqual([200, 412]);
    const created = await Promise.all([
      put(a, "ONLY_ONCE", "a", { "if-none-match": "*" }),
      put(b, "ONLY_ONCE", "b", { "if-none-match": "*" }),
    ]);
    expect(created.map((r) => r.status).sort()).toEqual([201, 409]);
  }, 60_000);

  it("a token revoked through one replica is refused by the other on its next request", async () => {
    const reader = await a.token({ name: "ci-runner", scopes: ["secrets:read"] });
    expect((await b.request("GET", "/v1/secrets/SHARED_URL", { token: reader })).status).toBe(200);
    expect((await a.request("GET", "/v1/secrets/SHARED_URL", { token: reader })).status).toBe(200);
    expect(await a.tokens.revoke("ci-runner")).toBe(true);
    expect((await b.request("GET", "/v1/secrets/SHARED_URL", { token: reader })).status).toBe(401);
    expect((await a.request("GET", "/v1/secrets/SHARED_URL", { token: reader })).status).toBe(401);
  });

  it("POST /v1/secrets:batchGet reads up to 100 names in one request with per-name errors", async () => {
    for (let i = 0; i < 3; i++) expect((await put(a, `BATCH_${i}`, `batch-value-${i}`)).status).toBe(201);
    const names = ["BATCH_0", "BATCH_1", "MISSING_ONE", "BATCH_2"];
    const res = await b.request("POST", "/v1/secrets:batchGet", {
      token: admin,
      json: { names, reveal: true, purpose: "inject" },
    });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { name: string; ok: boolean }) => `${i.name}:${i.ok}`)).toEqual([
      "BATCH_0:true",
      "BATCH_1:true",
      "MISSING_ONE:false",
      "BATCH_2:true",
    ]);
    expect(res.body.items[1].secret.value).toBe("batch-value-1");
    expect(res.body.items[2].error).toMatchObject({ status: 404, code: "NOT_FOUND" });
    const masked = await b.request("POST", "/v1/secrets:batchGet", { token: admin, json: { names: ["BATCH_0"] } });
    expect(masked.body.items[0].secret.value).toBeUndefined();
    const tooMany = Array.from({ length: 101 }, (_, i) => `N_${i}`);
    expect((await b.request("POST", "/v1/secrets:batchGet", { token: admin, json: { names: tooMany } })).status).toBe(
      400,
    );
    expect(
      (await b.request("POST", "/v1/secrets:batchGet", { token: admin, json: { names: ["A", "A"] } })).status,
    ).toBe(400);
    const noReveal = await b.token({ name: "reader-only", scopes: ["secrets:read"] });
    const refused = await b.request("POST", "/v1/secrets:batchGet", {
      token: noReveal,
      json: { names: ["BATCH_0"], reveal: true, purpose: "x" },
    });
    expect(refused.status).toBe(200);
    expect(refused.body.items[0]).toMatchObject({ ok: false, error: { status: 403 } });
    expect(refused.text).not.toContain("batch-value-0");
  });

  it("kill -9 of a replica during writes loses no acknowledged write", async () => {
    const acknowledged: string[] = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop && i < 2000; i++) {
        try {
          const res = await put(a, `CRASH_${i}`, `crash-value-${i}`);
          if (res.status === 201) acknowledged.push(`CRASH_${i}`);
        } catch {
          return; // the connection died with the process
        }
      }
    })();
    const deadline = Date.now() + 30_000;
    while (acknowledged.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await a.kill("SIGKILL");
    stop = true;
    await writer;
    expect(acknowledged.length).toBeGreaterThanOrEqual(20);
    for (const name of acknowledged) expect(await reveal(b, name)).toBe(`crash-value-${name.slice(6)}`);
    expect((await b.request("GET", "/v1/audit/verify", { token: admin })).body).toMatchObject({ ok: true });
  }, 60_000);

  it("PostgreSQL down: quick 503 problem documents, /healthz up, /readyz not ready; recovery by itself", async () => {
    expect((await put(b, "BEFORE_RESTART", "before-restart-value")).status).toBe(201);
    await pg.pause();
    try {
      const started = Date.now();
      const res = await b.request("GET", "/v1/secrets/BEFORE_RESTART", { token: admin });
      expect(res.status).toBe(503);
      expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe("UNAVAILABLE");
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await b.request("GET", "/healthz")).status).toBe(200);
      const ready = await b.request("GET", "/readyz");
      expect(ready.status).toBe(503);
      expect(ready.body.code).toBe("UNAVAILABLE");
      expect(JSON.stringify([res.body, ready.body])).not.toContain(pg.password);
    } finally {
      await pg.start();
    }
    expect((await b.request("GET", "/readyz")).status).toBe(200);
    expect(await reveal(b, "BEFORE_RESTART")).toBe("before-restart-value");
    expect((await put(b, "AFTER_RESTART", "after-restart-value")).status).toBe(201);
  }, 60_000);

  it("the database holds no plaintext value or token (pg_dump scanned for sentinels)", async () => {
    const sentinel = `sentinel-${randomBytes(6).toString("hex")}`;
    expect((await put(b, "DUMP_SENTINEL", sentinel)).status).toBe(201);
    const token = await b.token({ name: "dump-check", scopes: ["secrets:read"] });
    const dump = pg.dump(database);
    expect(dump).toContain("DUMP_SENTINEL");
    for (const needle of [sentinel, token, admin, masterKey, "postgres://team-value-2", "crash-value-1"]) {
      expect(dump).not.toContain(needle);
    }
    expect(b.logs()).not.toContain(sentinel);
  });
});
