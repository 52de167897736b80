import type { AuditEntryInput } from "@coffer/core";
import { describe, expect, it } from "vitest";
import { GLOBAL, openLocal, TEST_KEY_HEX, tempHome, withRawDb } from "./support/temp-home.js";

function entry(i: number, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    time: new Date(Date.UTC(2030, 0, 1, 0, i)).toISOString(),
    accessor: i % 2 === 0 ? "alice" : "agent-7",
    frontEnd: i % 2 === 0 ? "cli" : "mcp",
    action: i % 3 === 0 ? "reveal" : "read",
    name: `SECRET_${i % 2}`,
    scope: "global",
    success: i !== 4,
    ...(i === 4 ? { errorCode: "PERMISSION_DENIED" } : {}),
    details: { n: i, nested: { b: 1, a: 2 } },
    ...overrides,
  };
}

async function auditedStore(count = 6) {
  const p = openLocal({ home: await tempHome(), masterKey: TEST_KEY_HEX });
  for (let i = 1; i <= count; i++) await p.auditLog.append(entry(i));
  return p;
}

describe("local audit log: keyed hash chain", () => {
  it("appends linked entries and verifies the chain", async () => {
    const p = await auditedStore();
    const all = await p.auditLog.query({ limit: 100 });
    expect(all.map((e) => e.seq)).toEqual([6, 5, 4, 3, 2, 1]);
    const first = all[5];
    expect(first).toMatchObject({
      seq: 1,
      prevHash: "",
      accessor: "agent-7",
      details: { n: 1, nested: { a: 2, b: 1 } },
    });
    expect(all[4]?.prevHash).toBe(first?.hash);
    expect(first?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await p.auditLog.verify()).toEqual({ ok: true, checked: 6 });
  });

  it("filters queries by every field, newest first", async () => {
    const p = await auditedStore(10);
    const seqs = async (q: Parameters<typeof p.auditLog.query>[0]) => (await p.auditLog.query(q)).map((e) => e.seq);
    expect(await seqs({ accessor: "alice" })).toEqual([10, 8, 6, 4, 2]);
    expect(await seqs({ name: "SECRET_1" })).toEqual([9, 7, 5, 3, 1]);
    expect(await seqs({ action: "reveal" })).toEqual([9, 6, 3]);
    expect(await seqs({ failedOnly: true })).toEqual([4]);
    expect(await seqs({ since: "2030-01-01T00:03:00.000Z", until: "2030-01-01T00:06:00.000Z" })).toEqual([5, 4, 3]);
    expect(await seqs({ limit: 2 })).toEqual([10, 9]);
    expect(await seqs({ beforeSeq: 3 })).toEqual([2, 1]);
    expect(await seqs({ accessor: "alice", action: "reveal", beforeSeq: 7 })).toEqual([6]);
    await expect(p.auditLog.query({ action: "steal" as never })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("fingerprints values with a store-specific key, never the plain hash", async () => {
    const p = await auditedStore(0);
    const q = await auditedStore(0);
    const fp = p.auditLog.fingerprint("hunter2");
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(p.auditLog.fingerprint("hunter2")).toBe(fp);
    expect(p.auditLog.fingerprint("hunter3")).not.toBe(fp);
    expect(q.auditLog.fingerprint("hunter2")).not.toBe(fp);
    const { createHash } = await import("node:crypto");
    expect(fp).not.toBe(createHash("sha256").update("hunter2").digest("hex"));
  });

  it("detects an edited field", async () => {
    const p = await auditedStore();
    withRawDb(p.storePath, (db) => db.prepare("UPDATE audit_log SET accessor = 'mallory' WHERE seq = 3").run());
    expect(await p.auditLog.verify()).toMatchObject({ ok: false, checked: 2, brokenAt: { seq: 3, reason: "edited" } });
  });

  it("detects a deleted entry, in the middle or at the end", async () => {
    const p = await auditedStore();
    withRawDb(p.storePath, (db) => db.prepare("DELETE FROM audit_log WHERE seq = 3").run());
    expect(await p.auditLog.verify()).toMatchObject({ ok: false, brokenAt: { seq: 3, reason: "deleted" } });
    const q = await auditedStore();
    withRawDb(q.storePath, (db) => db.prepare("DELETE FROM audit_log WHERE seq = 6").run());
    expect(await q.auditLog.verify()).toMatchObject({ ok: false, brokenAt: { seq: 6, reason: "deleted" } });
  });

  it("detects a deletion hidden by renumbering", async () => {
    const p = await auditedStore();
    withRawDb(p.storePath, (db) => {
      db.prepare("DELETE FROM audit_log WHERE seq = 3").run();
      for (const seq of [4, 5, 6]) db.prepare("UPDATE audit_log SET seq = ? WHERE seq = ?").run(seq - 1, seq);
    });
    expect(await p.auditLog.verify()).toMatchObject({ ok: false, brokenAt: { seq: 3, reason: "deleted" } });
  });

  it("detects an inserted entry, appended or pushed into the middle", async () => {
    const p = await auditedStore();
    withRawDb(p.storePath, (db) => {
      const last = db.prepare("SELECT * FROM audit_log WHERE seq = 6").get() as Record<string, unknown>;
      db.prepare(
        `INSERT INTO audit_log (seq, time, accessor, front_end, action, success, prev_hash, hash)
         VALUES (7, '2030-01-02T00:00:00.000Z', 'mallory', 'cli', 'read', 1, ?, ?)`,
      ).run(last.hash, "0".repeat(64));
    });
    expect(await p.auditLog.verify()).toMatchObject({ ok: false, brokenAt: { seq: 7, reason: "inserted" } });

    const q = await auditedStore();
    withRawDb(q.storePath, (db) => {
      const second = db.prepare("SELECT hash FROM audit_log WHERE seq = 2").get() as { hash: string };
      for (const seq of [6, 5, 4, 3]) db.prepare("UPDATE audit_log SET seq = ? WHERE seq = ?").run(seq + 1, seq);
      db.prepare(
        `INSERT INTO audit_log (seq, time, accessor, front_end, action, success, prev_hash, hash)
         VALUES (3, '2030-01-01T00:02:30.000Z', 'mallory', 'cli', 'read', 1, ?, ?)`,
      ).run(second.hash, "f".repeat(64));
    });
    expect(await q.auditLog.verify()).toMatchObject({ ok: false, brokenAt: { seq: 3, reason: "inserted" } });
  });

  it("drops the random-order hash index of earlier versions on the first append, and still classifies a broken chain", async () => {
    const home = await tempHome();
    const first = openLocal({ home });
    await first.auditLog.append(entry(0));
    await first.dispose();
    const indexes = (path: string) =>
      withRawDb(path, (db) =>
        (
          db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log'").all() as Array<{
            name: string;
          }>
        )
          .map((r) => r.name)
          .sort(),
      );
    expect(indexes(first.storePath)).toEqual(["audit_log_accessor", "audit_log_name", "audit_log_time"]);
    // A store made by an earlier version carries the index.
    withRawDb(first.storePath, (db) => db.exec("CREATE INDEX audit_log_hash ON audit_log (hash)"));
    const p = openLocal({ home });
    for (let i = 1; i < 6; i++) await p.auditLog.append(entry(i));
    expect(indexes(p.storePath)).not.toContain("audit_log_hash");
    withRawDb(p.storePath, (db) => {
      db.prepare("UPDATE audit_log SET seq = -1 WHERE seq = 3").run();
      db.prepare("UPDATE audit_log SET seq = 3 WHERE seq = 4").run();
      db.prepare("UPDATE audit_log SET seq = 4 WHERE seq = -1").run();
    });
    expect(await p.auditLog.verify()).toMatchObject({ ok: false, brokenAt: { seq: 3, reason: "reordered" } });
  });

  it("detects two swapped entries", async () => {
    const p = await auditedStore();
    withRawDb(p.storePath, (db) => {
      db.prepare("UPDATE audit_log SET seq = -1 WHERE seq = 3").run();
      db.prepare("UPDATE audit_log SET seq = 3 WHERE seq = 4").run();
      db.prepare("UPDATE audit_log SET seq = 4 WHERE seq = -1").run();
    });
    expect(await p.auditLog.verify()).toMatchObject({ ok: false, brokenAt: { seq: 3, reason: "reordered" } });
    expect((await p.verifyIntegrity()).problems).toEqual(["audit log: chain broken at entry 3 (reordered)"]);
  });

  it("prunes old entries and keeps the rest verifiable", async () => {
    const p = await auditedStore(8);
    expect(await p.auditLog.prune("2030-01-01T00:04:00.000Z")).toBe(3);
    expect((await p.auditLog.query()).map((e) => e.seq)).toEqual([8, 7, 6, 5, 4]);
    expect(await p.auditLog.verify()).toEqual({ ok: true, checked: 5 });
    await p.auditLog.append(entry(9));
    expect(await p.auditLog.verify()).toEqual({ ok: true, checked: 6 });
    expect(await p.auditLog.prune("2030-01-01T00:04:00.000Z")).toBe(0);
    withRawDb(p.storePath, (db) => db.prepare("DELETE FROM audit_log WHERE seq = 4").run());
    expect(await p.auditLog.verify()).toMatchObject({ ok: false, brokenAt: { seq: 4, reason: "deleted" } });
  });

  it("refuses malformed entries", async () => {
    const p = await auditedStore(0);
    await expect(p.auditLog.append({ ...entry(1), action: "nope" as never })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    await expect(p.auditLog.append({ ...entry(1), time: "yesterday" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    expect(await p.auditLog.query()).toEqual([]);
  });
});

describe("local audit log: committed with the change it describes", () => {
  it("records set, delete, restore and purge entries in the same transaction", async () => {
    const p = openLocal({ home: await tempHome(), masterKey: TEST_KEY_HEX });
    const ref = { name: "API_KEY", scope: GLOBAL };
    const audit = (action: AuditEntryInput["action"]): AuditEntryInput => ({
      time: "2030-01-01T00:00:00.000Z",
      accessor: "alice",
      frontEnd: "cli",
      action,
      name: "API_KEY",
      success: true,
    });
    await p.set(ref, { value: "one" }, { audit: { ...audit("write"), fingerprint: p.auditLog.fingerprint("one") } });
    await p.set(ref, { value: "two" }, { audit: audit("rotate") });
    await p.delete(ref, { audit: audit("delete") });
    await p.restore(ref, { audit: audit("restore") });
    await p.purge(ref, { audit: audit("purge") });
    const entries = await p.auditLog.query();
    expect(entries.map((e) => [e.action, e.version, e.provider])).toEqual([
      ["purge", undefined, "local"],
      ["restore", undefined, "local"],
      ["delete", undefined, "local"],
      ["rotate", 2, "local"],
      ["write", 1, "local"],
    ]);
    expect(JSON.stringify(entries)).not.toContain('"one"');
    expect(await p.auditLog.verify()).toEqual({ ok: true, checked: 5 });
  });

  it("fails closed: when the audit entry cannot be stored, the write does not happen", async () => {
    const p = openLocal({ home: await tempHome(), masterKey: TEST_KEY_HEX });
    const ref = { name: "API_KEY", scope: GLOBAL };
    const audit: AuditEntryInput = {
      time: "2030-01-01T00:00:00.000Z",
      accessor: "alice",
      frontEnd: "rest",
      action: "write",
      success: true,
    };
    await p.set(ref, { value: "original" }, { audit });
    withRawDb(p.storePath, (db) =>
      db.exec(
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit disk gone'); END;",
      ),
    );
    await expect(p.set(ref, { value: "replacement" }, { audit })).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringContaining("audit log"),
    });
    expect(await p.get(ref)).toMatchObject({ value: "original", version: 1 });
    expect((await p.history(ref)).map((h) => h.version)).toEqual([1]);
    await expect(p.delete(ref, { audit: { ...audit, action: "delete" } })).rejects.toMatchObject({
      code: "UNAVAILABLE",
    });
    expect((await p.get(ref)).value).toBe("original");
    await expect(p.purge(ref, { audit: { ...audit, action: "purge" } })).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect((await p.get(ref)).value).toBe("original");
    expect(await p.auditLog.query()).toHaveLength(1);
    expect(await p.auditLog.verify()).toEqual({ ok: true, checked: 1 });
    // Without an audit entry the same write goes through: only the audit insert was refused.
    await p.set(ref, { value: "unaudited" });
    expect((await p.get(ref)).version).toBe(2);
  });
});
