import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { type AuditEntryInput, runInReadContext, type SecretAddress } from "@coffer/core";
import { freePort } from "@coffer/test-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgres, SCHEMA_VERSION } from "../src/index.js";
import { freshProvider, newMasterKey, PG_SKIP_REASON, type PostgresServer, startPostgres } from "./pg-test-setup.js";

const team = (id: string, name: string): SecretAddress => ({ name, scope: { kind: "team", id } });
const global = (name: string): SecretAddress => ({ name, scope: { kind: "global" } });

function audit(name: string, action: AuditEntryInput["action"] = "write"): AuditEntryInput {
  return {
    time: new Date().toISOString(),
    accessor: "tester",
    frontEnd: "library",
    action,
    name,
    scope: "global",
    success: true,
  };
}

function psql(pg: PostgresServer, database: string, sql: string): string {
  const run = spawnSync(
    join(pg.bindir, "psql"),
    ["-h", pg.host, "-p", String(pg.port), "-U", pg.user, "-d", database, "-At", "-c", sql],
    {
      encoding: "utf8",
      env: { ...process.env, PGPASSWORD: pg.password },
    },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout.trim();
}

describe.skipIf(PG_SKIP_REASON !== undefined)("postgres provider", () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it("conditional writes through two connection pools: no lost update, exactly one winner per version", async () => {
    const { provider: a, connectionString, masterKey } = await freshProvider(pg);
    const b = postgres({ connectionString, masterKey, env: {} });
    try {
      await a.set(global("COUNTER"), { value: "0" });
      const increment = async (p: typeof a) => {
        for (;;) {
          const current = await p.get(global("COUNTER"));
          try {
            await p.set(
              global("COUNTER"),
              { value: String(Number(current.value) + 1) },
              { ifVersion: current.version },
            );
            return;
          } catch (err) {
            if ((err as { code?: string }).code !== "CONFLICT") throw err;
          }
        }
      };
      await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i % 2 === 0 ? a : b)));
      const final = await b.get(global("COUNTER"));
      expect(final.value).toBe("20");
      expect(final.version).toBe(21);
      // Create-only from both at once: one ALREADY_EXISTS, one success.
      const outcomes = await Promise.allSettled([
        a.set(global("ONCE"), { value: "a" }, { mode: "create" }),
        b.set(global("ONCE"), { value: "b" }, { mode: "create" }),
      ]);
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      expect(outcomes.find((o) => o.status === "rejected")?.reason.code).toBe("ALREADY_EXISTS");
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  it("appends the audit entry in the change's transaction, keeps one chain across pools, and detects edits", async () => {
    const { provider: a, connectionString, masterKey, database } = await freshProvider(pg);
    const b = postgres({ connectionString, masterKey, env: {} });
    try {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a : b).set(global(`S${i}`), { value: "v" }, { audit: audit(`S${i}`) }),
        ),
      );
      // A refused write records nothing.
      await expect(a.set(global("S1"), { value: "x" }, { ifVersion: 7, audit: audit("S1") })).rejects.toMatchObject({
        code: "CONFLICT",
      });
      await a.auditLog.append(audit("S1", "read"));
      const entries = await b.auditLog.query({ limit: 100 });
      expect(entries).toHaveLength(11);
      expect(entries.filter((e) => e.action === "write").every((e) => e.version === 1)).toBe(true);
      expect(await b.auditLog.verify()).toEqual({ ok: true, checked: 11 });
      expect(a.auditLog.fingerprint("v")).toBe(b.auditLog.fingerprint("v"));
      // A text PostgreSQL cannot store is a coded refusal that changes nothing, not UNAVAILABLE.
      await expect(a.auditLog.append({ ...audit("S1", "read"), accessor: "bad\u0000accessor" })).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
      });
      psql(pg, database, "UPDATE coffer.audit_log SET accessor = 'someone-else' WHERE seq = 4");
      expect(await a.auditLog.verify()).toMatchObject({ ok: false, brokenAt: { seq: 4, reason: "edited" } });
      psql(pg, database, "UPDATE coffer.audit_log SET accessor = 'tester' WHERE seq = 4");
      psql(pg, database, "DELETE FROM coffer.audit_log WHERE seq = 11");
      expect(await a.auditLog.verify()).toMatchObject({ ok: false, brokenAt: { seq: 11, reason: "deleted" } });
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  it("keeps one data key per team, org and project scope and re-keys one scope on its own", async () => {
    const { provider, database } = await freshProvider(pg);
    try {
      await provider.set(team("a", "K"), { value: "team-a-value" });
      await provider.set(team("b", "K"), { value: "team-b-value" });
      await provider.set({ name: "K", scope: { kind: "org", id: "o" } }, { value: "org-value" });
      await provider.set({ name: "K", scope: { kind: "project", id: "p" } }, { value: "project-value" });
      await provider.set(global("K"), { value: "global-value" });
      await provider.set({ name: "K", scope: { kind: "user", id: "u" } }, { value: "user-value" });
      expect(psql(pg, database, "SELECT string_agg(key_scope, ',' ORDER BY key_scope) FROM coffer.data_keys")).toBe(
        "default,org:o,project:p,service,team:a,team:b",
      );
      const before = psql(
        pg,
        database,
        "SELECT scope || '=' || encode(ciphertext, 'hex') FROM coffer.secret_versions ORDER BY scope",
      );
      const outcome = await provider.rekeyScope({ kind: "team", id: "a" }, { audit: audit("K", "rotate") });
      expect(outcome).toEqual({ versions: 1, generation: 2 });
      const after = psql(
        pg,
        database,
        "SELECT scope || '=' || encode(ciphertext, 'hex') FROM coffer.secret_versions ORDER BY scope",
      );
      const changed = before
        .split("\n")
        .filter((line) => !after.split("\n").includes(line))
        .map((l) => l.split("=")[0]);
      expect(changed).toEqual(["team:a"]);
      expect((await provider.get(team("a", "K"))).value).toBe("team-a-value");
      expect((await provider.get(team("b", "K"))).value).toBe("team-b-value");
      expect(await provider.auditLog.verify()).toMatchObject({ ok: true, checked: 1 });
      // Another process that cached the old key reads the re-keyed value.
      const again = await provider.rekeyScope({ kind: "global" });
      expect(again.versions).toBe(2); // global and user share the default key
      expect((await provider.get({ name: "K", scope: { kind: "user", id: "u" } })).value).toBe("user-value");
    } finally {
      await provider.dispose();
    }
  });

  it("a replica that cached a scope key reads and writes after another replica re-keyed it", async () => {
    const { provider: a, connectionString, masterKey } = await freshProvider(pg);
    const b = postgres({ connectionString, masterKey, env: {} });
    try {
      await a.set(team("t", "X"), { value: "one" });
      expect((await b.get(team("t", "X"))).value).toBe("one");
      await a.rekeyScope({ kind: "team", id: "t" });
      expect((await b.get(team("t", "X"))).value).toBe("one");
      await b.set(team("t", "X"), { value: "two" });
      expect((await a.get(team("t", "X"))).value).toBe("two");
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  it("stores no plaintext: a pg_dump holds no value, document or key", async () => {
    const { provider, database, masterKey } = await freshProvider(pg);
    try {
      const sentinels = ["sentinel-value-4b1d9c", "sentinel-binary-77aa", "sentinel-token-hash-e3f0"];
      await provider.set(global("PLAIN"), { value: sentinels[0] as string });
      await provider.set(team("x", "BIN"), {
        value: Buffer.from(sentinels[1] as string).toString("base64"),
        encoding: "base64",
      });
      await provider.documents.put("tokens", "t1", { hash: sentinels[2] });
      const dump = pg.dump(database);
      expect(dump).toContain("PLAIN");
      for (const s of [...sentinels, masterKey, Buffer.from(masterKey, "hex").toString("base64")])
        expect(dump).not.toContain(s);
      expect(dump).not.toContain(Buffer.from(sentinels[0] as string).toString("hex"));
    } finally {
      await provider.dispose();
    }
  });

  it("refuses another master key (INTEGRITY) before reading anything", async () => {
    const { provider, connectionString } = await freshProvider(pg);
    await provider.set(global("A"), { value: "v" });
    await provider.dispose();
    const wrong = postgres({ connectionString, masterKey: newMasterKey(), env: {} });
    await expect(wrong.get(global("A"))).rejects.toMatchObject({ code: "INTEGRITY" });
    await expect(wrong.set(global("B"), { value: "v" })).rejects.toMatchObject({ code: "INTEGRITY" });
    await wrong.dispose();
  });

  it("migrates once when replicas start together and refuses a database newer than the code", async () => {
    const connectionString = await pg.createDatabase(`m_${process.pid}`);
    const masterKey = newMasterKey();
    const replicas = Array.from({ length: 4 }, () => postgres({ connectionString, masterKey, env: {} }));
    await Promise.all(replicas.map((r) => r.open()));
    await Promise.all(replicas.map((r) => r.dispose()));
    const db = `m_${process.pid}`;
    expect(psql(pg, db, "SELECT count(*) || ':' || max(version) FROM coffer.schema_migrations")).toBe(
      `${SCHEMA_VERSION}:${SCHEMA_VERSION}`,
    );
    psql(pg, db, `INSERT INTO coffer.schema_migrations VALUES (${SCHEMA_VERSION + 1}, 'later')`);
    const old = postgres({ connectionString, masterKey, env: {} });
    const error = await old.get(global("A")).catch((e) => e);
    expect(error.code).toBe("CONFIG");
    expect(error.message).toMatch(/newer than this Coffer understands/);
    await old.dispose();
  });

  it("service documents: atomic update across pools; a revocation through one is read through the other", async () => {
    const { provider: a, connectionString, masterKey } = await freshProvider(pg);
    const b = postgres({ connectionString, masterKey, env: {} });
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).documents.update<number>("counters", "n", (n) => (n ?? 0) + 1),
        ),
      );
      expect(await a.documents.get("counters", "n")).toBe(20);
      const before = await b.changeCounter();
      await a.documents.put("tokens", "t", { revoked: false });
      expect(await b.documents.get("tokens", "t")).toEqual({ revoked: false });
      await a.documents.update("tokens", "t", () => ({ revoked: true }));
      expect(await b.documents.get("tokens", "t")).toEqual({ revoked: true });
      expect(await b.changeCounter()).toBeGreaterThan(before);
      // Service keys may hold characters a text column refuses (entanglement links use NUL).
      await a.documents.put("links", "A\u0000B", ["x"]);
      expect(await b.documents.list("links")).toEqual([{ key: "A\u0000B", value: ["x"] }]);
      expect(await b.documents.delete("tokens", "t")).toBe(true);
      expect(await a.documents.list("tokens")).toEqual([]);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  it("reads are kept only under the change counter an operation read; a commit by another pool is seen by the next operation", async () => {
    const { provider: a, connectionString, masterKey, database } = await freshProvider(pg);
    const b = postgres({ connectionString, masterKey, env: {} });
    try {
      await a.set(global("KEPT"), { value: "one" });
      await a.documents.put("tokens", "t", { revoked: false });
      const operation = () =>
        runInReadContext(async () => {
          await b.documents.refresh();
          return {
            secret: (await b.lookup(global("KEPT")))?.value,
            doc: await b.documents.get("tokens", "t"),
            epoch: b.documents.epoch(),
          };
        });
      const first = await operation();
      expect(first).toMatchObject({ secret: "one", doc: { revoked: false } });
      // Rows edited behind the store's back (no counter bump) show which answers are kept.
      psql(pg, database, "UPDATE coffer.documents SET ciphertext = 'x'::bytea");
      const second = await operation();
      expect(second).toMatchObject({ secret: "one", doc: { revoked: false }, epoch: first.epoch });
      // Outside an operation nothing is kept: the edited row is read (and refused).
      await expect(b.documents.get("tokens", "t")).rejects.toMatchObject({ code: "INTEGRITY" });
      expect(b.documents.epoch()).not.toBe(b.documents.epoch());
      // A change committed through another pool bumps the counter: the next operation reads again.
      await a.documents.put("tokens", "t", { revoked: true });
      await a.set(global("KEPT"), { value: "two" });
      const third = await operation();
      expect(third).toMatchObject({ secret: "two", doc: { revoked: true } });
      expect(third.epoch).not.toBe(first.epoch);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  it("answers UNAVAILABLE quickly while PostgreSQL is down and recovers by itself", async () => {
    const { provider } = await freshProvider(pg, { connectTimeoutMs: 2_000 });
    try {
      await provider.set(global("UP"), { value: "v1" });
      await pg.pause();
      const started = Date.now();
      const error = await provider.get(global("UP")).catch((e) => e);
      expect(error.code).toBe("UNAVAILABLE");
      expect(error.message).not.toContain(pg.password);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await provider.health()).ok).toBe(false);
      await pg.start();
      expect((await provider.get(global("UP"))).value).toBe("v1");
      await provider.set(global("UP"), { value: "v2" });
      expect((await provider.health()).ok).toBe(true);
    } finally {
      if (!(await provider.health()).ok) await pg.start();
      await provider.dispose();
    }
  }, 60_000);

  it("rejects bad options with CONFIG and no secret in the message", async () => {
    expect(() => postgres({ env: {} })).toThrow(/master key is required|connectionString/);
    expect(() =>
      postgres({ connectionString: "postgres://u@h/d", masterKey: "k", env: {}, poolsize: 3 } as never),
    ).toThrow(/unknown postgres provider option "poolsize"; valid options are: .*poolSize/);
    expect(() =>
      postgres({ connectionString: "postgres://u@h/d", masterKey: "k", schema: "Bad-Name", env: {} }),
    ).toThrow(/schema/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Coffer's ${...} syntax, not a template
    expect(() => postgres({ connectionString: "${env:NOPE}", masterKey: "k", env: {} })).toThrow(/NOPE/);
    const unreachable = postgres({
      host: "127.0.0.1",
      port: await freePort(),
      user: "u",
      password: "pw-sentinel-98",
      masterKey: "k",
      env: {},
      connectTimeoutMs: 1_000,
    });
    const error = await unreachable.list().catch((e) => e);
    expect(error.code).toBe("UNAVAILABLE");
    expect(JSON.stringify({ m: error.message, d: error.details })).not.toContain("pw-sentinel-98");
    await unreachable.dispose();
  });
});
