import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { AuditEntryInput, CofferError } from "@coffer/core";
import type Database from "better-sqlite3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { unwrapStoreDataKey, wrapDataKey } from "../src/crypto/data-key.js";
import { deriveKeyEncryptionKey, parseMasterKey } from "../src/crypto/master-key.js";
import type { LocalProvider } from "../src/index.js";
import { GLOBAL, openLocal, TEST_KEY_HEX, tempHome, withRawDb } from "./support/temp-home.js";

const at = (name: string, env?: string) => ({ name, scope: GLOBAL, ...(env ? { env } : {}) });
const ref = (name: string) => ({ name, scope: GLOBAL });
const OLD = "old-value-1111";
const NEW = "new-value-2222";

function entry(i: number): AuditEntryInput {
  return {
    time: new Date(Date.UTC(2030, 0, 1, 0, i)).toISOString(),
    accessor: "alice",
    frontEnd: "cli",
    action: "read",
    name: "A_KEY",
    scope: "global",
    success: true,
  };
}

/** A store with A_KEY (two versions), B_KEY, Z_KEY (default and prod env) and six audit entries, closed. */
async function seeded(): Promise<{ home: string; path: string }> {
  const home = await tempHome();
  const p = openLocal({ home, masterKey: TEST_KEY_HEX });
  await p.set(at("A_KEY"), { value: OLD });
  await p.set(at("A_KEY"), { value: NEW });
  await p.set(at("B_KEY"), { value: "b-value" });
  await p.set(at("M_KEY"), { value: "m-value" });
  await p.set(at("Z_KEY"), { value: "z-value" });
  await p.set(at("Z_KEY", "prod"), { value: "z-prod" });
  for (let i = 1; i <= 6; i++) await p.auditLog.append(entry(i));
  await p.dispose();
  return { home, path: p.storePath };
}

function reopen(home: string): LocalProvider {
  return openLocal({ home, masterKey: TEST_KEY_HEX });
}

async function failure(p: Promise<unknown>): Promise<CofferError> {
  const err = (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as CofferError | undefined;
  expect(err, "expected the call to fail").toBeDefined();
  return err as CofferError;
}

async function expectIntegrity(p: Promise<unknown>, mention?: RegExp): Promise<void> {
  const err = await failure(p);
  expect(err.code, err.message).toBe("INTEGRITY");
  expect(err.message).not.toContain(OLD);
  if (mention) expect(err.message).toMatch(mention);
}

/** Verification (the audit log's and the full integrity check) both fail, naming `mention`. */
async function expectVerificationFails(p: LocalProvider, reason: string, mention: RegExp): Promise<void> {
  const v = await p.auditLog.verify();
  expect(v.ok).toBe(false);
  expect(v.brokenAt?.reason).toBe(reason);
  const report = await p.verifyIntegrity();
  expect(report.ok).toBe(false);
  expect(`${v.detail ?? ""}\n${report.problems.join("\n")}`).toMatch(mention);
}

function commitmentOf(db: Database.Database): Record<string, unknown> {
  return JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'commitment'").get() as { value: string }).value);
}

describe("tamper evidence: rows deleted or edited in the store file", () => {
  it("a rollback by deleting the newer version rows and setting current_version back is refused by reads and writes, and verification names it", async () => {
    const { home, path } = await seeded();
    withRawDb(path, (db) => {
      db.prepare("DELETE FROM secret_versions WHERE name = 'A_KEY' AND version = 2").run();
      db.prepare("UPDATE secret_states SET current_version = 1 WHERE name = 'A_KEY'").run();
    });
    const p = reopen(home);
    await expectIntegrity(p.get(at("A_KEY")), /A_KEY/);
    await expectIntegrity(p.lookup(at("A_KEY")));
    await expectIntegrity(p.history(at("A_KEY")));
    await expectIntegrity(p.set(at("A_KEY"), { value: "over-it" }));
    const many = await p.getMany([at("A_KEY"), at("B_KEY")]);
    expect(many[0]!.ok ? "served" : many[0]!.error.code).toBe("INTEGRITY");
    expect(many[1]!.ok).toBe(true);
    await expectVerificationFails(p, "commitment", /A_KEY.*does not authenticate/);
  });

  it("the newer version rows deleted without touching the pointer are refused too", async () => {
    const { home, path } = await seeded();
    withRawDb(path, (db) => db.prepare("DELETE FROM secret_versions WHERE name = 'A_KEY' AND version = 2").run());
    const p = reopen(home);
    await expectIntegrity(p.get(at("A_KEY")));
    expect((await p.verifyIntegrity()).problems.join("\n")).toMatch(/A_KEY.*current version 2 is missing/);
  });

  for (const [label, name] of [
    ["first in key order", "A_KEY"],
    ["in the middle", "M_KEY"],
    ["last, with an env state", "Z_KEY"],
  ] as const) {
    it(`a whole secret removed (${label}) is INTEGRITY for its reads, listings of it and writes, never "not found"`, async () => {
      const { home, path } = await seeded();
      withRawDb(path, (db) => {
        db.prepare("DELETE FROM secret_versions WHERE name = ?").run(name);
        db.prepare("DELETE FROM secret_states WHERE name = ?").run(name);
      });
      const p = reopen(home);
      await expectIntegrity(p.get(at(name)), new RegExp(`${name}.*removed`));
      await expectIntegrity(p.lookup(at(name)));
      await expectIntegrity(p.history(at(name)));
      await expectIntegrity(p.delete(ref(name)));
      await expectIntegrity(p.set(at(name), { value: "recreated" }, { mode: "create" }));
      if (name === "Z_KEY") await expectIntegrity(p.get(at(name, "prod")));
      // Neighbours that were not touched still read.
      expect((await p.get(at("B_KEY"))).value).toBe("b-value");
      // A name that never existed, away from the gap, is still a plain miss; one in the gap (the
      // removed record's neighbourhood) reports the removal too.
      await expect(p.get(at("AAA_NEVER_SET"))).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expectVerificationFails(p, "commitment", new RegExp(`${name}.*removed`));
    });
  }

  it("a state record replaced by an older copy of itself (saved earlier) is caught by verification and the integrity check", async () => {
    const home = await tempHome();
    const p = openLocal({ home, masterKey: TEST_KEY_HEX });
    await p.set(at("A_KEY"), { value: OLD });
    await p.dispose();
    const saved = withRawDb(p.storePath, (db) =>
      db.prepare("SELECT * FROM secret_states WHERE name = 'A_KEY'").get(),
    ) as Record<string, unknown>;
    const q = reopen(home);
    await q.set(at("A_KEY"), { value: NEW });
    await q.dispose();
    withRawDb(p.storePath, (db) => {
      db.prepare("DELETE FROM secret_versions WHERE name = 'A_KEY' AND version = 2").run();
      db.prepare("UPDATE secret_states SET current_version = ?, mac = ? WHERE name = 'A_KEY'").run(
        saved.current_version,
        saved.mac,
      );
    });
    const r = reopen(home);
    await expectVerificationFails(r, "commitment", /do(es)? not match the store commitment/);
  });
});

describe("tamper evidence: the audit log's ends", () => {
  const cuts: Array<[string, (db: Database.Database) => void]> = [
    [
      "tail cut and the head in the commitment set back",
      (db) => {
        db.prepare("DELETE FROM audit_log WHERE seq > 4").run();
        const c = commitmentOf(db);
        const h = db.prepare("SELECT hash FROM audit_log WHERE seq = 4").get() as { hash: string };
        db.prepare("UPDATE meta SET value = ? WHERE key = 'commitment'").run(
          JSON.stringify({ ...c, headSeq: 4, headHash: h.hash }),
        );
      },
    ],
    [
      "first entries cut and the prune anchor moved",
      (db) => {
        const h = db.prepare("SELECT hash FROM audit_log WHERE seq = 2").get() as { hash: string };
        db.prepare("DELETE FROM audit_log WHERE seq <= 2").run();
        db.prepare("UPDATE meta SET value = ? WHERE key = 'commitment'").run(
          JSON.stringify({ ...commitmentOf(db), anchorSeq: 2, anchorHash: h.hash }),
        );
      },
    ],
    [
      "every entry cut and the head reset",
      (db) => {
        db.prepare("DELETE FROM audit_log").run();
        db.prepare("UPDATE meta SET value = ? WHERE key = 'commitment'").run(
          JSON.stringify({ ...commitmentOf(db), headSeq: 0, headHash: "" }),
        );
      },
    ],
  ];
  for (const [label, cut] of cuts) {
    it(`${label}: verification reports the commitment, and the store refuses reads and writes`, async () => {
      const { home, path } = await seeded();
      withRawDb(path, cut);
      const p = reopen(home);
      await expectVerificationFails(p, "commitment", /commitment.*does not authenticate/);
      await expectIntegrity(p.get(at("B_KEY")));
      await expectIntegrity(p.auditLog.append(entry(9)));
    });
  }

  it("tail cut with the commitment replaced by an authentic older one: the anchor file reports the rollback", async () => {
    const { home, path } = await seeded();
    const older = withRawDb(path, (db) => {
      const c = db.prepare("SELECT value FROM meta WHERE key = 'commitment'").get() as { value: string };
      return c.value;
    });
    const p = reopen(home);
    await p.auditLog.append(entry(7));
    await p.dispose();
    withRawDb(path, (db) => {
      db.prepare("DELETE FROM audit_log WHERE seq = 7").run();
      db.prepare("UPDATE meta SET value = ? WHERE key = 'commitment'").run(older);
    });
    const q = reopen(home);
    await expectVerificationFails(q, "rolled-back", /older than the anchor/);
    await expectIntegrity(q.get(at("B_KEY")), /earlier copy/);
  });
});

describe("tamper evidence: the whole store replaced by an older copy", () => {
  it("is refused on open (reads, writes, audit) and reported by verification; the anchor file is private", async () => {
    const { home, path } = await seeded();
    copyFileSync(path, `${path}.saved`);
    const p = reopen(home);
    await p.set(at("A_KEY"), { value: "third-value" });
    await p.dispose();
    copyFileSync(`${path}.saved`, path);
    const anchors = readdirSync(home).filter((f) => f.endsWith(".anchor"));
    expect(anchors).toHaveLength(1);
    expect(statSync(join(home, anchors[0]!)).mode & 0o777).toBe(0o600);
    const q = reopen(home);
    await expectIntegrity(q.get(at("A_KEY")), /earlier copy/);
    await expectIntegrity(q.list());
    await expectIntegrity(q.set(at("C_KEY"), { value: "c" }));
    await expectVerificationFails(q, "rolled-back", /older than the anchor/);
    expect(readFileSync(join(home, anchors[0]!), "utf8")).not.toContain(OLD);
  });
});

describe("tamper evidence: no false alarm", () => {
  it("writes, deletes, restores, purges, sweeps, relaxed appends and reopenings verify clean, and the anchor follows", async () => {
    const home = await tempHome();
    let now = Date.UTC(2030, 0, 1);
    const clock = () => new Date(now);
    let p = openLocal({ home, masterKey: TEST_KEY_HEX, clock });
    const names = ["K5", "K1", "K9", "K3", "K7", "K0", "K8"];
    for (const n of names) await p.set(at(n), { value: `v-${n}` });
    await p.set(at("K3", "prod"), { value: "v-prod" });
    await p.delete(ref("K1"));
    await p.restore(ref("K1"));
    await p.delete(ref("K0"), { purge: true });
    await p.delete(ref("K9"), { recoveryWindowDays: 1 });
    await p.auditLog.appendMany!([entry(1), entry(2)], { durable: false });
    now += 2 * 86_400_000;
    await p.set(at("K2"), { value: "v-K2" }); // sweeps K9
    await p.auditLog.prune(new Date(Date.UTC(2030, 0, 1, 0, 2)).toISOString());
    expect((await p.verifyIntegrity()).problems).toEqual([]);
    await p.dispose();
    p = openLocal({ home, masterKey: TEST_KEY_HEX, clock });
    expect((await p.auditLog.verify()).ok).toBe(true);
    expect((await p.verifyIntegrity()).problems).toEqual([]);
    await expect(p.get(at("K9"))).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(p.get(at("K0"))).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await p.list()).items.map((m) => `${m.name}${m.env ? `:${m.env}` : ""}`)).toEqual([
      "K1",
      "K2",
      "K3",
      "K3:prod",
      "K5",
      "K7",
      "K8",
    ]);
  });

  it("a store whose anchor file is missing (first open on this machine) opens and re-creates it", async () => {
    const { home } = await seeded();
    for (const f of readdirSync(home).filter((f) => f.endsWith(".anchor"))) rmSync(join(home, f));
    const p = reopen(home);
    expect((await p.get(at("A_KEY"))).value).toBe(NEW);
    expect(readdirSync(home).filter((f) => f.endsWith(".anchor"))).toHaveLength(1);
  });
});

/** Turn a store into what a format 1 store looked like (no commitment, no links, the data key wrapped as v1). */
function downgradeToFormat1(path: string): void {
  withRawDb(path, (db) => {
    const meta = new Map(
      (db.prepare("SELECT key, value FROM meta").all() as Array<{ key: string; value: string }>).map((r) => [
        r.key,
        r.value,
      ]),
    );
    const c = JSON.parse(meta.get("commitment")!);
    const material = parseMasterKey(TEST_KEY_HEX, "option", "masterKey");
    const kek = deriveKeyEncryptionKey(
      material,
      Buffer.from(meta.get("key_salt")!, "base64"),
      JSON.parse(meta.get("kdf_params")!),
    );
    const storeId = meta.get("store_id")!;
    const { dataKey } = unwrapStoreDataKey(kek, meta.get("wrapped_data_key")!, storeId);
    const set = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    set.run("wrapped_data_key", wrapDataKey(kek, dataKey, storeId, 1));
    set.run("format", "1");
    set.run("audit_head_seq", String(c.headSeq));
    set.run("audit_head_hash", c.headHash);
    set.run("audit_anchor_seq", String(c.anchorSeq));
    set.run("audit_anchor_hash", c.anchorHash);
    db.prepare("DELETE FROM meta WHERE key = 'commitment'").run();
    for (const col of ["next_scope", "next_name", "next_env", "mac"])
      db.exec(`ALTER TABLE secret_states DROP COLUMN ${col}`);
  });
}

describe("format 1 stores", () => {
  it("are upgraded on open: links, MACs and the commitment are built, and everything verifies", async () => {
    const { home, path } = await seeded();
    downgradeToFormat1(path);
    for (const f of readdirSync(home).filter((f) => f.endsWith(".anchor"))) rmSync(join(home, f));
    const p = reopen(home);
    expect((await p.get(at("Z_KEY", "prod"))).value).toBe("z-prod");
    expect((await p.auditLog.verify()).ok).toBe(true);
    expect((await p.verifyIntegrity()).problems).toEqual([]);
    await p.set(at("C_KEY"), { value: "c" });
    await p.dispose();
    withRawDb(path, (db) =>
      expect((db.prepare("SELECT value FROM meta WHERE key = 'format'").get() as { value: string }).value).toBe("2"),
    );
    expect(readdirSync(home).some((f) => f.endsWith(".anchor"))).toBe(true);
  });

  it("a committed store passed off as format 1 (commitment stripped) while its anchor exists is refused", async () => {
    const { home, path } = await seeded();
    downgradeToFormat1(path);
    expect(readdirSync(home).some((f) => f.endsWith(".anchor"))).toBe(true);
    const p = reopen(home);
    await expectIntegrity(p.get(at("B_KEY")), /anchor file but no commitment/);
    expect(existsSync(path)).toBe(true);
  });
});

describe("tamper evidence: properties", () => {
  type Op =
    | { kind: "set"; name: string; env: string }
    | { kind: "delete" | "purge" | "restore"; name: string; purge?: boolean }
    | { kind: "advance" }
    | { kind: "get"; name: string; env: string };
  const names = ["P_A", "P_B", "P_C", "P_D", "P_E"];
  const envs = ["", "prod", "dev"];
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant("set" as const), name: fc.constantFrom(...names), env: fc.constantFrom(...envs) }),
    fc.record({
      kind: fc.constantFrom("delete" as const, "purge" as const, "restore" as const),
      name: fc.constantFrom(...names),
      purge: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("advance" as const) }),
    fc.record({ kind: fc.constant("get" as const), name: fc.constantFrom(...names), env: fc.constantFrom(...envs) }),
  );

  it("no sequence of writes, deletes, restores, purges and sweeps is reported as tampering; removing any state's rows afterwards always is", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), fc.nat(), async (ops, pick) => {
        const home = await tempHome();
        let now = Date.UTC(2030, 0, 1);
        const clock = () => new Date(now);
        const p = openLocal({ home, masterKey: TEST_KEY_HEX, clock, recoveryWindowDays: 1 });
        for (const o of ops) {
          const run = (): Promise<unknown> => {
            switch (o.kind) {
              case "set":
                return p.set(at(o.name, o.env || undefined), { value: `v-${o.name}` });
              case "get":
                return p.get(at(o.name, o.env || undefined));
              case "delete":
                return p.delete(ref(o.name), { purge: o.purge ?? false });
              case "purge":
                return p.purge(ref(o.name));
              case "restore":
                return p.restore(ref(o.name));
              default:
                now += 2 * 86_400_000; // past every recovery window: the next write sweeps
                return Promise.resolve();
            }
          };
          const err = (await run().then(
            () => undefined,
            (e: unknown) => e,
          )) as CofferError | undefined;
          expect(err?.code, err?.message).not.toBe("INTEGRITY");
        }
        expect((await p.verifyIntegrity()).problems).toEqual([]);
        expect((await p.auditLog.verify()).ok).toBe(true);
        await p.dispose();
        const states = withRawDb(p.storePath, (db) =>
          db.prepare("SELECT name, env FROM secret_states ORDER BY scope, name, env").all(),
        ) as Array<{ name: string; env: string }>;
        if (states.length === 0) return;
        const victim = states[pick % states.length]!;
        withRawDb(p.storePath, (db) => {
          db.prepare("DELETE FROM secret_versions WHERE name = ? AND env = ?").run(victim.name, victim.env);
          db.prepare("DELETE FROM secret_states WHERE name = ? AND env = ?").run(victim.name, victim.env);
        });
        const q = openLocal({ home, masterKey: TEST_KEY_HEX, clock, recoveryWindowDays: 1 });
        const err = await failure(q.get(at(victim.name, victim.env || undefined)));
        expect(err.code, err.message).toBe("INTEGRITY");
        expect((await q.auditLog.verify()).ok).toBe(false);
        await q.dispose();
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
