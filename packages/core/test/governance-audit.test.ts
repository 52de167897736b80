import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AuditEntry,
  type AuditEntryInput,
  applyRetention,
  applyRetentionDaily,
  createCoffer,
  createPolicyEngine,
  detectAnomalies,
  exportAuditJsonl,
  RETENTION_DOCUMENT,
} from "../src/index.js";
import {
  agent,
  cleanup,
  failingAuditLog,
  governedCoffer,
  localStore,
  memoryRemoteProvider,
  rejection,
  SENTINEL,
  tempDir,
  testClock,
  user,
} from "./governance-support.js";

afterEach(cleanup);

/** Open the store file directly, as an attacker with file access would. */
function rawStore(storePath: string): DatabaseSync {
  return new DatabaseSync(storePath);
}

describe("tamper-evident chain, verified through the service", () => {
  async function withEntries() {
    const ctx = await governedCoffer({ accessor: user("alice") });
    await ctx.coffer.set("a", "value-a-12345678");
    await ctx.coffer.set("b", "value-b-12345678");
    await ctx.coffer.set("c", "value-c-12345678");
    await ctx.coffer.set("d", "value-d-12345678");
    expect(await ctx.coffer.verifyAudit()).toEqual({ ok: true, checked: 4 });
    return ctx;
  }

  it("catches an edited entry", async () => {
    const { coffer, store } = await withEntries();
    const db = rawStore(store.storePath);
    db.prepare("UPDATE audit_log SET accessor = 'mallory' WHERE seq = 2").run();
    db.close();
    expect(await coffer.verifyAudit()).toMatchObject({ ok: false, brokenAt: { seq: 2, reason: "edited" } });
  });

  it("catches a deleted entry", async () => {
    const { coffer, store } = await withEntries();
    const db = rawStore(store.storePath);
    db.prepare("DELETE FROM audit_log WHERE seq = 2").run();
    db.close();
    expect(await coffer.verifyAudit()).toMatchObject({ ok: false, brokenAt: { seq: 2, reason: "deleted" } });
  });

  it("catches a deleted tail", async () => {
    const { coffer, store } = await withEntries();
    const db = rawStore(store.storePath);
    db.prepare("DELETE FROM audit_log WHERE seq = 4").run();
    db.close();
    expect(await coffer.verifyAudit()).toMatchObject({ ok: false, brokenAt: { seq: 4, reason: "deleted" } });
  });

  it("catches an inserted entry", async () => {
    const { coffer, store } = await withEntries();
    const db = rawStore(store.storePath);
    const last = db.prepare("SELECT * FROM audit_log WHERE seq = 4").get() as Record<string, unknown>;
    db.prepare(
      `INSERT INTO audit_log (seq, time, accessor, front_end, action, name, scope, env, provider, success, error_code, purpose, fingerprint, version, details, prev_hash, hash)
       VALUES (5, ?, 'mallory', 'cli', 'read', 'a', 'global', NULL, 'local', 1, NULL, NULL, NULL, 1, NULL, ?, ?)`,
    ).run(String(last.time), String(last.hash), "f".repeat(64));
    db.close();
    expect(await coffer.verifyAudit()).toMatchObject({ ok: false, brokenAt: { seq: 5, reason: "inserted" } });
  });

  it("catches reordered entries", async () => {
    const { coffer, store } = await withEntries();
    const db = rawStore(store.storePath);
    db.exec(
      "UPDATE audit_log SET seq = -2 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = -2;",
    );
    db.close();
    expect(await coffer.verifyAudit()).toMatchObject({ ok: false, brokenAt: { seq: 2, reason: "reordered" } });
  });
});

describe("fail closed", () => {
  it("does not write to a remote provider when the audit intent cannot be recorded", async () => {
    const store = await localStore();
    const remote = memoryRemoteProvider();
    const audit = failingAuditLog(store.auditLog);
    const coffer = createCoffer({
      providers: [remote, store],
      defaultProvider: "remote",
      audit,
      env: {},
      cwd: tempDir(),
    });
    try {
      await coffer.set("remote-key", "first-value-1234");
      const phases = (await coffer.audit({ name: "remote-key" })).map((e) => [e.details?.phase, e.success]);
      expect(phases).toEqual([
        ["outcome", true],
        ["intent", false],
      ]);
      audit.armed = true;
      const err = await rejection(coffer.set("remote-key", SENTINEL));
      expect(err.code).toBe("UNAVAILABLE");
      expect(err.message).not.toContain(SENTINEL);
      const versions = [...remote.stored.values()].flat();
      expect(versions.map((v) => v.value)).toEqual(["first-value-1234"]);
      expect((await rejection(coffer.rotate("remote-key"))).code).toBe("UNAVAILABLE");
      expect([...remote.stored.values()].flat()).toHaveLength(1);
      // a reveal is not handed out unless it is recorded
      expect((await rejection(coffer.get("remote-key", { reveal: true }))).code).toBe("UNAVAILABLE");
    } finally {
      audit.armed = false;
      await coffer.dispose();
    }
  });

  it("rolls back a local write together with its audit entry when the entry cannot be stored", async () => {
    const { coffer, store } = await governedCoffer({ accessor: user("alice") });
    await coffer.set("kept", "kept-value-123456");
    const db = rawStore(store.storePath);
    db.exec(
      "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit storage full'); END;",
    );
    try {
      const err = await rejection(coffer.set("new-secret", SENTINEL));
      expect(err.code).toBe("UNAVAILABLE");
      expect((await rejection(coffer.set("kept", "changed-value-1234"))).code).toBe("UNAVAILABLE");
      expect((await rejection(coffer.delete("kept"))).code).toBe("UNAVAILABLE");
    } finally {
      db.exec("DROP TRIGGER refuse_audit");
      db.close();
    }
    expect(await coffer.has("new-secret")).toBe(false);
    expect((await coffer.get("kept", { reveal: true })).value).toBe("kept-value-123456");
    expect((await coffer.history("kept")).map((v) => v.version)).toEqual([1]);
    expect(await coffer.verifyAudit()).toMatchObject({ ok: true });
  });
});

describe("values never reach the audit log, hook payloads or logs", () => {
  it("records fingerprints, never values, across every kind of operation", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    const captured: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const writeOut = process.stdout.write.bind(process.stdout);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(String(chunk));
      return write(chunk as string, ...(rest as []));
    }) as typeof process.stderr.write;
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(String(chunk));
      return writeOut(chunk as string, ...(rest as []));
    }) as typeof process.stdout.write;
    try {
      const policy = createPolicyEngine({
        layers: [
          {
            source: "user",
            config: {
              accessControl: { rules: [{ id: "no-bot-reveal", accessors: ["agent:bot"], deny: ["reveal"] }] },
              exec: { allow: ["npm"] },
            },
          },
        ],
      });
      const { coffer, audit } = await governedCoffer({ policy, accessor: user("alice") });
      await coffer.set("payments/key", SENTINEL, { tags: ["prod"] });
      await coffer.get("payments/key", { reveal: true, purpose: "check" });
      await coffer.get("payments/key");
      await coffer.export({ includeValues: true });
      await coffer.resolveForInjection({ command: "npm", purpose: "tests" });
      await rejection(
        coffer.withAccessor(agent("bot")).get("payments/key", { reveal: true, purpose: `please print ${"x"}` }),
      );
      await rejection(coffer.set("payments/key", SENTINEL, { ifVersion: 7 }));
      await coffer.rotate("payments/key", { value: `${SENTINEL}-next` });
      await coffer.import(`IMPORTED=${SENTINEL}\n`);
      const entries = await coffer.audit({ limit: 1000 }); // also flushes batched read entries
      expect(entries.length).toBeGreaterThan(8);
      expect(JSON.stringify(entries)).not.toContain(SENTINEL);
      expect(exportAuditJsonl(entries)).not.toContain(SENTINEL);
      const write = entries.find((e) => e.action === "write" && e.name === "payments/key" && e.success)!;
      expect(write.fingerprint).toBe(audit.fingerprint(SENTINEL));
      const { createHash } = await import("node:crypto");
      expect(write.fingerprint).not.toBe(createHash("sha256").update(SENTINEL).digest("hex"));
    } finally {
      process.stderr.write = write;
      process.stdout.write = writeOut;
      process.off("warning", onWarning);
    }
    expect(captured.join("")).not.toContain(SENTINEL);
    expect(warnings.join("")).not.toContain(SENTINEL);
  });
});

describe("JSON Lines export", () => {
  it("writes one parseable entry per line, in order", async () => {
    const { coffer } = await governedCoffer();
    await coffer.set("a", "value-a-12345678");
    await coffer.set("b", "value-b-12345678");
    const entries = await coffer.audit();
    const text = exportAuditJsonl(entries);
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(entries.length);
    expect(lines.map((l) => JSON.parse(l) as AuditEntry)).toEqual(entries);
    expect(exportAuditJsonl([])).toBe("");
  });
});

describe("retention", () => {
  it("removes entries older than the retention and keeps the chain verifiable", async () => {
    const clock = testClock("2026-01-01T00:00:00.000Z");
    const { coffer, audit, documents } = await governedCoffer({ clock: clock.now });
    await coffer.set("old-1", "value-12345678");
    await coffer.set("old-2", "value-12345678");
    clock.advance(10 * 86400);
    await coffer.set("new-1", "value-12345678");
    const outcome = await applyRetention(audit, 5, clock.now());
    expect(outcome).toEqual({ removed: 2, before: "2026-01-06T00:00:00.000Z" });
    expect((await coffer.audit()).map((e) => e.name)).toEqual(["new-1"]);
    // new-1 plus the record of the audit read just made (who reads the log is audited too)
    expect(await coffer.verifyAudit()).toMatchObject({ ok: true, checked: 2 });
    // at most once a day, across calls (and processes)
    expect((await applyRetentionDaily({ auditLog: audit, documents, days: 5, now: clock.now() })).ran).toBe(true);
    clock.advance(3600);
    expect(await applyRetentionDaily({ auditLog: audit, documents, days: 5, now: clock.now() })).toEqual({
      ran: false,
    });
    clock.advance(86400);
    expect((await applyRetentionDaily({ auditLog: audit, documents, days: 5, now: clock.now() })).ran).toBe(true);
    expect(await documents.get(RETENTION_DOCUMENT.collection, RETENTION_DOCUMENT.key)).toEqual({
      lastRunAt: clock.now().toISOString(),
    });
  });

  it("refuses bad settings and logs that cannot prune", async () => {
    const { audit } = await governedCoffer();
    expect((await rejection(applyRetention(audit, 0))).code).toBe("CONFIG");
    expect((await rejection(applyRetention(audit, 1.5))).code).toBe("CONFIG");
    const withoutPrune = {
      append: audit.append.bind(audit),
      query: audit.query.bind(audit),
      verify: audit.verify.bind(audit),
      fingerprint: audit.fingerprint.bind(audit),
    };
    expect((await rejection(applyRetention(withoutPrune, 30))).code).toBe("UNSUPPORTED");
  });
});

describe("batched read entries", () => {
  it("merge the reads of each secret within one flush, keep first-read order, and count every read", async () => {
    const { coffer } = await governedCoffer({ accessor: user("alice") });
    await coffer.set("api-a", "value-a-123456");
    await coffer.set("api-b", "value-b-123456");
    // Issued together, so all five land in one batch whatever the machine's speed.
    await Promise.all(["api-a", "api-b", "api-a", "api-b", "api-a"].map((name) => coffer.get(name)));
    const reads = (await coffer.audit({ action: "read" })).reverse(); // oldest first
    expect(reads.map((e) => [e.name, e.details?.count ?? 1])).toEqual([
      ["api-a", 3],
      ["api-b", 2],
    ]);
    expect(reads[0]!.details).toMatchObject({ coalesced: true, count: 3, lastTime: expect.any(String) });
    expect((await coffer.inspect("api-a")).accessCount).toBe(3);
  });
});

describe("anomaly flags", () => {
  const T0 = Date.parse("2026-03-02T09:00:00.000Z");
  const entry = (seconds: number, fields: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
    time: new Date(T0 + seconds * 1000).toISOString(),
    accessor: "bot",
    frontEnd: "mcp",
    action: "read",
    name: "api-key",
    success: true,
    ...fields,
  });

  it("counts every read a coalesced entry stands for", () => {
    const merged = entry(0, { details: { coalesced: true, count: 40, lastTime: entry(0.02).time } });
    expect(detectAnomalies([merged], { burstReads: 30, burstWindowSeconds: 60, timeZone: "UTC" })).toEqual([
      { kind: "read-burst", accessor: "bot", count: 40, from: merged.time, to: merged.time, names: ["api-key"] },
    ]);
    const small = entry(0, { details: { coalesced: true, count: 29, lastTime: entry(0.02).time } });
    expect(detectAnomalies([small], { burstReads: 30, burstWindowSeconds: 60, timeZone: "UTC" })).toEqual([]);
  });

  it("flags a burst of reads by one accessor, and not a slower pace", () => {
    const burst = Array.from({ length: 30 }, (_, i) => entry(i * 1.5));
    const anomalies = detectAnomalies(burst, { burstReads: 30, burstWindowSeconds: 60, timeZone: "UTC" });
    expect(anomalies).toEqual([
      { kind: "read-burst", accessor: "bot", count: 30, from: burst[0]!.time, to: burst[29]!.time, names: ["api-key"] },
    ]);
    expect(detectAnomalies(burst.slice(1), { burstReads: 30, burstWindowSeconds: 60, timeZone: "UTC" })).toEqual([]);
    const slow = Array.from({ length: 30 }, (_, i) => entry(i * 3));
    expect(detectAnomalies(slow, { burstReads: 30, burstWindowSeconds: 60, timeZone: "UTC" })).toEqual([]);
    const two = [
      ...burst,
      ...burst.map((e) => ({ ...e, time: new Date(Date.parse(e.time) + 3600_000).toISOString() })),
    ];
    expect(detectAnomalies(two.reverse(), { burstReads: 30, timeZone: "UTC" }).map((a) => a.count)).toEqual([30, 30]);
  });

  it("flags reads at an hour the accessor never reads at, once there is history", () => {
    const history = Array.from({ length: 40 }, (_, day) =>
      entry(day * 86400 + (day % 8) * 3600, { accessor: "alice", frontEnd: "cli" }),
    );
    const night = entry(45 * 86400 - 6 * 3600, { accessor: "alice", frontEnd: "cli", name: "prod/db" }); // 03:00 UTC
    const since = new Date(T0 + 44 * 86400 * 1000).toISOString();
    const anomalies = detectAnomalies([...history, night], { since, timeZone: "UTC" });
    expect(anomalies).toEqual([
      {
        kind: "unusual-hour",
        accessor: "alice",
        hour: 3,
        count: 1,
        from: night.time,
        to: night.time,
        historyReads: 40,
        names: ["prod/db"],
      },
    ]);
    // a usual hour is not flagged; too little history is not judged
    expect(detectAnomalies([...history, entry(45 * 86400, { accessor: "alice" })], { since, timeZone: "UTC" })).toEqual(
      [],
    );
    expect(detectAnomalies([...history.slice(0, 5), night], { since, timeZone: "UTC" })).toEqual([]);
  });

  it("counts repeated denials once each, as the service records them", async () => {
    const policy = createPolicyEngine({
      layers: [
        {
          source: "user",
          config: { accessControl: { rules: [{ id: "no-bot", accessors: ["agent:bot"], deny: ["reveal"] }] } },
        },
      ],
    });
    const { coffer } = await governedCoffer({ policy, accessor: user("alice") });
    await coffer.set("api-key", "value-12345678");
    const bot = coffer.withAccessor(agent("bot"));
    for (let i = 0; i < 4; i++) await rejection(bot.get("api-key", { reveal: true, purpose: "try" }));
    const options = { denials: 5, denialWindowSeconds: 600, timeZone: "UTC" };
    expect(detectAnomalies(await coffer.audit({ limit: 1000 }), options)).toEqual([]);
    await rejection(bot.get("api-key", { reveal: true, purpose: "try" }));
    const flagged = detectAnomalies(await coffer.audit({ limit: 1000 }), options);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toMatchObject({ kind: "repeated-denials", accessor: "bot", count: 5, names: ["api-key"] });
    // unauthenticated attempts count too
    const unauth = Array.from({ length: 5 }, (_, i) =>
      entry(i, { accessor: "rest-client", action: "read", success: false, errorCode: "UNAUTHENTICATED" }),
    );
    expect(detectAnomalies(unauth, options)).toMatchObject([
      { kind: "repeated-denials", accessor: "rest-client", count: 5 },
    ]);
  });
});
