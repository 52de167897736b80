import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CofferError } from "@coffer/core";
import { defaultAccessor, type OpenedCoffer, openCoffer } from "@coffer/runtime";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  createApiToken,
  createWorkspace,
  envelopeData,
  frontEndAvailable,
  killAllTracked,
  runCli,
  startRestServer,
  type Workspace,
} from "../src/index.js";
import { tally } from "./scenario-tally.js";
import { editStore, storePath } from "./store-file.js";

const VALUE_A = "tamper-value-A-0123456789";
const VALUE_B = "tamper-value-B-9876543210";

const workspaces: Workspace[] = [];
const handles: OpenedCoffer[] = [];

afterEach(async () => {
  for (const h of handles.splice(0)) await h.coffer.dispose();
});

afterAll(async () => {
  await killAllTracked();
  for (const ws of workspaces) ws.cleanup();
});

async function open(ws: Workspace, env: Record<string, string> = {}): Promise<OpenedCoffer> {
  const opened = await openCoffer({ accessor: defaultAccessor("library"), cwd: ws.project, env: ws.env(env) });
  handles.push(opened);
  return opened;
}

/** A workspace with secrets A (two versions) and B, closed again so the file can be edited. */
async function seeded(env: Record<string, string> = {}): Promise<Workspace> {
  const ws = createWorkspace("tamper");
  workspaces.push(ws);
  const { coffer } = await open(ws, env);
  await coffer.set("SECRET_A", `${VALUE_A}-v1`);
  await coffer.set("SECRET_A", VALUE_A);
  await coffer.set("SECRET_B", VALUE_B);
  await coffer.get("SECRET_B");
  await coffer.dispose();
  handles.pop();
  return ws;
}

/** The CofferError a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<CofferError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CofferError);
    return err as CofferError;
  }
  throw new Error("expected a CofferError, but the call succeeded");
}

/**
 * Tampering is reported as INTEGRITY: either as the error's own code, or -- when the read went
 * through the provider chain, which reports a failed provider as UNAVAILABLE -- as the local
 * provider's outcome in the per-provider report (and in the message).
 */
function expectIntegrity(err: CofferError): void {
  if (err.code === "INTEGRITY") return;
  expect(err.code).toBe("UNAVAILABLE");
  const outcomes = (err.details.outcomes ?? []) as Array<{ provider: string; code?: string }>;
  expect(outcomes).toContainEqual(expect.objectContaining({ provider: "local", code: "INTEGRITY" }));
  expect(err.message).toContain("INTEGRITY");
}

/** The same, from a front end's code and message text. */
function expectIntegrityText(code: string | undefined, message: string | undefined): void {
  expect(["INTEGRITY", "UNAVAILABLE"]).toContain(code);
  if (code !== "INTEGRITY") expect(message).toContain("INTEGRITY");
}

/** No value may appear in an error's message or details. */
function expectValueFree(err: CofferError): void {
  const text = `${err.message} ${JSON.stringify(err.details)}`;
  for (const v of [VALUE_A, VALUE_B, `${VALUE_A}-v1`]) expect(text).not.toContain(v);
}

/** The CLI and REST report the same tampering with the same code (when built). */
async function frontEndsReport(ws: Workspace, name: string, server = true): Promise<number> {
  let checks = 0;
  if (frontEndAvailable("cli")) {
    const r = await runCli(ws, ["get", name, "--plain", "--json"]);
    expect(r.json?.ok).toBe(false);
    expectIntegrityText(r.json?.error?.code, r.json?.error?.message);
    expect(r.code).toBe(r.json?.error?.code === "INTEGRITY" ? 10 : 9); // the CLI's exit code table
    expect(r.stdout + r.stderr).not.toContain(VALUE_A);
    checks++;
  }
  if (server && frontEndAvailable("server")) {
    const token = await createApiToken(ws, `t${randomBytes(3).toString("hex")}`, ["secrets:read", "secrets:reveal"]);
    const server = await startRestServer(ws);
    try {
      const r = await server.request("GET", `/v1/secrets/${name}?reveal=true&purpose=check`, { token });
      expect(r.status).toBeGreaterThanOrEqual(400);
      const problem = r.body as { code?: string; detail?: string; message?: string };
      expectIntegrityText(problem.code, r.text);
      expect(r.text).not.toContain(VALUE_A);
      checks++;
    } finally {
      await server.stop();
    }
  }
  return checks;
}

describe("tampering with the store file is detected with a coded error", () => {
  it("a flipped ciphertext byte fails the read with INTEGRITY (library, CLI, REST) and the integrity check names the version", async (context) => {
    const ws = await seeded();
    editStore(ws, (db) => {
      const row = db
        .prepare("SELECT ciphertext FROM secret_versions WHERE name = 'SECRET_A' AND version = 2")
        .get() as { ciphertext: Buffer };
      row.ciphertext[row.ciphertext.length - 5]! ^= 0x01;
      db.prepare("UPDATE secret_versions SET ciphertext = ? WHERE name = 'SECRET_A' AND version = 2").run(
        row.ciphertext,
      );
    });
    const opened = await open(ws);
    const err = await rejection(opened.coffer.get("SECRET_A", { reveal: true }));
    expectIntegrity(err);
    expectValueFree(err);
    // The untouched secret still reads.
    expect((await opened.coffer.get("SECRET_B", { reveal: true })).value).toBe(VALUE_B);
    const report = await opened.local!.verifyIntegrity();
    expect(report.ok).toBe(false);
    expect(report.problems.join("\n")).toMatch(/SECRET_A.*version 2/);
    await opened.coffer.dispose();
    handles.pop();
    tally(context, { operations: 4 + (await frontEndsReport(ws, "SECRET_A")) });
  });

  it("ciphertexts swapped between two secrets are refused with INTEGRITY, never returned as the other secret's value", async (context) => {
    const ws = await seeded();
    editStore(ws, (db) => {
      const a = db.prepare("SELECT ciphertext FROM secret_versions WHERE name = 'SECRET_A' AND version = 2").get() as {
        ciphertext: Buffer;
      };
      const b = db.prepare("SELECT ciphertext FROM secret_versions WHERE name = 'SECRET_B' AND version = 1").get() as {
        ciphertext: Buffer;
      };
      db.prepare("UPDATE secret_versions SET ciphertext = ? WHERE name = 'SECRET_A' AND version = 2").run(b.ciphertext);
      db.prepare("UPDATE secret_versions SET ciphertext = ? WHERE name = 'SECRET_B' AND version = 1").run(a.ciphertext);
    });
    const { coffer, local } = await open(ws);
    for (const name of ["SECRET_A", "SECRET_B"]) {
      const err = await rejection(coffer.get(name, { reveal: true }));
      expectIntegrity(err);
      expectValueFree(err);
    }
    expect((await local!.verifyIntegrity()).problems.length).toBe(2);
    tally(context, { operations: 3 });
  });

  it("versions of one secret swapped with each other are refused with INTEGRITY", async (context) => {
    const ws = await seeded();
    editStore(ws, (db) => {
      const rows = db
        .prepare("SELECT version, ciphertext FROM secret_versions WHERE name = 'SECRET_A' ORDER BY version")
        .all() as Array<{ version: number; ciphertext: Buffer }>;
      const set = db.prepare("UPDATE secret_versions SET ciphertext = ? WHERE name = 'SECRET_A' AND version = ?");
      set.run(rows[1]!.ciphertext, rows[0]!.version);
      set.run(rows[0]!.ciphertext, rows[1]!.version);
    });
    const { coffer } = await open(ws);
    expectIntegrity(await rejection(coffer.get("SECRET_A", { reveal: true })));
    expectIntegrity(await rejection(coffer.get("SECRET_A", { version: 1, reveal: true })));
    tally(context, { operations: 2 });
  });

  for (const [label, damage] of [
    ["truncated to half its size", (path: string) => truncateSync(path, Math.floor(statSync(path).size / 2))],
    ["overwritten with random bytes", (path: string) => writeFileSync(path, randomBytes(64 * 1024))],
  ] as const) {
    it(`a store file ${label} is reported as INTEGRITY by reads, listings and the CLI, never read as empty`, async (context) => {
      const ws = await seeded();
      damage(storePath(ws));
      const { coffer } = await open(ws);
      const err = await rejection(coffer.get("SECRET_B", { reveal: true }));
      expectIntegrity(err);
      expectValueFree(err);
      // A listing does not pretend the store is empty: the local provider's failure is reported.
      const listing = await coffer.list({ limit: 100 }).then(
        (r) => r.errors,
        (e: CofferError) => [{ provider: "local", code: e.code }],
      );
      expect(listing).toContainEqual(expect.objectContaining({ provider: "local", code: "INTEGRITY" }));
      let ops = 2;
      if (frontEndAvailable("cli")) {
        const r = await runCli(ws, ["get", "SECRET_B", "--json"]);
        expectIntegrityText(r.json?.error?.code, r.json?.error?.message);
        ops++;
      }
      tally(context, { operations: ops });
    });
  }

  it("the wrong master key (env or a replaced key file) is refused with INTEGRITY before anything is read or written", async (context) => {
    const keyA = randomBytes(32).toString("hex");
    const ws = await seeded({ COFFER_MASTER_KEY: keyA });
    const before = readFileSync(storePath(ws));
    const wrongEnv = await rejection(
      (async () => {
        const { coffer } = await open(ws, { COFFER_MASTER_KEY: randomBytes(32).toString("hex") });
        await coffer.get("SECRET_A");
      })(),
    );
    expectIntegrity(wrongEnv);
    expect(wrongEnv.message).toMatch(/master key/);
    expect(JSON.stringify(wrongEnv.details)).not.toContain(keyA);
    const wrongPassphrase = await rejection(
      (async () => {
        const { coffer } = await open(ws, { COFFER_MASTER_KEY: "correct horse battery staple" });
        await coffer.set("NEW_ONE", "x");
      })(),
    );
    expectIntegrity(wrongPassphrase);
    expect(readFileSync(storePath(ws)).equals(before)).toBe(true);

    // Key-file store whose key file is replaced.
    const ws2 = await seeded();
    writeFileSync(join(ws2.home, "master.key"), randomBytes(32), { mode: 0o600 });
    const wrongFile = await rejection(
      (async () => {
        const { coffer } = await open(ws2);
        await coffer.get("SECRET_A");
      })(),
    );
    expectIntegrity(wrongFile);
    let ops = 3;
    if (frontEndAvailable("cli")) {
      const r = await runCli(ws2, ["get", "SECRET_A", "--json"]);
      expectIntegrityText(r.json?.error?.code, r.json?.error?.message);
      ops++;
    }
    tally(context, { operations: ops });
  });

  it("an edited audit entry breaks the chain at that entry (verifyAudit and the integrity check both say so)", async (context) => {
    const ws = await seeded();
    editStore(ws, (db) => db.prepare("UPDATE audit_log SET accessor = 'mallory' WHERE seq = 2").run());
    const { coffer, local } = await open(ws);
    const v = await coffer.verifyAudit();
    expect(v.ok).toBe(false);
    expect(v.brokenAt).toEqual({ seq: 2, reason: "edited" });
    expect((await local!.verifyIntegrity()).problems.join("\n")).toMatch(/audit log: chain broken at entry 2/);
    let ops = 2;
    if (frontEndAvailable("cli")) {
      const r = await runCli(ws, ["audit", "--verify", "--json"]);
      expect(r.code).toBe(10); // INTEGRITY
      expect(r.json?.ok).toBe(true);
      expect(envelopeData<{ brokenAt?: unknown }>(r).brokenAt).toEqual({ seq: 2, reason: "edited" });
      ops++;
    }
    tally(context, { operations: ops });
  });

  it("a deleted audit entry, a cut tail and an inserted entry are each detected", async (context) => {
    const cases: Array<[string, (db: import("better-sqlite3").Database) => void, string]> = [
      ["deleted", (db) => db.prepare("DELETE FROM audit_log WHERE seq = 2").run(), "deleted"],
      [
        "cut tail",
        (db) => {
          const max = (db.prepare("SELECT max(seq) AS m FROM audit_log").get() as { m: number }).m;
          db.prepare("DELETE FROM audit_log WHERE seq > ?").run(max - 2);
        },
        "deleted",
      ],
      [
        "inserted",
        (db) => {
          const last = db.prepare("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1").get() as Record<string, unknown>;
          db.prepare(
            "INSERT INTO audit_log (seq, time, accessor, front_end, action, name, scope, env, provider, success, error_code, purpose, fingerprint, version, details, prev_hash, hash) VALUES (@seq, @time, @accessor, @front_end, @action, @name, @scope, @env, @provider, @success, @error_code, @purpose, @fingerprint, @version, @details, @prev_hash, @hash)",
          ).run({ ...last, seq: (last.seq as number) + 1, prev_hash: last.hash, accessor: "mallory" });
        },
        "inserted",
      ],
    ];
    for (const [label, edit, reason] of cases) {
      const ws = await seeded();
      editStore(ws, edit);
      const { coffer } = await open(ws);
      const v = await coffer.verifyAudit();
      expect(v.ok, label).toBe(false);
      expect(v.brokenAt?.reason, label).toBe(reason);
    }
    tally(context, { operations: cases.length });
  });

  it("a state rolled back to an older version by editing current_version is refused with INTEGRITY", async (context) => {
    const ws = await seeded();
    editStore(ws, (db) => db.prepare("UPDATE secret_states SET current_version = 1 WHERE name = 'SECRET_A'").run());
    const { coffer, local } = await open(ws);
    for (const err of [
      await rejection(coffer.get("SECRET_A", { reveal: true })),
      await rejection(coffer.set("SECRET_A", "written-over-a-rollback")),
    ]) {
      expectIntegrity(err);
      expectValueFree(err);
    }
    expect((await local!.verifyIntegrity()).ok).toBe(false);
    tally(context, { operations: 3 });
  });

  /**
   * Every detector must see the edit: the read of the affected secret (library, and CLI/REST when
   * built: INTEGRITY, never the old value), `verifyAudit` / `coffer audit --verify`, and the
   * integrity check / `coffer doctor`.
   */
  async function detectedEverywhere(ws: Workspace, read: string | undefined, storeRefused = false): Promise<number> {
    let ops = 0;
    ops += await detectedByLibrary(await open(ws), read);
    if (frontEndAvailable("cli")) {
      const verify = await runCli(ws, ["audit", "--verify", "--json"]);
      expect(verify.code, verify.stdout + verify.stderr).toBe(10);
      const doctor = await runCli(ws, ["doctor", "--json"]);
      expect(doctor.code, doctor.stdout + doctor.stderr).toBe(10);
      expect(doctor.stdout).toContain("INTEGRITY");
      for (const r of [verify, doctor]) expect(r.stdout + r.stderr).not.toContain(VALUE_A);
      ops += 2;
      // (A store refused as a whole cannot issue the token the REST check needs: CLI only.)
      if (read !== undefined) ops += await frontEndsReport(ws, read, !storeRefused);
    }
    return ops;
  }

  async function detectedByLibrary({ coffer, local }: OpenedCoffer, read: string | undefined): Promise<number> {
    let ops = 0;
    if (read !== undefined) {
      const err = await rejection(coffer.get(read, { reveal: true }));
      expectIntegrity(err);
      expectValueFree(err);
      ops++;
    }
    const verified = await coffer.verifyAudit().then(
      (v) => v,
      (e: CofferError) => e,
    );
    if (verified instanceof CofferError) expectIntegrity(verified);
    else expect(verified.ok).toBe(false);
    expect((await local!.verifyIntegrity()).ok).toBe(false);
    ops += 2;
    await coffer.dispose();
    handles.pop();
    return ops;
  }

  const rowEdits: Array<[string, (db: import("better-sqlite3").Database) => void]> = [
    [
      "the newer version rows deleted and current_version set back",
      (db) => {
        db.prepare("UPDATE secret_states SET current_version = 1 WHERE name = 'SECRET_A'").run();
        db.prepare("DELETE FROM secret_versions WHERE name = 'SECRET_A' AND version > 1").run();
      },
    ],
    [
      "the newer version rows deleted, pointer left alone",
      (db) => db.prepare("DELETE FROM secret_versions WHERE name = 'SECRET_A' AND version > 1").run(),
    ],
    [
      "the whole secret removed (every row)",
      (db) => {
        db.prepare("DELETE FROM secret_versions WHERE name = 'SECRET_A'").run();
        db.prepare("DELETE FROM secret_states WHERE name = 'SECRET_A'").run();
      },
    ],
  ];
  for (const [label, edit] of rowEdits) {
    it(`${label}: the read of the secret, audit --verify and doctor all report INTEGRITY`, async (context) => {
      const ws = await seeded();
      editStore(ws, edit);
      tally(context, { operations: await detectedEverywhere(ws, "SECRET_A") });
    });
  }

  const commitmentOf = (db: import("better-sqlite3").Database) =>
    JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'commitment'").get() as { value: string }).value);
  const setCommitment = (db: import("better-sqlite3").Database, value: unknown) =>
    db.prepare("UPDATE meta SET value = ? WHERE key = 'commitment'").run(JSON.stringify(value));
  const auditCuts: Array<[string, (db: import("better-sqlite3").Database) => void]> = [
    [
      "the last audit entries cut and the head in meta set back",
      (db) => {
        const max = (db.prepare("SELECT max(seq) AS m FROM audit_log").get() as { m: number }).m;
        db.prepare("DELETE FROM audit_log WHERE seq > ?").run(max - 2);
        const head = db.prepare("SELECT hash FROM audit_log WHERE seq = ?").get(max - 2) as { hash: string };
        setCommitment(db, { ...commitmentOf(db), headSeq: max - 2, headHash: head.hash });
      },
    ],
    [
      "the first audit entries cut and the anchor in meta moved",
      (db) => {
        const anchor = db.prepare("SELECT hash FROM audit_log WHERE seq = 2").get() as { hash: string };
        db.prepare("DELETE FROM audit_log WHERE seq <= 2").run();
        setCommitment(db, { ...commitmentOf(db), anchorSeq: 2, anchorHash: anchor.hash });
      },
    ],
    [
      "every audit entry cut and the head in meta reset",
      (db) => {
        db.prepare("DELETE FROM audit_log").run();
        setCommitment(db, { ...commitmentOf(db), headSeq: 0, headHash: "" });
      },
    ],
  ];
  for (const [label, edit] of auditCuts) {
    it(`${label}: audit --verify and doctor report it, and reads refuse the store`, async (context) => {
      const ws = await seeded();
      editStore(ws, edit);
      tally(context, { operations: await detectedEverywhere(ws, "SECRET_B", true) });
    });
  }

  it("the whole store file replaced by an earlier copy of itself: reads, audit --verify and doctor report INTEGRITY", async (context) => {
    const ws = await seeded();
    const saved = readFileSync(storePath(ws));
    const { coffer } = await open(ws);
    await coffer.set("SECRET_A", "a-newer-value-after-the-copy");
    await coffer.dispose();
    handles.pop();
    writeFileSync(storePath(ws), saved);
    for (const companion of ["-wal", "-shm"]) rmSync(`${storePath(ws)}${companion}`, { force: true });
    tally(context, { operations: await detectedEverywhere(ws, "SECRET_A", true) });
  });

  it("attributes edited in the clear (writeOnly removed) are detected: they are bound into the ciphertext's associated data", async () => {
    const ws = createWorkspace("tamper-attrs");
    workspaces.push(ws);
    const first = await open(ws);
    await first.coffer.set("WRITE_ONLY", VALUE_A, { writeOnly: true });
    await first.coffer.dispose();
    handles.pop();
    editStore(ws, (db) => db.prepare("UPDATE secret_versions SET attributes = '{}' WHERE name = 'WRITE_ONLY'").run());
    const { coffer } = await open(ws);
    expectIntegrity(await rejection(coffer.get("WRITE_ONLY", { reveal: true })));
  });
});
